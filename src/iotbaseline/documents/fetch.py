"""Fetching the manufacturer's published documents: HTTPS only, certificates verified, bounded in time, size and pace.

Only the URLs a user gives or a document names are fetched (issue 7, network rules). A plain-HTTP URL, or a
redirect to one, is refused with its reason: that is itself evidence about what the manufacturer publishes.
The standard library suffices (http.client over the default SSL context); it also lets the total time limit
be enforced by shutting the socket, which a client library's per-read timeouts would not give.
"""

import contextlib
import http.client
import mimetypes
import os
import socket
import ssl
import stat
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urljoin, urlsplit

from iotbaseline import __version__
from iotbaseline.documents.model import DocumentFetchError, FetchedDocument
from iotbaseline.report.text import one_line

MIB = 1024 * 1024
DOCUMENT_MAX_BYTES = 10 * MIB
USER_AGENT = f"iotbaseline/{__version__} (checks published security information of IoT products)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_SHOWN = 200
"""Characters of a server-chosen text (a reason phrase, a Location) quoted in an error."""


class InsecureUrlError(DocumentFetchError):
    """The URL is not https:// or carries credentials: refused before any connection."""


class InsecureRedirectError(DocumentFetchError):
    """The server redirected to an address that is not https://."""


class RedirectLimitError(DocumentFetchError):
    """More redirects than the limit (or a loop)."""


class CertificateError(DocumentFetchError):
    """The server's certificate was not accepted (untrusted, expired, for another name)."""


class HttpStatusError(DocumentFetchError):
    """The server answered with an error status (404 for a document that is not published)."""

    def __init__(self, url: str, reason: str, status: int) -> None:
        super().__init__(url, reason)
        self.status = status


@dataclass(frozen=True)
class FetchLimits:
    max_bytes: int = DOCUMENT_MAX_BYTES
    """Bytes of a body kept; more is cut off and the document marked truncated."""
    max_redirects: int = 5
    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    """Seconds for one document, its redirects included."""
    min_interval: float = 0.25
    """Seconds between the starts of two requests to one host: at most four a second."""


@dataclass(frozen=True)
class _Target:
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class _Response:
    status: int
    location: str | None
    content_type: str = ""
    charset: str | None = None
    body: bytes = b""
    truncated: bool = False


class HttpsFetcher:
    """A DocumentSource over HTTPS. Each URL is fetched once for the fetcher's life (one scan), failures included.

    Certificates are checked by Python's default context: the system's authorities, or the bundle named by the
    `SSL_CERT_FILE` environment variable when the fetcher is created.
    """

    def __init__(self, limits: FetchLimits | None = None, *, context: ssl.SSLContext | None = None) -> None:
        self.limits = limits or FetchLimits()
        self._context = context or ssl.create_default_context()
        self._pacer = _HostPacer(self.limits.min_interval)
        self._cache: dict[str, FetchedDocument | DocumentFetchError] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> FetchedDocument:
        with self._lock:
            outcome = self._cache.get(url)
        if outcome is None:
            try:
                outcome = self._fetch(url)
            except DocumentFetchError as error:
                outcome = error
            with self._lock:
                self._cache[url] = outcome
        if isinstance(outcome, DocumentFetchError):
            raise outcome
        return outcome

    def _fetch(self, url: str) -> FetchedDocument:
        deadline = time.monotonic() + self.limits.total_timeout
        passed: list[str] = []
        current = url
        response = self._request(current, deadline)
        while response.location is not None:
            passed.append(current)
            if len(passed) > self.limits.max_redirects:
                raise RedirectLimitError(url, f"more than {self.limits.max_redirects} redirects")
            target = urljoin(current, response.location)
            if urlsplit(target).scheme.lower() != "https":
                raise InsecureRedirectError(url, f"{current} redirects to {_shown(target)}, which is not HTTPS")
            current = target
            response = self._request(current, deadline)
        return FetchedDocument(
            requested_url=url,
            final_url=current,
            status=response.status,
            content_type=response.content_type,
            charset=response.charset,
            body=response.body,
            redirects=tuple(passed),
            fetched_at=_now(),
            truncated=response.truncated,
        )

    def _request(self, url: str, deadline: float) -> _Response:
        target = _target(url)
        self._pacer.wait(target.host)
        remaining = _remaining(url, deadline)
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=min(self.limits.connect_timeout, remaining), context=self._context
        )
        watchdog = _Watchdog(connection, remaining)
        try:
            connection.connect()
            watchdog.watch(connection.sock)
            connection.request("GET", target.path, headers=_HEADERS)
            return self._response(url, connection.getresponse(), watchdog)
        except DocumentFetchError:
            raise
        except (OSError, http.client.HTTPException) as error:
            raise _fetch_error(url, error, watchdog, self.limits) from error
        finally:
            watchdog.cancel()
            connection.close()

    def _response(self, url: str, response: http.client.HTTPResponse, watchdog: "_Watchdog") -> _Response:
        status = response.status
        if status in REDIRECT_STATUSES:
            location = response.headers.get("Location")
            if not location:
                raise DocumentFetchError(url, f"HTTP {status} redirect without a Location header")
            return _Response(status=status, location=location.strip())
        if not 200 <= status < 300:
            raise HttpStatusError(url, f"HTTP {status} {_shown(response.reason)}", status)
        encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise DocumentFetchError(url, f"served with Content-Encoding '{_shown(encoding)}', which was not asked for")
        media, charset = _content_type(response.headers.get("Content-Type"))
        body, truncated = self._body(url, response, watchdog)
        return _Response(status, None, media, charset, body, truncated)

    def _body(self, url: str, response: http.client.HTTPResponse, watchdog: "_Watchdog") -> tuple[bytes, bool]:
        limit = self.limits.max_bytes
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = response.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if watchdog.fired:
            raise DocumentFetchError(url, f"no complete answer within {self.limits.total_timeout:g} s")
        body = b"".join(chunks)
        return body[:limit], len(body) > limit


_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "*/*",
    "Accept-Encoding": "identity",  # no decompression bombs: the size limit applies to what is read
    "Connection": "close",
}


class _HostPacer:
    """At most one request start per host every `interval` seconds, across threads."""

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self._interval
        if start > now:
            time.sleep(start - now)


class _Watchdog:
    """Ends a request that runs past its time by shutting its socket: per-read timeouts alone let a server
    that sends a byte a second keep a fetch going for ever."""

    def __init__(self, connection: http.client.HTTPSConnection, seconds: float) -> None:
        self.fired = False
        self._connection = connection
        self._socket: socket.socket | None = None
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket | None) -> None:
        """The connected socket: http.client drops its own reference once a response will close the connection."""
        self._socket = sock

    def _fire(self) -> None:
        self.fired = True
        sock = self._socket or self._connection.sock  # during connect: the socket being set up
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                # The plain socket's shutdown: SSLSocket's own would drop its TLS state under the reading thread.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _target(url: str) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise DocumentFetchError(url, f"not a valid URL ({error})") from error
    if parts.scheme.lower() != "https":
        raise InsecureUrlError(url, "not an https:// address; documents are fetched over HTTPS only")
    if parts.username is not None or parts.password is not None:
        raise InsecureUrlError(url, "the address carries a user name or password; published documents need none")
    if not parts.hostname:
        raise DocumentFetchError(url, "the address has no host name")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise DocumentFetchError(url, "the host name is not valid") from error
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return _Target(host=host, port=port or 443, path=path)


def _remaining(url: str, deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DocumentFetchError(url, "no complete answer in the time allowed")
    return remaining


def _fetch_error(url: str, error: Exception, watchdog: _Watchdog, limits: FetchLimits) -> DocumentFetchError:
    if watchdog.fired:
        return DocumentFetchError(url, f"no complete answer within {limits.total_timeout:g} s")
    if isinstance(error, TimeoutError):
        return DocumentFetchError(url, f"no answer for {limits.connect_timeout:g} s")
    if isinstance(error, ssl.SSLCertVerificationError):
        return CertificateError(url, f"certificate not accepted: {error.verify_message or error.reason}")
    if isinstance(error, ssl.SSLError):
        return DocumentFetchError(url, f"TLS failed: {error.reason or error}")
    if isinstance(error, socket.gaierror):
        return DocumentFetchError(url, "host name not found")
    if isinstance(error, ConnectionRefusedError):
        return DocumentFetchError(url, "connection refused")
    if isinstance(error, http.client.HTTPException):
        return DocumentFetchError(url, f"not a valid HTTP answer ({type(error).__name__})")
    if isinstance(error, OSError):
        return DocumentFetchError(url, f"network error: {error.strerror or error}")
    return DocumentFetchError(url, str(error))


def _content_type(header: str | None) -> tuple[str, str | None]:
    """The media type (lower case, without parameters; empty when not sent) and the charset parameter."""
    if header is None:
        return "", None
    message = Message()
    message["Content-Type"] = header
    media = header.split(";", 1)[0].strip().lower()
    charset = message.get_param("charset")
    return _shown(media), None if not isinstance(charset, str) else _shown(charset.strip().lower())


def _shown(text: str) -> str:
    text = one_line(text)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_document_file(path: Path, max_bytes: int = DOCUMENT_MAX_BYTES) -> FetchedDocument:
    """A document from disk (`--file`): a regular file, read up to `max_bytes`, its type guessed from its name."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block us
    except OSError as error:
        raise DocumentFetchError(str(path), f"cannot read: {error.strerror or error}") from error
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise DocumentFetchError(str(path), "not a regular file")
    with os.fdopen(descriptor, "rb", buffering=0) as stream:
        try:
            body = _read_up_to(stream, max_bytes + 1)
        except OSError as error:
            raise DocumentFetchError(str(path), f"cannot read: {error.strerror or error}") from error
    url = path.absolute().as_uri()
    return FetchedDocument(
        requested_url=url,
        final_url=url,
        status=200,
        content_type=mimetypes.guess_type(path.name, strict=False)[0] or "",
        charset=None,
        body=body[:max_bytes],
        fetched_at=_now(),
        truncated=len(body) > max_bytes,
    )


def _read_up_to(stream: BinaryIO, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0:
        chunk = stream.read(min(size, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)

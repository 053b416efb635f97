"""Who may use the dashboard, decided before any route runs, and the security headers of every response.

A request is let in when it carries the token as a bearer header, comes with a session that logged in with the
token, or (unless `--token` asks it of everyone) comes from a loopback address AND names a loopback host: the
Host check keeps a web page from reaching the dashboard through DNS rebinding, where the browser connects to
127.0.0.1 under the attacker's host name. Everything else is sent to the login form (pages) or refused (401).

The client address is the TCP peer's: forwarded headers are not trusted (uvicorn runs without proxy headers).
Behind a reverse proxy on the same host every client would look local, which is why `--token` exists.
"""

import hmac
import ipaddress
import threading
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from iotbaseline.web.sessions import COOKIE, Session, SessionStore, cookie_header
from iotbaseline.web.settings import DashboardSettings

LOGIN_PATH = "/login"
STYLESHEET_PATH = "/static/dashboard.css"
PUBLIC_PATHS = frozenset({LOGIN_PATH, STYLESHEET_PATH})
"""Reachable without access: the login form and what it needs."""

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""No script at all, no external asset: the pages are plain HTML forms."""

SECURITY_HEADERS: Mapping[str, str] = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


class Identity(StrEnum):
    LOOPBACK = "loopback"
    """A local client, let in without the token."""
    SESSION = "session"
    """A browser that logged in with the token."""
    BEARER = "bearer"
    """The token in an Authorization header: a script. No cookie is involved, so no CSRF token is asked."""
    NONE = "none"
    """Not let in: only the public paths."""


@dataclass(frozen=True)
class Access:
    identity: Identity
    session: Session | None
    """The browser session (its CSRF token); None for bearer requests."""

    @property
    def csrf_exempt(self) -> bool:
        return self.identity is Identity.BEARER


def access_of(scope: Scope) -> Access:
    """What `AccessControl` decided for this request."""
    access: Access = scope["state"]["access"]
    return access


def is_loopback_address(host: str | None) -> bool:
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def is_loopback_host(host_header: str | None) -> bool:
    """The Host header names this machine: `localhost`, `127.0.0.1`, `[::1]`, with or without a port."""
    if not host_header:
        return False
    host = host_header.strip().lower()
    if host.startswith("["):
        name = host[1 : host.find("]")] if "]" in host else ""
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name in ("localhost", "localhost.") or is_loopback_address(name)


def token_matches(given: str, token: str | None) -> bool:
    return token is not None and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode())


class AccessControl:
    """Pure ASGI middleware: the access decision for each request, a new session's cookie, the security headers."""

    def __init__(self, app: ASGIApp, settings: DashboardSettings, sessions: SessionStore) -> None:
        self.app = app
        self.settings = settings
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        access, new_session, refusal = self._decide(scope, headers)
        if refusal is not None:
            await _refuse(refusal, scope, send)
            return
        scope.setdefault("state", {})["access"] = access
        cookie = cookie_header(new_session, self.settings.secure_cookies) if new_session is not None else None

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                outgoing = MutableHeaders(scope=message)
                add_security_headers(outgoing)
                if cookie is not None:
                    outgoing.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _decide(self, scope: Scope, headers: Headers) -> tuple[Access, Session | None, int | None]:
        """(access, a session made for this request, or the refusal's status: 401, or 303 to the login form)."""
        none = Access(Identity.NONE, None)
        authorization = headers.get("authorization")
        if authorization is not None:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() == "bearer" and token_matches(value.strip(), self.settings.token):
                return Access(Identity.BEARER, None), None, None
            return none, None, 401
        session = self.sessions.get(cookie_parser(headers.get("cookie", "")).get(COOKIE))
        if session is not None and session.authenticated:
            return Access(Identity.SESSION, session), None, None
        public = scope["path"] in PUBLIC_PATHS
        if not (public or self._loopback_trusted(scope, headers)):
            return none, None, 303 if scope["method"] in ("GET", "HEAD") else 401
        made = None
        if session is None and scope["method"] in ("GET", "HEAD"):  # a page that may hold a form: it needs a token
            session = made = self.sessions.new(authenticated=False)
        identity = Identity.LOOPBACK if self._loopback_trusted(scope, headers) else Identity.NONE
        return Access(identity, session), made, None

    def _loopback_trusted(self, scope: Scope, headers: Headers) -> bool:
        if self.settings.token_for_loopback:
            return False
        client = scope.get("client")
        return is_loopback_address(client[0] if client else None) and is_loopback_host(headers.get("host"))


def add_security_headers(headers: MutableHeaders) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if "content-security-policy" not in headers:  # the HTML report brings its own (inline styles)
        headers["content-security-policy"] = PAGE_POLICY
    if "cache-control" not in headers:
        headers["cache-control"] = "no-store"


async def _refuse(status: int, scope: Scope, send: Send) -> None:
    if status == 303:
        raw: list[tuple[bytes, bytes]] = [(b"location", LOGIN_PATH.encode())]
        body = b""
    else:
        raw = [(b"www-authenticate", b'Bearer realm="iotbaseline"')]
        body = b"authentication required: log in at /login, or send the token as a bearer header\n"
    raw.append((b"content-type", b"text/plain; charset=utf-8"))
    raw.append((b"content-length", str(len(body)).encode()))
    start: dict[str, Any] = {"type": "http.response.start", "status": status, "headers": raw}
    add_security_headers(MutableHeaders(scope=start))
    await send(start)
    await send({"type": "http.response.body", "body": body})


class LoginAttempts:
    """Failed logins per client address: past `limit` in `window` seconds, that client must wait."""

    def __init__(self, limit: int = 10, window: float = 600.0) -> None:
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._limit = limit
        self._window = window

    def blocked(self, client: str) -> bool:
        with self._lock:
            recent = self._recent(client)
            return len(recent) >= self._limit

    def failed(self, client: str) -> None:
        with self._lock:
            self._recent(client).append(time.monotonic())
            if len(self._failures) > 10_000:  # bounded: forget the quietest clients
                for quiet in [key for key, times in self._failures.items() if not times][:5000]:
                    del self._failures[quiet]

    def _recent(self, client: str) -> deque[float]:
        times = self._failures[client]
        while times and time.monotonic() - times[0] > self._window:
            times.popleft()
        return times

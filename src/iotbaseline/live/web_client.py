"""One HTTP request and its response over a session connection: the request written by us (GET or a form
POST, with cookies), the response read with bounds (its head, then the body up to Content-Length or
the end of the stream), cookies read from the raw head (a parsed header value is cut for display)."""

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from iotbaseline.live.protocols.http import MAX_BODY, USER_AGENT, Message, parse_message
from iotbaseline.live.session import Connection

_SET_COOKIE = re.compile(rb"^set-cookie:\s*([^=;\s]{1,128})=([^;\r\n]{0,4096})", re.I | re.M)


@dataclass(frozen=True)
class WebResponse:
    message: Message
    cookies: dict[str, str] = field(default_factory=dict)
    """Cookies the response set, by name."""

    @property
    def status(self) -> int:
        return self.message.status

    @property
    def text(self) -> str:
        return self.message.body.decode("utf-8", "replace")


def request(
    method: str,
    path: str,
    host: str,
    cookies: dict[str, str] | None = None,
    body: str | None = None,
    referer: str | None = None,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"User-Agent: {USER_AGENT}", "Accept: text/html,*/*"]
    if cookies:
        lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in cookies.items()))
    if referer:
        lines.append(f"Referer: {referer}")
    payload = b""
    if body is not None:
        payload = body.encode("utf-8")
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(payload)}"]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace") + payload


async def exchange(connection: Connection, data: bytes, wait: float) -> WebResponse | None:
    """Sends the request and reads one response; None when none came or it is not HTTP."""
    await connection.send(data)
    raw = await read_response(connection, wait)
    message = parse_message(raw)
    if message is None or message.scheme != "HTTP":
        return None
    head = raw.partition(b"\r\n\r\n")[0]
    cookies = {name.decode("latin-1"): value.decode("latin-1").strip() for name, value in _SET_COOKIE.findall(head)}
    return WebResponse(message, cookies)


async def read_response(connection: Connection, wait: float) -> bytes:
    data = await connection.read(wait * 2, limit=MAX_BODY + 16 * 1024, until=b"\r\n\r\n")
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        return data
    message = parse_message(data)
    length = message.header("content-length") if message else None
    wanted = min(int(length), MAX_BODY) if length and length.isdigit() else MAX_BODY
    while len(body) < wanted:
        more = await connection.read(wait, limit=wanted - len(body))
        if not more:
            break
        body += more
    return head + separator + body


def same_origin_path(base: str, reference: str, origin: str) -> str | None:
    """`reference` (a link, Location or form action) resolved against the page `base` (a path), as a path,
    when it stays on `origin` (`host:port` as the device was reached), else None."""
    resolved = urljoin(f"http://{origin}{base}", reference.strip())
    parts = urlsplit(resolved)
    if parts.netloc.lower() != origin.lower() and reference.strip().lower().startswith(("http:", "https:", "//")):
        return None
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path

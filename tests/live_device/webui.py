"""A vendor web interface for the simulated device (asyncio, HTTP/1.1, one request a connection): `/`
redirects to a login form with a hidden token and a pre-login cookie; a good login redirects to the
dashboard with a session cookie, a bad one shows the form again with an error. The weak device's
interface also serves its system page without any login; the hardened one locks logins out after a
few failures (429 and a message) and serves nothing without a session."""

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
SERVER = "iotbaseline-sim-webui/1.0"
LOGIN_PAGE = (
    "<html><head><title>SimCam login</title></head><body>{message}"
    '<form method="post" action="/login.cgi"><input type="hidden" name="token" value="{token}">'
    '<input type="text" name="username"><input type="password" name="password">'
    '<input type="submit" value="Log in"></form></body></html>'
)
DASHBOARD = "<html><head><title>SimCam dashboard</title></head><body>Welcome. Live view, recordings.</body></html>"
SYSTEM_PAGE = (
    "<html><head><title>SimCam system</title></head><body><h1>System settings</h1>"
    "<a href='/upgrade'>Firmware upgrade</a> <a href='/reset'>Factory reset</a> "
    "<a href='/net'>Network settings</a> <a href='/reboot'>Reboot</a></body></html>"
)


@dataclass
class WebUiSettings:
    user: str
    password: str
    open_system_page: bool = False
    """The planted weakness: /system.html without a login."""
    lockout_after: int | None = None
    """Failed logins after which every login is refused for `lockout_seconds` (None: never)."""
    lockout_seconds: float = 120.0
    failures: int = 0
    locked_until: float = 0.0
    tokens: set[str] = field(default_factory=set)
    sessions: set[str] = field(default_factory=set)


def webui_handler(settings: WebUiSettings) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode("latin-1")
            lines = head.split("\r\n")
            method, path = [*lines[0].split(" "), "", ""][:2]
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if ":" in line)
            }
            length = int(headers.get("content-length", "0") or 0)
            body = (await asyncio.wait_for(reader.readexactly(min(length, 65536)), 10)).decode() if length else ""
            writer.write(_answer(settings, method, path, headers, body))
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    return handle


def _answer(settings: WebUiSettings, method: str, path: str, headers: dict[str, str], body: str) -> bytes:
    cookies = dict(part.strip().partition("=")[::2] for part in headers.get("cookie", "").split(";") if "=" in part)
    logged_in = cookies.get("SESSIONID") in settings.sessions
    if path == "/":
        return _response(302, "", location="/login.html")
    if path == "/login.html" and method == "GET":
        return _login_page(settings, "")
    if path == "/login.cgi" and method == "POST":
        return _login(settings, parse_qs(body))
    if path == "/index.html":
        return _response(200, DASHBOARD) if logged_in else _response(302, "", location="/login.html")
    if path == "/system.html":
        if logged_in or settings.open_system_page:
            return _response(200, SYSTEM_PAGE)
        return _response(302, "", location="/login.html")
    return _response(404, "<html><body>Not found</body></html>")


def _login(settings: WebUiSettings, form: dict[str, list[str]]) -> bytes:
    loop_time = asyncio.get_running_loop().time()
    if settings.lockout_after is not None and loop_time < settings.locked_until:
        return _response(
            429, "<html><body>Too many failed attempts: the account is locked. Try again later.</body></html>"
        )
    token = (form.get("token") or [""])[0]
    if token not in settings.tokens:
        return _login_page(settings, "<p>Session expired, please log in again.</p>", status=400)
    settings.tokens.discard(token)
    user, password = (form.get("username") or [""])[0], (form.get("password") or [""])[0]
    if user == settings.user and password == settings.password:
        session = os.urandom(8).hex()
        settings.sessions.add(session)
        return _response(302, "", location="/index.html", cookie=f"SESSIONID={session}; Path=/; HttpOnly")
    settings.failures += 1
    if settings.lockout_after is not None and settings.failures >= settings.lockout_after:
        settings.locked_until = loop_time + settings.lockout_seconds
        settings.failures = 0
    return _login_page(settings, "<p>Invalid user name or password.</p>")


def _login_page(settings: WebUiSettings, message: str, status: int = 200) -> bytes:
    token = os.urandom(8).hex()
    settings.tokens.add(token)
    return _response(status, LOGIN_PAGE.format(message=message, token=token), cookie=f"prelogin={token[:6]}; Path=/")


def _response(status: int, body: str, location: str | None = None, cookie: str | None = None) -> bytes:
    reasons = {200: "OK", 302: "Found", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests"}
    data = body.encode()
    lines = [f"HTTP/1.1 {status} {reasons[status]}", f"Server: {SERVER}", "Content-Type: text/html"]
    if location:
        lines.append(f"Location: {location}")
    if cookie:
        lines.append(f"Set-Cookie: {cookie}")
    lines += [f"Content-Length: {len(data)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data

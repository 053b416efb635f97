"""HTTP, and the protocols that share its message format: RTSP and SSDP. Requests are reads only
(GET /, RTSP OPTIONS and DESCRIBE, SSDP M-SEARCH); answers are parsed with bounds."""

import re
from dataclasses import dataclass

from iotbaseline.live.protocols import Reading
from iotbaseline.live.session import Connection
from iotbaseline.live.text import field, printable
from iotbaseline.model import JSONValue

USER_AGENT = "iotbaseline-probe"
MAX_HEADERS = 64
MAX_BODY = 64 * 1024
_STATUS = re.compile(r"^(HTTP|RTSP)/(\d\.\d) (\d{3})(?: ([^\r\n]*))?")
_TITLE = re.compile(r"<title[^>]*>([^<]{0,200})</title>", re.I)
_PASSWORD_INPUT = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.I)
_AUTH = re.compile(r"^\s*(\w+)(?:.*?\brealm\s*=\s*\"([^\"]{0,200})\")?", re.I)


@dataclass(frozen=True)
class Message:
    scheme: str
    """HTTP or RTSP."""
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    """Names lower-case, values sanitised, in order."""
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]


def parse_message(data: bytes) -> Message | None:
    """A response (status line, headers, body) or None when it is not one."""
    head, _, body = data.partition(b"\r\n\r\n")
    if not body and b"\n\n" in head:
        head, _, body = data.partition(b"\n\n")
    lines = head.decode("latin-1").splitlines()
    match = _STATUS.match(lines[0]) if lines else None
    if match is None:
        return None
    headers: list[tuple[str, str]] = []
    for line in lines[1 : MAX_HEADERS + 1]:
        name, colon, value = line.partition(":")
        if colon and name.strip():
            headers.append((field(name.strip().lower()), field(value.strip())))
    return Message(match[1], int(match[3]), field(match[4] or ""), tuple(headers), body[:MAX_BODY])


def authentication(message: Message) -> list[dict[str, JSONValue]]:
    """The WWW-Authenticate challenges: scheme and realm of each."""
    found: list[dict[str, JSONValue]] = []
    for value in message.all("www-authenticate"):
        match = _AUTH.match(value)
        if match:
            found.append({"scheme": match[1].lower(), "realm": match[2] or ""})
    return found


def http_request(host: str, port: int, default_port: int) -> bytes:
    shown = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        shown = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    return (
        f"GET / HTTP/1.1\r\nHost: {shown}\r\nUser-Agent: {USER_AGENT}\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    ).encode("ascii", "replace")


async def read_http(connection: Connection, host: str, tls: bool, wait: float) -> Reading | None:
    await connection.send(http_request(host, connection.port, 443 if tls else 80))
    data = await connection.read(wait, limit=MAX_BODY + 16 * 1024)
    message = parse_message(data)
    if message is None or message.scheme != "HTTP":
        return None
    return http_reading(message)


def http_reading(message: Message) -> Reading:
    text = message.body.decode("utf-8", "replace")
    title = _TITLE.search(text)
    evidence: dict[str, JSONValue] = {
        "status": message.status,
        "authentication": authentication(message),
        "login_form": bool(_PASSWORD_INPUT.search(text)),
    }
    for name in ("server", "location", "x-powered-by"):
        value = message.header(name)
        if value is not None:
            evidence[name.replace("-", "_")] = value
    if title:
        evidence["title"] = field(title[1])
    reading = Reading("http", banner=_banner(message), evidence=evidence)
    server = message.header("server")
    if server:
        reading.fields["server"] = server
    return reading


def rtsp_request(method: str, host: str, port: int, sequence: int) -> bytes:
    shown = f"[{host}]" if ":" in host else host
    accept = "Accept: application/sdp\r\n" if method == "DESCRIBE" else ""
    return (
        f"{method} rtsp://{shown}:{port}/ RTSP/1.0\r\nCSeq: {sequence}\r\nUser-Agent: {USER_AGENT}\r\n{accept}\r\n"
    ).encode("ascii", "replace")


async def read_rtsp(connection: Connection, host: str, wait: float) -> Reading | None:
    """OPTIONS, then DESCRIBE of the root: whether the stream description needs authentication."""
    await connection.send(rtsp_request("OPTIONS", host, connection.port, 1))
    options = parse_message(await connection.read(wait, until=b"\r\n\r\n"))
    if options is None or options.scheme != "RTSP":
        return None
    evidence: dict[str, JSONValue] = {"options_status": options.status}
    public = options.header("public")
    if public:
        evidence["methods"] = public
    await connection.send(rtsp_request("DESCRIBE", host, connection.port, 2))
    describe = parse_message(await connection.read(wait, until=b"\r\n\r\n"))
    if describe is not None and describe.scheme == "RTSP":
        evidence["describe_status"] = describe.status
        evidence["authentication"] = authentication(describe)
    reading = Reading("rtsp", banner=_banner(options), evidence=evidence)
    server = options.header("server") or (describe.header("server") if describe else None)
    if server:
        reading.evidence["server"] = server
        reading.fields["server"] = server
    return reading


def ssdp_search() -> bytes:
    return (
        b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\n'
        b"ST: ssdp:all\r\nUSER-AGENT: " + USER_AGENT.encode() + b"\r\n\r\n"
    )


def ssdp_reading(answer: bytes) -> Reading | None:
    message = parse_message(answer)
    if message is None or message.scheme != "HTTP" or message.status != 200:
        return None
    evidence: dict[str, JSONValue] = {
        name: value for name in ("server", "location", "st", "usn") if (value := message.header(name)) is not None
    }
    reading = Reading("ssdp", banner=_banner(message), evidence=evidence)
    if "server" in evidence:
        reading.fields["server"] = str(evidence["server"])
    return reading


def _banner(message: Message) -> str:
    lines = [f"{message.scheme} {message.status} {message.reason}".strip()]
    lines += [f"{name}: {value}" for name, value in message.headers if name in ("server", "www-authenticate")]
    return printable("\n".join(lines))

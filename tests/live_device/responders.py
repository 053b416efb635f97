"""Asyncio responders for the protocols Debian has no small server for: an RTSP server (with or
without Digest authentication), an SSDP responder with its UPnP description, an ADB daemon that
answers CNXN. They run on a loop in a thread of their own for the whole test session. They say
who they are (`iotbaseline-sim-*`): the simulator pretends to be no real product."""

import asyncio
import hashlib
import os
import ssl
import struct
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

SERVER_TAG = "Linux/5.10 UPnP/1.0 iotbaseline-sim-upnp/1.0"
RTSP_SERVER = "iotbaseline-sim-rtsp/1.0"
ADB_BANNER = b"device::ro.product.name=simcam;ro.product.model=SimCam;ro.product.device=simcam;features=shell_v2\x00"
SDP = "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=Simulated stream\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"


@dataclass
class RtspSettings:
    digest_user: str | None = None
    """None: DESCRIBE answers without authentication (the weak device)."""
    digest_password: str = ""
    realm: str = "SimCam"
    nonce: str = field(default_factory=lambda: os.urandom(8).hex())


class ResponderLoop:
    """An event loop in a daemon thread; servers are started on it and all closed at stop()."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sim-responders", daemon=True)
        self.thread.start()
        self.servers: list[asyncio.AbstractServer] = []
        self.transports: list[asyncio.BaseTransport] = []

    def run(self, coroutine: Awaitable[object]) -> object:
        async def wrapped() -> object:
            return await coroutine

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(10)

    def tcp(
        self,
        address: str,
        port: int,
        handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        server = self.run(asyncio.start_server(handler, address, port, reuse_address=True, ssl=ssl_context))
        assert isinstance(server, asyncio.AbstractServer)
        self.servers.append(server)

    def udp(self, address: str, port: int, protocol: Callable[[], asyncio.DatagramProtocol]) -> None:
        made = self.run(self.loop.create_datagram_endpoint(protocol, local_addr=(address, port)))
        assert isinstance(made, tuple)
        self.transports.append(made[0])

    def stop(self) -> None:
        async def close() -> None:
            for server in self.servers:
                server.close()
            for transport in self.transports:
                transport.close()

        self.run(close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def rtsp_handler(settings: RtspSettings) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
                writer.write(_rtsp_answer(head.decode("latin-1"), settings))
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


def _rtsp_answer(request: str, settings: RtspSettings) -> bytes:
    lines = request.split("\r\n")
    method, _, rest = lines[0].partition(" ")
    uri = rest.rsplit(" ", 1)[0]
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if ":" in line)}
    sequence = headers.get("cseq", "0")
    common = f"CSeq: {sequence}\r\nServer: {RTSP_SERVER}\r\n"
    if method == "OPTIONS":
        return f"RTSP/1.0 200 OK\r\n{common}Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n".encode()
    if method != "DESCRIBE":
        return f"RTSP/1.0 405 Method Not Allowed\r\n{common}\r\n".encode()
    if settings.digest_user is not None and not _digest_ok(headers.get("authorization", ""), method, uri, settings):
        challenge = f'Digest realm="{settings.realm}", nonce="{settings.nonce}"'
        return f"RTSP/1.0 401 Unauthorized\r\n{common}WWW-Authenticate: {challenge}\r\n\r\n".encode()
    body = SDP.encode()
    return (
        f"RTSP/1.0 200 OK\r\n{common}Content-Type: application/sdp\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def _digest_ok(header: str, method: str, uri: str, settings: RtspSettings) -> bool:
    """RFC 2617 Digest without qop, as cameras implement it."""
    if not header.lower().startswith("digest "):
        return False
    fields = {}
    for part in header[7:].split(","):
        key, _, value = part.strip().partition("=")
        fields[key.lower()] = value.strip('"')

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    first = md5(f"{settings.digest_user}:{settings.realm}:{settings.digest_password}")
    second = md5(f"{method}:{fields.get('uri', uri)}")
    expected = md5(f"{first}:{settings.nonce}:{second}")
    return fields.get("username") == settings.digest_user and fields.get("response") == expected


class SsdpResponder(asyncio.DatagramProtocol):
    """Answers M-SEARCH (unicast, as the probe sends it) with the device's description location."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram endpoint's transport

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if not data.startswith(b"M-SEARCH") or self.transport is None:
            return
        answer = (
            "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
            f"LOCATION: {self.location}\r\nSERVER: {SERVER_TAG}\r\n"
            "ST: upnp:rootdevice\r\nUSN: uuid:5f1e0000-0000-4000-8000-000000000001::upnp:rootdevice\r\n\r\n"
        )
        self.transport.sendto(answer.encode(), addr)


IGD_DESCRIPTION = (
    b'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>'
    b"<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>SimCam</friendlyName>"
    b"<manufacturer>iotbaseline simulator</manufacturer><modelName>SimCam</modelName><deviceList><device>"
    b"<deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><deviceList><device>"
    b"<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><serviceList><service>"
    b"<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>"
    b"<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/IPConn</controlURL>"
    b"<eventSubURL>/evt/IPConn</eventSubURL><SCPDURL>/WANIPCn.xml</SCPDURL>"
    b"</service></serviceList></device></deviceList></device></deviceList></device></root>"
)
_SOAP_ANSWERS = {
    "GetExternalIPAddress": (
        200,
        '<u:GetExternalIPAddressResponse xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">'
        "<NewExternalIPAddress>192.0.2.1</NewExternalIPAddress></u:GetExternalIPAddressResponse>",
    ),
    "GetGenericPortMappingEntry": (
        500,
        "<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
        '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>713</errorCode>'
        "<errorDescription>SpecifiedArrayIndexInvalid</errorDescription></UPnPError></detail></s:Fault>",
    ),
}


def description_handler() -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    """The weak device's UPnP Internet gateway: its description, and a control URL that answers the
    read-only actions to anyone (as miniupnpd does); any other action is refused (the probe never sends one)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode("latin-1")
            lines = head.split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if ":" in x)}
            length = int(headers.get("content-length", "0") or 0)
            if length:
                await asyncio.wait_for(reader.readexactly(min(length, 65536)), 10)
            status, body, kind = 200, IGD_DESCRIPTION, "text/xml"
            if lines[0].startswith("POST /ctl/IPConn"):
                action = headers.get("soapaction", "").strip('"').rpartition("#")[2]
                status, inner = _SOAP_ANSWERS.get(
                    action, (401, "<s:Fault><faultstring>Action not authorized</faultstring></s:Fault>")
                )
                body = (
                    '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                    f"{inner}</s:Body></s:Envelope>"
                ).encode()
                kind = 'text/xml; charset="utf-8"'
            reason = {200: "OK", 401: "Unauthorized", 500: "Internal Server Error"}[status]
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nServer: {SERVER_TAG}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    return handle


def adb_handler() -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    """An adbd with `ro.adb.secure=0`: any host's CNXN is answered with the device banner."""
    header = struct.Struct("<6I")
    cnxn = 0x4E584E43

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            command, *_ = header.unpack(await asyncio.wait_for(reader.readexactly(header.size), 10))
            if command == cnxn:
                checksum = sum(ADB_BANNER) & 0xFFFFFFFF
                writer.write(
                    header.pack(cnxn, 0x01000000, 4096, len(ADB_BANNER), checksum, cnxn ^ 0xFFFFFFFF) + ADB_BANNER
                )
                await writer.drain()
                await asyncio.wait_for(reader.read(1), 5)
        except (asyncio.IncompleteReadError, TimeoutError, ConnectionError, struct.error):
            pass
        finally:
            writer.close()

    return handle

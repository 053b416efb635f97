"""What answers on an open port: listen briefly for a service that speaks first, else send the
one request its port usually expects, else try the other protocols in turn (each on a fresh
connection, within the session's cap per port). Names the product and version from what was said."""

import ssl
from collections.abc import Awaitable, Callable

from iotbaseline.live.fingerprints import Fingerprints, default_fingerprints
from iotbaseline.live.model import ObservedService, Transport
from iotbaseline.live.ports import PortHint
from iotbaseline.live.protocols import Reading
from iotbaseline.live.protocols.adb import read_adb
from iotbaseline.live.protocols.http import parse_message, read_http, read_rtsp
from iotbaseline.live.protocols.mqtt import read_mqtt
from iotbaseline.live.protocols.speaks_first import (
    greeting_reading,
    read_telnet,
    shell_reading,
    ssh_reading,
)
from iotbaseline.live.protocols.tls import probing_context, session_evidence
from iotbaseline.live.session import Connection, ProbeSession
from iotbaseline.live.targets import Target
from iotbaseline.live.text import printable
from iotbaseline.model import JSONValue

SPEAKS_FIRST = frozenset({"ssh", "telnet", "ftp"})
"""Port hints whose service talks before the client: we listen before sending anything."""
ASKED = ("http", "rtsp", "mqtt", "adb")
"""Client-first protocols, in the order tried on a port whose hint did not answer."""
_TLS_HINTS = {"https": "http", "mqtts": "mqtt"}
_FIELD_ORDER = ("ssh", "server", "adb", "banner", "negotiation")

Ask = Callable[[Connection, str, float], Awaitable[Reading | None]]


class Identifier:
    def __init__(self, session: ProbeSession, fingerprints: Fingerprints | None = None) -> None:
        self.session = session
        self.fingerprints = fingerprints or default_fingerprints()
        self.limits = session.limits

    async def identify(self, target: Target, port: int, first: Connection, hint: PortHint | None) -> ObservedService:
        """`first`: the scan's open connection to the port, used for the first exchange."""
        service = hint.service if hint else "unknown"
        tried: list[str] = []
        reading: Reading | None = None
        inner = _TLS_HINTS.get(service)
        if inner is not None:
            reading = await self._over_tls(target, port, inner, tried)
            if reading is not None:
                return self._observed(target, port, reading, hint, tried)
        reading = await self._first_exchange(target, first, service, tried)
        if reading is None and _looks_like_tls(first.received):
            reading = await self._over_tls(target, port, "http", tried)
        for protocol in ("tls", *ASKED):
            if reading is not None or protocol in tried or (protocol == "tls" and any("tls+" in t for t in tried)):
                continue
            if protocol == "tls":
                reading = await self._over_tls(target, port, "http", tried)
            else:
                reading = await self._fresh(target, port, protocol, tried)
        if reading is None:
            heard = printable(bytes(first.received))
            reading = Reading("unknown", banner=heard, evidence={"said": heard} if heard else {})
        return self._observed(target, port, reading, hint, tried)

    async def _first_exchange(
        self, target: Target, connection: Connection, service: str, tried: list[str]
    ) -> Reading | None:
        if service in ASKED:
            tried.append(service)
            reading = await _safely(self._ask(service)(connection, target.name, self.limits.read_timeout))
            return reading or await self._heard(connection, bytes(connection.received))
        tried.append("banner")
        head = await connection.read(self.limits.banner_wait)
        return await self._heard(connection, head) if head else None

    async def _heard(self, connection: Connection, head: bytes) -> Reading | None:
        """A service that spoke (first, or instead of answering our request)."""
        protocol = self.fingerprints.protocol_of(head)
        if protocol == "ssh":
            return ssh_reading(head)
        if protocol == "telnet":
            return await read_telnet(connection, head, self.limits.read_timeout)
        if protocol in ("ftp", "smtp"):
            return greeting_reading(protocol, head)
        if protocol == "shell":
            return shell_reading(head)
        if protocol in ("http", "rtsp"):
            message = parse_message(head)
            return Reading(protocol, banner=printable(head.split(b"\r\n\r\n")[0])) if message else None
        return None

    async def _fresh(self, target: Target, port: int, protocol: str, tried: list[str]) -> Reading | None:
        tried.append(protocol)
        async with self.session.connect(target.address, port, f"identify:{protocol}") as connection:
            if connection is None:
                return None
            return await _safely(self._ask(protocol)(connection, target.name, self.limits.read_timeout))

    async def _over_tls(self, target: Target, port: int, inner: str, tried: list[str]) -> Reading | None:
        tried.append(f"tls+{inner}")
        context = probing_context()
        async with self.session.connect(
            target.address, port, "identify:tls", tls=context, server_name=_sni(target)
        ) as connection:
            if connection is None or connection.tls is None:
                return None
            evidence = session_evidence(connection.tls)
            reading = await _safely(self._ask(inner)(connection, target.name, self.limits.read_timeout))
        reading = reading or Reading("tls")
        reading.evidence["tls"] = evidence
        return reading

    @staticmethod
    def _ask(protocol: str) -> Ask:
        asks: dict[str, Ask] = {
            "http": lambda c, host, wait: read_http(c, host, bool(c.tls), wait),
            "rtsp": read_rtsp,
            "mqtt": lambda c, host, wait: read_mqtt(c, wait),
            "adb": lambda c, host, wait: read_adb(c, wait),
        }
        return asks[protocol]

    def _observed(
        self, target: Target, port: int, reading: Reading, hint: PortHint | None, tried: list[str]
    ) -> ObservedService:
        return observed(target, port, Transport.TCP, reading, hint, tried, self.fingerprints)


def observed(
    target: Target,
    port: int,
    transport: Transport,
    reading: Reading,
    hint: PortHint | None,
    tried: list[str],
    fingerprints: Fingerprints,
) -> ObservedService:
    """A reading as the service it shows, with its product and version when the rules name them."""
    evidence: dict[str, JSONValue] = {**reading.evidence, "probes": list(tried)}
    if hint is not None:
        evidence["port_hint"] = hint.service
        if hint.debug:
            evidence["debug_port"] = True
    product = next(
        (
            found
            for name in _FIELD_ORDER
            if name in reading.fields and (found := fingerprints.product_of(name, reading.fields[name])) is not None
        ),
        None,
    )
    if product is not None:
        evidence["product_from"] = {"field": product.field, "text": product.matched}
    return ObservedService(
        host=target.address,
        port=port,
        transport=transport,
        protocol=reading.protocol,
        tls="tls" in reading.evidence,
        product=product.name if product else None,
        version=product.version if product else None,
        banner=reading.banner,
        evidence=evidence,
    )


async def _safely(exchange: Awaitable[Reading | None]) -> Reading | None:
    """A peer that resets or stalls mid-exchange has not answered."""
    try:
        return await exchange
    except (OSError, ssl.SSLError, TimeoutError, EOFError):
        return None


def _looks_like_tls(data: bytes | bytearray) -> bool:
    """A TLS record (alert or handshake) in answer to plain text: the port wants TLS."""
    return len(data) >= 3 and data[0] in (0x15, 0x16) and data[1] == 0x03


def _sni(target: Target) -> str | None:
    return None if target.name == target.address or "/" in target.name else target.name

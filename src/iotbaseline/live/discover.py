"""Devices on the local segment, found by asking the way phones and media players do: one SSDP
M-SEARCH to 239.255.255.250:1900 and mDNS PTR questions to 224.0.0.251:5353 (the DNS-SD service
list, then each service type found). Only answers to our own questions are read (they come back
by unicast to our socket); nothing found is probed."""

import asyncio
import fcntl
import os
import socket
import struct
from collections import defaultdict
from dataclasses import dataclass, field

from iotbaseline.errors import InputError
from iotbaseline.live.dns import PTR, SRV, TXT, A, DnsError, Record, parse_records, ptr_query
from iotbaseline.live.protocols.http import parse_message, ssdp_search
from iotbaseline.live.text import field as clean

SSDP_GROUP = ("239.255.255.250", 1900)
MDNS_GROUP = ("224.0.0.251", 5353)
SERVICE_LIST = "_services._dns-sd._udp.local"
MAX_SERVICE_TYPES = 32
MAX_ANSWERS = 2048
_SIOCGIFADDR = 0x8915


@dataclass
class DiscoveredDevice:
    address: str
    via: set[str] = field(default_factory=set)
    server: str = ""
    locations: set[str] = field(default_factory=set)
    services: set[str] = field(default_factory=set)
    """SSDP search targets (ST) and mDNS service instances (`name._type._tcp.local`, with `host:port`)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "address": self.address,
            "via": sorted(self.via),
            "server": self.server,
            "locations": sorted(self.locations),
            "services": sorted(self.services),
        }


class _Answers(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[bytes, str]] = asyncio.Queue()
        self.count = 0

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        if self.count < MAX_ANSWERS:
            self.count += 1
            self.received.put_nowait((data[:9000], str(addr[0])))


async def discover(
    timeout: float = 3.0,
    interface: str | None = None,
    ssdp_group: tuple[str, int] = SSDP_GROUP,
    mdns_group: tuple[str, int] = MDNS_GROUP,
) -> list[DiscoveredDevice]:
    """`ssdp_group`, `mdns_group`: where the questions go (tests point them at a responder)."""
    local = interface_address(interface) if interface else "0.0.0.0"  # noqa: S104 (our answers' socket)
    devices: dict[str, DiscoveredDevice] = {}
    await asyncio.gather(
        _ssdp(devices, local, interface, ssdp_group, timeout), _mdns(devices, local, interface, mdns_group, timeout)
    )
    return sorted(devices.values(), key=lambda d: tuple(int(p) if p.isdigit() else 0 for p in d.address.split(".")))


async def _endpoint(local: str, interface: str | None) -> tuple[asyncio.DatagramTransport, _Answers]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)  # the local segment only
    if interface:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
    sock.bind((local, 0))
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(_Answers, sock=sock)
    return transport, protocol


async def _collect(protocol: _Answers, seconds: float) -> list[tuple[bytes, str]]:
    found: list[tuple[bytes, str]] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            found.append(await asyncio.wait_for(protocol.received.get(), left))
        except TimeoutError:
            break
    return found


async def _ssdp(
    devices: dict[str, DiscoveredDevice], local: str, interface: str | None, group: tuple[str, int], timeout: float
) -> None:
    transport, protocol = await _endpoint(local, interface)
    try:
        transport.sendto(ssdp_search(), group)
        for data, address in await _collect(protocol, timeout):
            message = parse_message(data)
            if message is None or message.status != 200:
                continue
            device = devices.setdefault(address, DiscoveredDevice(address))
            device.via.add("ssdp")
            device.server = device.server or (message.header("server") or "")
            if location := message.header("location"):
                device.locations.add(location)
            if target := message.header("st"):
                device.services.add(target)
    finally:
        transport.close()


async def _mdns(
    devices: dict[str, DiscoveredDevice], local: str, interface: str | None, group: tuple[str, int], timeout: float
) -> None:
    transport, protocol = await _endpoint(local, interface)
    try:
        query_id = int.from_bytes(os.urandom(2), "big")
        transport.sendto(ptr_query([SERVICE_LIST], query_id), group)
        first = await _collect(protocol, timeout / 2)
        types = sorted({r.value for _, r in _records(first) if r.type == PTR and r.name == SERVICE_LIST})
        answers = list(first)
        if types:
            transport.sendto(ptr_query(types[:MAX_SERVICE_TYPES], query_id), group)
            answers += await _collect(protocol, timeout / 2)
    finally:
        transport.close()
    by_sender: dict[str, list[Record]] = defaultdict(list)
    for address, record in _records(answers):
        by_sender[address].append(record)
    for address, records in by_sender.items():
        device = devices.setdefault(address, DiscoveredDevice(address))
        device.via.add("mdns")
        targets = {r.name: r.value for r in records if r.type == SRV}
        for record in records:
            if record.type == PTR and record.name != SERVICE_LIST:
                where = targets.get(record.value)
                device.services.add(clean(record.value + (f" ({where})" if where else "")))
            elif record.type == TXT and not device.server:
                device.server = clean(record.value)
            elif record.type == A and record.value != address:
                device.locations.add(record.value)


def _records(answers: list[tuple[bytes, str]]) -> list[tuple[str, Record]]:
    found: list[tuple[str, Record]] = []
    for data, address in answers:
        try:
            found.extend((address, record) for record in parse_records(data))
        except DnsError:
            continue
    return found


def interface_address(name: str) -> str:
    """The IPv4 address of a network interface (the segment to ask on)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
        except OSError as error:
            raise InputError(f"interface {name!r} has no IPv4 address: {error.strerror or error}") from None
    return socket.inet_ntoa(packed[20:24])

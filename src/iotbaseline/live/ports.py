"""The ports `probe` tries by default (`data/live/ports.yaml`), and the `--ports` syntax."""

import functools
from dataclasses import dataclass
from typing import Any

from iotbaseline.errors import InputError
from iotbaseline.live.data import LiveDataError, load_yaml
from iotbaseline.live.model import Transport

MAX_PORT = 65535


@dataclass(frozen=True)
class PortHint:
    port: int
    transport: Transport
    service: str
    """The protocol usually found there: decides the first probe sent."""
    debug: bool = False
    """A port known as a vendor debug or maintenance backdoor."""


@dataclass(frozen=True)
class PortList:
    tcp: tuple[PortHint, ...]
    udp: tuple[PortHint, ...]

    def hint(self, port: int, transport: Transport) -> PortHint | None:
        for hint in self.tcp if transport is Transport.TCP else self.udp:
            if hint.port == port:
                return hint
        return None


@functools.cache
def default_ports() -> PortList:
    data = load_yaml("ports.yaml")
    try:
        return PortList(_hints(data["tcp"], Transport.TCP), _hints(data["udp"], Transport.UDP))
    except (KeyError, TypeError, ValueError) as error:
        raise LiveDataError(f"data/live/ports.yaml: {type(error).__name__}: {error}") from error


def _hints(entries: list[dict[str, Any]], transport: Transport) -> tuple[PortHint, ...]:
    hints = tuple(
        PortHint(int(entry["port"]), transport, str(entry["service"]), bool(entry.get("debug", False)))
        for entry in entries
    )
    ports = [hint.port for hint in hints]
    if len(set(ports)) != len(ports) or not all(0 < port <= MAX_PORT for port in ports):
        raise ValueError(f"{transport} ports must be distinct and within 1-{MAX_PORT}")
    return hints


def parse_ports(text: str) -> tuple[int, ...]:
    """`22,80,8000-8100` -> the ports, sorted and distinct. A user error names the bad item."""
    ports: set[int] = set()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        low, _, high = item.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise InputError(f"--ports: {item!r} is not a port or a range like 8000-8100") from None
        if not 0 < first <= last <= MAX_PORT:
            raise InputError(f"--ports: {item!r} is outside 1-{MAX_PORT} (or the range is reversed)")
        ports.update(range(first, last + 1))
    if not ports:
        raise InputError("--ports: no port given")
    return tuple(sorted(ports))

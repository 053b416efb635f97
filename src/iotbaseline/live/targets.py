"""What the user names, and nothing else: IPv4 and IPv6 addresses, host names (resolved once, here),
and CIDR ranges up to a size cap. Everything the probe ever connects to comes from this list."""

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from iotbaseline.errors import InputError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_RANGE_CAP = 256
"""Addresses one range may hold without --allow-large-range (a /24)."""
LARGE_RANGE_CAP = 65536
"""The most even --allow-large-range accepts (a /16): a probe is not an Internet survey."""
_HOST_NAME = re.compile(r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9-]{1,63}\.?$")

Resolver = Callable[[str], list[str]]


class TargetError(InputError):
    """A target the probe refuses: not an address, name or range, too large, or not a device."""


@dataclass(frozen=True)
class Target:
    name: str
    """As the user wrote it (for a range: the range)."""
    address: str
    """The one IP address connected to."""


@dataclass(frozen=True)
class TargetSet:
    targets: tuple[Target, ...]

    @property
    def addresses(self) -> frozenset[str]:
        return frozenset(target.address for target in self.targets)


def parse_targets(
    names: Iterable[str], *, allow_large_range: bool = False, resolve: Resolver | None = None
) -> TargetSet:
    """Every name the user gave -> the addresses to probe, in order, each once. Raises TargetError
    naming the first item refused, before anything is contacted."""
    cap = LARGE_RANGE_CAP if allow_large_range else DEFAULT_RANGE_CAP
    found: dict[str, Target] = {}
    for raw in names:
        for target in _expand(raw.strip(), cap, allow_large_range, resolve or _resolve):
            found.setdefault(target.address, target)
    if not found:
        raise TargetError("no target given")
    if len(found) > LARGE_RANGE_CAP:
        raise TargetError(f"{len(found)} addresses named; at most {LARGE_RANGE_CAP} per probe")
    return TargetSet(tuple(found.values()))


def _expand(text: str, cap: int, allow_large: bool, resolve: Resolver) -> list[Target]:
    if not text:
        raise TargetError("an empty target")
    if "/" in text:
        return _range(text, cap, allow_large)
    address = _address(text)
    if address is not None:
        return [Target(text, str(_probeable(address, text)))]
    if not _HOST_NAME.match(text) or text.replace(".", "").isdigit():
        raise TargetError(f"{text!r} is not an IP address, a host name or a CIDR range")
    resolved = [addr for addr in (_address(item) for item in resolve(text)) if addr is not None]
    if not resolved:
        raise TargetError(f"{text!r} does not resolve to an address")
    first = sorted(resolved, key=lambda addr: addr.version)[0]  # IPv4 first: what consumer devices answer on
    return [Target(text, str(_probeable(first, text)))]


def _range(text: str, cap: int, allow_large: bool) -> list[Target]:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise TargetError(f"{text!r} is not a CIDR range such as 192.168.1.0/24") from None
    if network.num_addresses > cap:
        hint = "" if allow_large else "; add --allow-large-range to accept up to a /16"
        raise TargetError(f"{text} holds {network.num_addresses} addresses; the limit is {cap}{hint}")
    if network.is_multicast or network.is_unspecified or network.is_reserved:
        raise TargetError(f"{text!r} is not a range of device addresses (multicast, unspecified or reserved)")
    hosts = list(network.hosts()) if network.num_addresses > 2 else list(network)
    return [Target(text, str(address)) for address in hosts]


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _probeable(address: IPAddress, text: str) -> IPAddress:
    """Multicast, broadcast, unspecified and reserved addresses are not devices (255.255.255.255 is
    reserved too)."""
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        raise TargetError(f"{text!r} is not a device address (multicast, broadcast, unspecified or reserved)")
    return address


def _resolve(name: str) -> list[str]:
    try:
        answers = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetError(f"{name!r} cannot be resolved: {error}") from None
    return [str(answer[4][0]) for answer in answers]

"""SNMP agent configuration: the communities it answers (net-snmp's snmpd.conf `rocommunity`,
`rwcommunity`, `com2sec`; OpenWrt's /etc/config/snmpd; mini_snmpd's -c, `public` by default), from
where, and whether the agent listens beyond the loopback interface."""

import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from iotbaseline.services.device_files import DeviceFiles
from iotbaseline.services.model import BootService, How
from iotbaseline.services.shell_access import option_values
from iotbaseline.services.uci import UciStore

_LOOPBACK = ("127.", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class Community:
    community: str
    write: bool
    source: str
    """Who may use it (`default`: anyone)."""
    path: str
    line: int | None
    quoted: str


@dataclass(frozen=True)
class SnmpConfig:
    communities: tuple[Community, ...]
    local_only: bool
    """Every agentAddress is a loopback address: the agent is not reachable over the network."""
    files: tuple[str, ...]


def snmp_config(service: BootService, files: DeviceFiles, default_files: list[str]) -> SnmpConfig:
    if service.name == "mini_snmpd":
        return _mini_snmpd(service)
    paths = [p for value in option_values(service.words, "-c") for p in value.split(",")]
    paths = [p for p in (*paths, *default_files) if files.read_text(p) is not None]
    communities: list[Community] = []
    addresses: list[str] = [a for a in service.words[1:] if ":" in a and not a.startswith("-")]
    for path in dict.fromkeys(paths):
        found, listen = _snmpd_conf(files.read_text(path) or "", path)
        communities.extend(found)
        addresses.extend(listen)
    if service.how is How.PROCD:
        communities.extend(_uci_communities(UciStore(files)))
    local = bool(addresses) and all(_loopback(a) for a in addresses)
    return SnmpConfig(tuple(communities), local, tuple(dict.fromkeys(paths)))


def _snmpd_conf(text: str, path: str) -> tuple[list[Community], list[str]]:
    communities: list[Community] = []
    addresses: list[str] = []
    for number, raw in enumerate(text.split("\n"), 1):
        words = _words(raw)
        if not words:
            continue
        keyword = words[0].lower()
        if keyword in ("rocommunity", "rwcommunity", "rocommunity6", "rwcommunity6") and len(words) > 1:
            rest = [w for w in words[1:] if not w.startswith("-")]
            source = rest[1] if len(rest) > 1 else "default"
            communities.append(Community(rest[0], keyword.startswith("rw"), source, path, number, raw.strip()))
        elif keyword in ("com2sec", "com2sec6"):
            rest = [w for w in words[1:] if not w.startswith("-")]
            if len(rest) >= 3:
                communities.append(Community(rest[2], False, rest[1], path, number, raw.strip()))
        elif keyword == "agentaddress":
            addresses.extend(a for w in words[1:] for a in w.split(","))
    return communities, addresses


def _uci_communities(store: UciStore) -> Iterator[Community]:
    config = store.config("snmpd")
    if config is None:
        return
    for section in config.of_type("com2sec"):
        option = section.get("community")
        if option is not None:
            source = section.get("source")
            yield Community(
                option.value, False, source.value if source else "default", config.path, option.line, option.text
            )


def _mini_snmpd(service: BootService) -> SnmpConfig:
    given = option_values(service.words, "-c") + option_values(service.words, "--community")
    if given:
        return SnmpConfig(
            (Community(given[-1], False, "default", service.source, service.line, service.text),), False, ()
        )
    default = Community("public", False, "default", service.source, service.line, service.text)
    return SnmpConfig((default,), False, ())  # mini_snmpd answers "public" unless -c says otherwise


def _loopback(address: str) -> bool:
    host = address.split(":", 1)[1] if address.lower().startswith(("udp:", "tcp:", "udp6:", "tcp6:")) else address
    return host.startswith(_LOOPBACK)


def restricted_to_loopback(community: Community) -> bool:
    return community.source.startswith(_LOOPBACK)


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return line.split("#", 1)[0].split()

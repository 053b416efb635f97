"""Probing the named targets: every host at once, each port once, under one session (allow-list,
global rate, concurrency, timeouts, log). Returns what was seen as LiveHosts and what was tried."""

import asyncio
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from iotbaseline.live.fingerprints import default_fingerprints
from iotbaseline.live.followup import FollowUpOptions, follow_up
from iotbaseline.live.identify import Identifier
from iotbaseline.live.model import LiveHost, ObservedService, Transport
from iotbaseline.live.ports import PortHint, PortList, default_ports
from iotbaseline.live.portscan import probe_tcp_port, probe_udp_port
from iotbaseline.live.session import Attempt, ProbeLimits, ProbeSession
from iotbaseline.live.targets import Target, TargetSet

ALL_PORTS = tuple(range(1, 65536))
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class ProbeOptions:
    ports: tuple[int, ...] | None = None
    """TCP ports (--ports); None: the default consumer-device list."""
    all_ports: bool = False
    udp: bool = True
    """Ask the default list's UDP services their harmless question."""
    limits: ProbeLimits = field(default_factory=ProbeLimits)
    followup: FollowUpOptions = field(default_factory=FollowUpOptions)
    """The tests after the port scan: access without authentication, TLS, default credentials."""


@dataclass(frozen=True)
class ProbeResult:
    hosts: tuple[LiveHost, ...]
    attempts: tuple[Attempt, ...]
    seconds: float


def probe(targets: TargetSet, options: ProbeOptions | None = None, confine: Sequence[Network] = ()) -> ProbeResult:
    return asyncio.run(probe_async(targets, options or ProbeOptions(), confine))


async def probe_async(targets: TargetSet, options: ProbeOptions, confine: Sequence[Network] = ()) -> ProbeResult:
    started = time.monotonic()
    session = ProbeSession(targets, options.limits, confine)
    hosts = await asyncio.gather(*(_probe_host(session, target, options) for target in targets.targets))
    return ProbeResult(tuple(hosts), tuple(session.attempts), time.monotonic() - started)


async def _probe_host(session: ProbeSession, target: Target, options: ProbeOptions) -> LiveHost:
    started = time.monotonic()
    port_list = default_ports()
    selection, tcp_ports = _tcp_ports(options, port_list)
    identifier = Identifier(session, default_fingerprints())
    fingerprints = identifier.fingerprints
    tcp = [probe_tcp_port(session, identifier, target, port, port_list.hint(port, Transport.TCP)) for port in tcp_ports]
    udp_hints: tuple[PortHint, ...] = port_list.udp if options.udp else ()
    udp = [probe_udp_port(session, target, hint, fingerprints) for hint in udp_hints]
    found = await asyncio.gather(*tcp, *udp)
    services = sorted((s for s in found if s is not None), key=lambda s: (s.transport.value, s.port))
    unanswered = tuple(
        sorted(
            {
                a.port
                for a in session.attempts
                if a.address == target.address and a.purpose == "scan" and a.outcome == "timeout"
            }
        )
    )
    host = LiveHost(
        target=target.name,
        address=target.address,
        services=tuple(services),
        ports_tried=tcp_ports,
        udp_ports_tried=tuple(hint.port for hint in udp_hints),
        seconds=time.monotonic() - started,
        notes=_notes(services, unanswered),
        port_selection=selection,
        ports_unanswered=unanswered,
    )
    return await follow_up(session, target, host, options.followup)


def _tcp_ports(options: ProbeOptions, port_list: PortList) -> tuple[str, tuple[int, ...]]:
    if options.all_ports:
        return "all", ALL_PORTS
    if options.ports is not None:
        defaults = {hint.port for hint in port_list.tcp}
        return ("default" if defaults <= set(options.ports) else "custom"), tuple(sorted(set(options.ports)))
    return "default", tuple(hint.port for hint in port_list.tcp)


def _notes(services: list[ObservedService], unanswered: tuple[int, ...]) -> tuple[str, ...]:
    notes = []
    if unanswered:
        shown = ", ".join(map(str, unanswered[:20])) + (" ..." if len(unanswered) > 20 else "")
        notes.append(f"{len(unanswered)} TCP port(s) did not answer in time (filtered or slow): {shown}")
    unknown = [s.port for s in services if s.protocol == "unknown"]
    if unknown:
        notes.append("open but not identified: " + ", ".join(map(str, unknown)))
    return tuple(notes)

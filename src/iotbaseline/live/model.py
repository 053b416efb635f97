"""What probing a device establishes: its services as observed on the network, with the evidence."""

from dataclasses import dataclass, field
from enum import StrEnum

from iotbaseline.live.trials import AccessResult, CredentialRun, CredentialTrial, TlsScan
from iotbaseline.model import JSONValue


class Transport(StrEnum):
    TCP = "tcp"
    UDP = "udp"


@dataclass(frozen=True)
class ObservedService:
    """One open port and what answers on it."""

    host: str
    """The address probed (as the user named it, resolved to an IP address)."""
    port: int
    transport: Transport
    protocol: str
    """What speaks there: `telnet`, `ssh`, `http`, `ftp`, `mqtt`, `rtsp`, `upnp`, `adb`, `coap`, `snmp`...
    or `unknown`."""
    tls: bool = False
    """The service speaks TLS (HTTPS, MQTT over TLS...)."""
    product: str | None = None
    version: str | None = None
    banner: str = ""
    """What the service said unprompted or to our probe, printable, bounded."""
    evidence: dict[str, JSONValue] = field(default_factory=dict)
    """How it was identified (the probe sent, the bytes matched)."""

    @property
    def scheme(self) -> str:
        """The protocol as people name it: https, mqtts, ssh..."""
        if not self.tls or self.protocol == "tls":
            return self.protocol
        secure = {"http": "https", "mqtt": "mqtts", "rtsp": "rtsps", "ftp": "ftps"}
        return secure.get(self.protocol, f"{self.protocol}+tls")


@dataclass(frozen=True)
class LiveHost:
    """The device as probed: what was tried, what answered."""

    target: str
    """As the user named it."""
    address: str
    services: tuple[ObservedService, ...]
    ports_tried: tuple[int, ...] = ()
    udp_ports_tried: tuple[int, ...] = ()
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    """What was skipped or cut short, and why."""
    port_selection: str = "custom"
    """default (the consumer-device list of data/live/ports.yaml), all (1-65535) or custom (--ports)."""
    ports_unanswered: tuple[int, ...] = ()
    """TCP ports whose connection attempt timed out (filtered, or a device too slow to tell)."""
    credential_run: CredentialRun | None = None
    """Whether default credentials were tried (None: the probe had no credential phase)."""
    credentials: tuple[CredentialTrial, ...] = ()
    """One trial per login found on a service."""
    access: tuple[AccessResult, ...] = ()
    """Functions tested for access without authentication."""
    access_tested: bool = False
    """The access tests ran (False: skipped, or a probe without them)."""
    tls_scans: tuple[TlsScan, ...] = ()
    """The TLS configuration of each TLS service."""
    tls_tested: bool = False
    """The TLS scans ran (False: skipped with --no-tls-scan, or a probe without them)."""

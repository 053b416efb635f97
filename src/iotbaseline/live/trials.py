"""What the tests after the port scan established: default credentials tried, access without
authentication, the TLS configuration. Frozen data the probe phase fills and the live checks judge
(`LiveHost.credentials`, `.access`, `.tls_scans`); passwords are held in clear here and masked by
the checks (`checks/masking.py`) unless the report may reveal them."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from iotbaseline.model import JSONValue


@dataclass(frozen=True)
class CredentialRun:
    """Whether credential attempts were made on this host, and under which limits."""

    attempted: bool
    reason: str
    """Why they were made or not: `--i-own-this-device`, the profile's confirmation, `--no-credentials`..."""
    max_attempts: int = 0
    """Pairs tried per service at most."""
    delay: float = 0.0
    """Seconds between two attempts on one service."""


@dataclass(frozen=True)
class CredentialLogin:
    """A pair the service accepted."""

    user: str
    password: str
    proof: str
    """What the service answered that shows the login worked (sanitised, bounded)."""


@dataclass(frozen=True)
class LockoutSign:
    """The service started refusing or slowing down after failed logins (evidence for 5.1-5)."""

    after_failures: int
    kind: str
    """refused, reset, status, message or slowdown."""
    detail: str


@dataclass(frozen=True)
class CredentialTrial:
    """Default credentials tried against one login of one service."""

    port: int
    scheme: str
    """The service as people name it (telnet, ssh, http, https, mqtt, rtsp, ftp...)."""
    method: str
    """telnet-login, ssh-password, http-basic, http-digest, http-form, ftp-login, mqtt-connect, rtsp-basic,
    rtsp-digest."""
    where: str = ""
    """The realm, path or form action tried."""
    dictionary: str = ""
    """Which lists the pairs came from, in the order tried."""
    candidates: int = 0
    """Pairs in the ordered list for this service (the attempts are the first ones)."""
    attempts: int = 0
    """Pairs tried, not counting the control pair."""
    control_refused: bool | None = None
    """A random pair was tried first and refused (None: not tried). A service that accepts anything proves
    nothing about default passwords."""
    stopped: str = ""
    """success, lockout, cap (the attempt limit), exhausted (the list), unreliable (the control pair was
    accepted or the answers could not be told apart), errors, unsupported."""
    login: CredentialLogin | None = None
    lockout: LockoutSign | None = None
    failures: int = 0
    errors: int = 0
    seconds: float = 0.0
    users: tuple[str, ...] = ()
    """The distinct user names tried (passwords are not listed)."""
    note: str = ""


@dataclass(frozen=True)
class AccessResult:
    """One test of whether a function answers without authentication."""

    port: int
    scheme: str
    test: str
    """mqtt-subscribe, rtsp-describe, shell-without-login, upnp-igd, http-admin or adb-connect."""
    open: bool | None
    """True: reached without authentication; False: authentication was demanded; None: undecided."""
    summary: str
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)
    transport: str = "tcp"


@dataclass(frozen=True)
class CertificateFacts:
    """The leaf certificate a TLS service presented."""

    subject: str
    issuer: str
    not_before: str
    not_after: str
    """ISO 8601, UTC."""
    self_signed: bool
    key_type: str
    """rsa, ec, ed25519, ed448, dsa..."""
    key_bits: int
    signature_hash: str
    """sha256, sha1, md5... ('' when the scheme has none, as Ed25519)."""
    names: tuple[str, ...] = ()
    """Subject alternative names (DNS and IP) and the common name."""
    hostname_matches: bool | None = None
    """Whether a name matches the address or host name probed."""
    trusted_by: tuple[str, ...] = ()
    """Public trust stores that validated the chain (usually none for a device)."""
    sha256: str = ""


@dataclass(frozen=True)
class TlsScan:
    """The TLS configuration of one service."""

    port: int
    scheme: str
    scanner: str
    """What did the scan (sslyze and its version)."""
    completed: bool
    scanned_at: str
    """ISO 8601 UTC: when the certificate was judged valid or expired."""
    accepted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Protocol version (SSLv2, SSLv3, TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3) -> the cipher suites accepted (IANA
    names); a version absent was refused or not tested (see `tested`)."""
    tested: tuple[str, ...] = ()
    """The protocol versions the scan could test."""
    certificate: CertificateFacts | None = None
    connections: int = 0
    """Connections the scan opened."""
    error: str = ""

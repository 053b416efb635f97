"""The TLS configuration of every TLS service, scanned with sslyze (nassl's OpenSSL builds speak SSL 2.0
and 3.0, export and NULL suites that the system's OpenSSL refuses): the protocol versions and cipher
suites accepted, and the leaf certificate. sslyze runs in a worker thread and reaches the device only
through `TunnelProxy`, so its connections obey the session's allow-list, rate and log."""

import asyncio
import datetime
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from cryptography import x509

from iotbaseline.live.model import ObservedService
from iotbaseline.live.session import ProbeSession
from iotbaseline.live.targets import Target
from iotbaseline.live.tls_certificate import certificate_facts
from iotbaseline.live.tls_proxy import TunnelProxy
from iotbaseline.live.trials import TlsScan

if TYPE_CHECKING:
    from sslyze.scanner.models import AllScanCommandsAttempts

VERSIONS = ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
_RESULT_FIELDS = {
    "SSLv2": "ssl_2_0_cipher_suites",
    "SSLv3": "ssl_3_0_cipher_suites",
    "TLSv1.0": "tls_1_0_cipher_suites",
    "TLSv1.1": "tls_1_1_cipher_suites",
    "TLSv1.2": "tls_1_2_cipher_suites",
    "TLSv1.3": "tls_1_3_cipher_suites",
}
CONCURRENT_CONNECTIONS = 4
"""sslyze's connections to one device at once (small devices drop handshakes under load)."""


@dataclass
class _Outcome:
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    tested: list[str] = field(default_factory=list)
    leaf: x509.Certificate | None = None
    trusted_by: tuple[str, ...] = ()
    error: str = ""


def scanner_name() -> str:
    try:
        return f"sslyze {version('sslyze')}"
    except PackageNotFoundError:
        return "sslyze"


async def scan_tls_services(
    session: ProbeSession, target: Target, services: Sequence[ObservedService]
) -> tuple[TlsScan, ...]:
    """One scan per TLS service, one service after another."""
    return tuple([await scan_service(session, target, s) for s in services if s.tls or s.protocol == "tls"])


async def scan_service(session: ProbeSession, target: Target, service: ObservedService) -> TlsScan:
    hostname = target.address if target.name == target.address or "/" in target.name else target.name
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    timeout = max(1, round(session.limits.read_timeout * 2))
    async with TunnelProxy(session, target.address, service.port, hostname) as proxy:
        outcome = await asyncio.to_thread(_run_sslyze, hostname, service.port, proxy.port, timeout)
    names = tuple(dict.fromkeys((hostname, target.address)))
    certificate = certificate_facts(outcome.leaf, names, outcome.trusted_by) if outcome.leaf is not None else None
    return TlsScan(
        port=service.port,
        scheme=service.scheme,
        scanner=scanner_name(),
        completed=not outcome.error and len(outcome.tested) == len(VERSIONS),
        scanned_at=started,
        accepted=outcome.accepted,
        tested=tuple(outcome.tested),
        certificate=certificate,
        connections=proxy.tunnels,
        error=outcome.error,
    )


def _run_sslyze(hostname: str, port: int, proxy_port: int, timeout: int) -> _Outcome:
    """Blocking: sslyze's scanner with its threads; every error becomes the outcome's `error`."""
    from sslyze.plugins.scan_commands import ScanCommand
    from sslyze.scanner.models import ServerScanRequest
    from sslyze.scanner.scanner import Scanner
    from sslyze.server_setting import HttpProxySettings, ServerNetworkConfiguration, ServerNetworkLocation

    outcome = _Outcome()
    location = ServerNetworkLocation(hostname, port, http_proxy_settings=HttpProxySettings("127.0.0.1", proxy_port))
    configuration = ServerNetworkConfiguration(
        tls_server_name_indication=hostname, network_timeout=timeout, network_max_retries=1
    )
    commands = {getattr(ScanCommand, name.upper()) for name in _RESULT_FIELDS.values()} | {ScanCommand.CERTIFICATE_INFO}
    request = ServerScanRequest(server_location=location, network_configuration=configuration, scan_commands=commands)
    scanner = Scanner(per_server_concurrent_connections_limit=CONCURRENT_CONNECTIONS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sslyze's trust stores hold certificates cryptography warns about
        scanner.queue_scans([request])
        for done in scanner.get_results():
            if done.scan_result is None:
                outcome.error = f"no TLS connection: {_first_line(done.connectivity_error_trace)}"
                return outcome
            _read(done.scan_result, outcome)
    return outcome


def _read(result: "AllScanCommandsAttempts", outcome: _Outcome) -> None:
    for name, attribute in _RESULT_FIELDS.items():
        attempt = getattr(result, attribute)
        if attempt.result is None:
            outcome.error = outcome.error or f"{name}: {_first_line(attempt.error_trace) or attempt.error_reason}"
            continue
        outcome.tested.append(name)
        suites = tuple(accepted.cipher_suite.name for accepted in attempt.result.accepted_cipher_suites)
        if suites:
            outcome.accepted[name] = suites
    info = result.certificate_info
    if info.result is None or not info.result.certificate_deployments:
        return
    deployment = info.result.certificate_deployments[0]
    if deployment.received_certificate_chain:
        outcome.leaf = deployment.received_certificate_chain[0]
    outcome.trusted_by = tuple(
        sorted(
            {check.trust_store.name for check in deployment.path_validation_results if check.was_validation_successful}
        )
    )


def _first_line(trace: object) -> str:
    if trace is None:
        return ""
    text = "".join(trace.format_exception_only()) if hasattr(trace, "format_exception_only") else str(trace)
    return text.strip().splitlines()[-1][:200] if text.strip() else ""

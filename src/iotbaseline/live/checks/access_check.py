"""Access without authentication on a live device, judged from the probe's access tests: an MQTT
broker that lets anyone subscribe to every topic, a stream, a shell or an administration page without
login, an open ADB daemon fail EN 303 645 5.5-4; a UPnP gateway control that answers anyone fails
5.5-5. A pass of 5.5-4 needs every service found to have asked for credentials, on a probe that
covered every port."""

from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar

from iotbaseline.checks.base import Check, Need, ScanEvidence
from iotbaseline.live.access.settings import access_settings
from iotbaseline.live.checks.findings import host_finding, service_finding
from iotbaseline.live.checks.rules import FindingKind
from iotbaseline.live.checks.services_check import incomplete_coverage
from iotbaseline.live.model import LiveHost, ObservedService
from iotbaseline.live.trials import AccessResult
from iotbaseline.model import Finding, JSONValue

OPEN_KINDS = {
    "mqtt-subscribe": "mqtt-anonymous-subscribe",
    "rtsp-describe": "rtsp-open",
    "shell-without-login": "shell-without-login",
    "upnp-igd": "upnp-igd-open",
    "http-admin": "http-admin-open",
    "adb-connect": "adb-open",
}
DISCOVERY = frozenset({"ssdp", "ws-discovery"})
"""Answer anyone by design; the UPnP control behind SSDP is tested on its own."""


class LiveAccessCheck(Check):
    id: ClassVar[str] = "live.unauthenticated-access"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Device functions reachable without authentication"
    provisions: ClassVar[tuple[str, ...]] = tuple(
        dict.fromkeys(p for kind in access_settings().findings.values() for p in kind.provisions)
    )
    needs: ClassVar[frozenset[Need]] = frozenset({Need.LIVE})

    def examine(self, evidence: ScanEvidence) -> Iterable[Finding]:
        kinds = access_settings().findings
        for host in evidence.hosts:
            yield from self._host(host, kinds)

    def _host(self, host: LiveHost, kinds: Mapping[str, FindingKind]) -> Iterator[Finding]:
        if not host.access_tested:
            yield self._host_finding(kinds["access-untested"], host, "the access tests were skipped", {})
            return
        for result in host.access:
            if result.open is True and result.test in OPEN_KINDS:
                yield self._open(kinds[OPEN_KINDS[result.test]], host, result)
        blocker = why_no_pass(host)
        summary: dict[str, JSONValue] = {"tests": [_result_evidence(r) for r in host.access]}
        shown = "; ".join(f"{r.test} on {r.scheme}/{r.port}: {_state(r)}" for r in host.access[:12])
        if blocker is None:
            yield self._host_finding(kinds["access-required"], host, shown, summary)
        else:
            summary["not_a_pass"] = blocker
            yield self._host_finding(
                kinds["access-summary"], host, f"{shown or 'no test applied'}. Not a pass: {blocker}", summary
            )

    def _open(self, kind: FindingKind, host: LiveHost, result: AccessResult) -> Finding:
        return service_finding(
            self, kind, host.address, result.port, result.scheme, result.transport, result.summary,
            _result_evidence(result),
        )  # fmt: skip

    def _host_finding(self, kind: FindingKind, host: LiveHost, detail: str, evidence: dict[str, JSONValue]) -> Finding:
        return host_finding(self, kind, host.address, detail, evidence)


def why_no_pass(host: LiveHost) -> str | None:
    """Why 5.5-4 cannot pass on this host, or None when every service found asked for credentials."""
    opened = [r for r in host.access if r.open is True]
    if opened:
        return f"{len(opened)} function(s) answered without authentication"
    coverage = incomplete_coverage(host)
    if coverage is not None:
        return coverage
    unproven = [f"{s.scheme}/{s.port}" for s in host.services if not _asks_credentials(s, host.access)]
    if unproven:
        return "not shown to ask for credentials: " + ", ".join(unproven[:8])
    return None


def _asks_credentials(service: ObservedService, results: tuple[AccessResult, ...]) -> bool:
    evidence = service.evidence
    mine = [r for r in results if r.port == service.port and r.transport == service.transport.value]
    if service.protocol in DISCOVERY:
        return all(r.open is not True for r in mine)
    if service.protocol == "ssh":
        return True
    if service.protocol in ("telnet", "shell"):
        return evidence.get("prompt") in ("login", "password")
    if service.protocol == "mqtt":
        return evidence.get("connack") in (4, 5)
    if service.protocol in ("http", "rtsp", "adb"):
        return (bool(mine) and all(r.open is False for r in mine)) or _redirects_to_https(service)
    return False


def _redirects_to_https(service: ObservedService) -> bool:
    status, location = service.evidence.get("status"), str(service.evidence.get("location", ""))
    return isinstance(status, int) and 300 <= status < 400 and location.lower().startswith("https://")


def _state(result: AccessResult) -> str:
    return {True: "OPEN", False: "asks for credentials", None: "undecided"}[result.open]


def _result_evidence(result: AccessResult) -> dict[str, JSONValue]:
    return {
        "port": result.port,
        "transport": result.transport,
        "protocol": result.scheme,
        "test": result.test,
        "open": result.open,
        "summary": result.summary,
        **dict(result.evidence),
    }

"""The services a probe found on a live device, judged: logins and remote shells in clear text
(5.5-1, 5.5-7), debug interfaces (5.6-1), versions disclosed before authentication (5.6-2), and
the list of open services (5.6-1, for the assessor to compare with what the product needs). A PASS
only when the probe covered the whole port list and every service found encrypts."""

from collections.abc import Iterable, Iterator
from typing import ClassVar

from iotbaseline.checks.base import Check, Need, ScanEvidence
from iotbaseline.live.checks.findings import kind_finding, service_finding
from iotbaseline.live.checks.rules import FindingKind, ServiceRules, default_service_rules
from iotbaseline.live.model import LiveHost, ObservedService
from iotbaseline.model import Finding, JSONValue, Location

_CLEARTEXT = ("cleartext-login", "cleartext-admin", "cleartext-remote-access", "cleartext-data")
_KINDS = (*_CLEARTEXT, "debug-interface", "debug-port-open", "version-disclosure", "open-services")


class LiveServicesCheck(Check):
    id: ClassVar[str] = "live.services"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Network services of the device"
    provisions: ClassVar[tuple[str, ...]] = tuple(
        dict.fromkeys(p for key in _KINDS for p in default_service_rules().kind(key).provisions)
    )
    needs: ClassVar[frozenset[Need]] = frozenset({Need.LIVE})

    def examine(self, evidence: ScanEvidence) -> Iterable[Finding]:
        rules = default_service_rules()
        for host in evidence.hosts:
            yield from self._host(host, rules)

    def _host(self, host: LiveHost, rules: ServiceRules) -> Iterator[Finding]:
        cleartext = False
        for service in host.services:
            for key, detail in judge_service(service, rules):
                cleartext = cleartext or key in _CLEARTEXT
                yield self._finding(rules.kind(key), service, detail)
        yield self._summary(host, rules.kind("open-services"))
        reason = incomplete_coverage(host)
        if not cleartext and reason is None:
            yield self._pass(host, rules.kind("no-cleartext-service"))

    def _finding(self, kind: FindingKind, service: ObservedService, detail: str) -> Finding:
        transport = service.transport.value
        evidence: dict[str, JSONValue] = {"service": service_evidence(service)}
        return service_finding(self, kind, service.host, service.port, service.scheme, transport, detail, evidence)

    def _summary(self, host: LiveHost, kind: FindingKind) -> Finding:
        shown = ", ".join(f"{s.scheme}/{s.port}" for s in host.services[:12])
        more = f" and {len(host.services) - 12} more" if len(host.services) > 12 else ""
        title = (
            f"{kind.title} on {host.address}: {shown}{more}"
            if host.services
            else f"No open service found on {host.address}"
        )
        detail = f"{len(host.services)} open of {_tried(host)}"
        evidence = coverage_evidence(host) | {"services": [service_evidence(s) for s in host.services]}
        return kind_finding(self, kind, title, Location(host=host.address), detail, evidence)

    def _pass(self, host: LiveHost, kind: FindingKind) -> Finding:
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=kind.outcome,
            provisions=kind.provisions,
            severity=kind.severity,
            title=f"{kind.title} ({host.address}: {', '.join(s.scheme for s in host.services)})",
            location=Location(host=host.address),
            detail=f"{_tried(host)}: {kind.why}",
            evidence=coverage_evidence(host),
            discriminator=kind.key,
        )


def judge_service(service: ObservedService, rules: ServiceRules) -> list[tuple[str, str]]:
    """(finding kind, what was seen) for one service."""
    found: list[tuple[str, str]] = []
    category = None if service.tls else rules.category(service.protocol)
    said = f"{service.scheme} on {service.host} port {service.port}/{service.transport.value}"
    cleartext = _cleartext(service, category, said)
    if cleartext is not None:
        found.append(cleartext)
    if category == "debug":
        found.append(("debug-interface", f"{said} answers (a debug protocol)"))
    elif service.evidence.get("debug_port") and service.protocol in ("unknown", "shell", "telnet"):
        found.append(("debug-port-open", f"{said} is open (known vendor debug port)"))
    if service.version:
        what = f"{service.product} {service.version}"
        found.append(("version-disclosure", f"{said} says it runs {what} before any authentication"))
    return found


def _cleartext(service: ObservedService, category: str | None, said: str) -> tuple[str, str] | None:
    evidence = service.evidence
    if category == "login":
        return "cleartext-login", f"{said} greets with a login"
    if category == "remote-access":
        prompt = evidence.get("prompt")
        if prompt in ("login", "password"):
            return "cleartext-login", f"{said} asks for a {prompt}"
        return "cleartext-remote-access", f"{said} offers a {'shell' if prompt == 'shell' else 'session'}"
    if category == "web":
        return _web(service, said)
    if category == "stream":
        if "basic" in _schemes(service):
            return "cleartext-login", f"{said} asks for Basic authentication (the password in clear)"
        return "cleartext-data", f"{said} streams unencrypted"
    if category == "mqtt":
        if evidence.get("connack") in (4, 5):
            return "cleartext-login", f"{said} wants a user name and password, which MQTT without TLS sends in clear"
        return "cleartext-data", f"{said} carries messages unencrypted"
    if category == "data":
        return "cleartext-data", f"{said} answers unencrypted"
    return None


def _web(service: ObservedService, said: str) -> tuple[str, str] | None:
    status = service.evidence.get("status")
    location = str(service.evidence.get("location", ""))
    if isinstance(status, int) and 300 <= status < 400 and location.lower().startswith("https://"):
        return None  # plain HTTP only sends the browser to HTTPS
    schemes = _schemes(service)
    if "basic" in schemes or service.evidence.get("login_form"):
        how = "Basic authentication" if "basic" in schemes else "a login form"
        return "cleartext-login", f"{said} asks for {how} over plain HTTP"
    if schemes:
        return "cleartext-admin", f"{said} asks for {', '.join(schemes)} authentication over plain HTTP"
    return "cleartext-data", f"{said} serves pages over plain HTTP (status {status})"


def _schemes(service: ObservedService) -> list[str]:
    challenges = service.evidence.get("authentication")
    if not isinstance(challenges, list):
        return []
    return [str(c.get("scheme", "")) for c in challenges if isinstance(c, dict)]


def incomplete_coverage(host: LiveHost) -> str | None:
    """Why the probe cannot vouch for every service of the device, or None."""
    if host.port_selection not in ("default", "all"):
        return "only the ports named with --ports were probed"
    if host.ports_unanswered:
        return f"{len(host.ports_unanswered)} ports did not answer in time"
    if not host.services:
        return "no open service was found"
    if any(s.protocol in ("unknown", "tls") for s in host.services):
        return "an open service was not identified"
    return None


def _tried(host: LiveHost) -> str:
    udp = f" and {len(host.udp_ports_tried)} UDP" if host.udp_ports_tried else ""
    return f"{len(host.ports_tried)} TCP{udp} ports probed ({host.port_selection} list)"


def coverage_evidence(host: LiveHost) -> dict[str, JSONValue]:
    return {
        "target": host.target,
        "address": host.address,
        "port_selection": host.port_selection,
        "tcp_ports_tried": len(host.ports_tried),
        "udp_ports_tried": list(host.udp_ports_tried),
        "tcp_ports_unanswered": list(host.ports_unanswered),
        "notes": list(host.notes),
        "incomplete": incomplete_coverage(host) or "",
    }


def service_evidence(service: ObservedService) -> dict[str, JSONValue]:
    data: dict[str, JSONValue] = {
        "host": service.host,
        "port": service.port,
        "transport": service.transport.value,
        "protocol": service.scheme,
        "tls": service.tls,
        "product": service.product,
        "version": service.version,
        "banner": service.banner,
    }
    data.update({key: value for key, value in service.evidence.items() if key != "tls"})
    tls = service.evidence.get("tls")
    if isinstance(tls, dict):
        data["tls_session"] = {key: value for key, value in tls.items() if key != "certificate"}
        certificate = tls.get("certificate")
        if isinstance(certificate, dict):
            data["certificate"] = {key: value for key, value in certificate.items() if key != "der_hex"}
    return data

"""How a live check turns a finding kind and what it observed into a `Finding`: the kind gives outcome,
severity and provisions; the detail is followed by the kind's why and remediation."""

from collections.abc import Mapping

from iotbaseline.checks.base import Check
from iotbaseline.checks.finding_kinds import FindingKind
from iotbaseline.model import Finding, JSONValue, Location


def kind_finding(
    check: Check,
    kind: FindingKind,
    title: str,
    location: Location,
    detail: str,
    evidence: Mapping[str, JSONValue],
    discriminator: str = "",
) -> Finding:
    """A finding of `kind`; `discriminator` (after the kind's key) tells apart findings at one location."""
    return Finding(
        check=check.id,
        check_version=check.version,
        outcome=kind.outcome,
        provisions=kind.provisions,
        severity=kind.severity,
        title=title,
        location=location,
        detail=f"{detail}: {kind.why}. {kind.remediation}".strip(),
        evidence=dict(evidence),
        discriminator=f"{kind.key}:{discriminator}" if discriminator else kind.key,
    )


def host_finding(
    check: Check, kind: FindingKind, address: str, detail: str, evidence: Mapping[str, JSONValue]
) -> Finding:
    """A finding about a whole host, one of its kind per host."""
    title = f"{kind.title} on {address}"
    return kind_finding(check, kind, title, Location(host=address), detail, {"rule": kind.key, **evidence})


def service_finding(
    check: Check,
    kind: FindingKind,
    address: str,
    port: int,
    scheme: str,
    transport: str,
    detail: str,
    evidence: Mapping[str, JSONValue],
) -> Finding:
    """A finding about one service (a port and transport of a host), one of its kind per transport."""
    title = f"{kind.title}: {scheme} on port {port}/{transport}"
    location = Location(host=address, port=port, protocol=scheme)
    return kind_finding(check, kind, title, location, detail, {"rule": kind.key, **evidence}, transport)

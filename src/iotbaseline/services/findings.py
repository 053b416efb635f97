"""Findings of the service checks: one shape for all (where, the line quoted, why, what to do), the
provisions and severity coming from the rule data."""

from collections.abc import Mapping

from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity
from iotbaseline.services.model import BootService
from iotbaseline.services.rules import FindingKind

QUOTE_CHARS = 240


def service_finding(
    check: str,
    version: str,
    kind: FindingKind,
    *,
    image: str,
    path: str | None,
    line: int | None,
    quoted: str,
    detail: str,
    discriminator: str,
    evidence: Mapping[str, JSONValue] | None = None,
    extracted_path: str | None = None,
    offset: int | None = None,
    outcome: Outcome | None = None,
    severity: Severity | None = None,
    title: str | None = None,
) -> Finding:
    """`detail` says what was found; the rule's why and remediation follow it. A FAIL rule reported as
    INFO (the service starts only under a condition the firmware does not decide) says so in its title."""
    text = f"{detail}: {kind.why}."
    if kind.remediation:
        text += f" {kind.remediation}"
    data: dict[str, JSONValue] = {"rule": kind.key, "quoted": quoted.strip()[:QUOTE_CHARS], "why": kind.why}
    if kind.remediation:
        data["remediation"] = kind.remediation
    data.update(evidence or {})
    demoted = outcome is Outcome.INFO and kind.outcome is Outcome.FAIL
    return Finding(
        check=check,
        check_version=version,
        outcome=outcome or kind.outcome,
        provisions=kind.provisions,
        severity=severity or kind.severity,
        title=title or (f"{kind.title}, under a condition the firmware does not decide" if demoted else kind.title),
        location=Location(image=image, path=path, extracted_path=extracted_path, line=line, offset=offset),
        detail=text,
        evidence=data,
        discriminator=f"{kind.key}:{discriminator}",
    )


def service_evidence(service: BootService) -> dict[str, JSONValue]:
    """A boot service as evidence: what runs, from where, through which chain."""
    data: dict[str, JSONValue] = {
        "name": service.name,
        "program": service.program,
        "argv": list(service.argv),
        "source": service.source,
        "line": service.line,
        "how": service.how.value,
        "enabled": service.enabled,
    }
    if service.why_disabled:
        data["why_disabled"] = service.why_disabled
    if service.conditional:
        data["conditional"] = True
    if service.via:
        data["via"] = list(service.via)
    if service.tty:
        data["tty"] = service.tty
    if service.assignments:
        data["variables"] = [
            {"name": name, "value": value, "path": path, "line": line}
            for name, value, path, line in service.assignments
        ]
    return data


def started_by(service: BootService) -> str:
    """`/etc/init.d/rcS line 21` and, when it runs conditionally, a note saying so."""
    where = f"{service.source} line {service.line}" if service.line else service.source
    chain = f" (reached through {' -> '.join(service.via)})" if service.via else ""
    condition = ", when a condition the firmware alone does not decide holds" if service.conditional else ""
    return f"started at boot by {where}{chain}{condition}"

"""The SARIF 2.1.0 report, for code-scanning dashboards: one run, one rule per check, one result per failed finding.

File locations are relative URIs, percent-encoded from the original bytes of the name, against one of three base
ids declared in the run: EXTRACTED (the extraction output folder, from `Location.extracted_path`), ROOTFS (the
device's root filesystem, from `Location.path`) or INPUT (the folder of the scanned image, for a finding at an
offset in the image itself). A finding on a network service has a logical location (`host:port`) instead.
"""

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import Assessment, Finding, Location, Outcome, Severity
from iotbaseline.report.interface import ReportFormat
from iotbaseline.report.locations import service_text

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "iotbaselineFindingId/v1"
URI_RESERVED = ":/?#[]@!$&'()*+,;=%"
"""Characters a URL keeps as they are; anything else (spaces, controls, non-ASCII) is percent-encoded."""

LEVELS: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
"""GitHub code scanning's numeric `security-severity` rule property (CVSS-like bands)."""

URI_BASES: Mapping[str, str] = {
    "EXTRACTED": "The folder the firmware image was extracted into.",
    "ROOTFS": "The root filesystem of the device, as the device sees it.",
    "INPUT": "The folder holding the scanned firmware image.",
}


class SarifReport(ReportFormat):
    name = "sarif"
    file_name = "report.sarif"
    media_type = "application/sarif+json"
    description = "SARIF 2.1.0: failed findings as results, for code-scanning dashboards."

    def render(self, assessment: Assessment, catalogue: Catalogue) -> str:
        return json.dumps(sarif_log(assessment), indent=2) + "\n"


def sarif_log(assessment: Assessment) -> dict[str, Any]:
    rules = _rule_ids(assessment)
    failed = [f for f in assessment.findings if f.outcome is Outcome.FAIL]
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iotbaseline",
                        "version": assessment.tool_version,
                        "semanticVersion": assessment.tool_version,
                        "rules": [_rule(check, assessment) for check in rules],
                    }
                },
                "originalUriBaseIds": {key: {"description": {"text": text}} for key, text in URI_BASES.items()},
                "invocations": [{"executionSuccessful": True, "endTimeUtc": assessment.created}],
                "results": [_result(f, rules.index(f.check)) for f in failed],
                "properties": {"reportFormatVersion": assessment.format_version},
            }
        ],
    }


def _rule_ids(assessment: Assessment) -> list[str]:
    """Every check that ran or found something, sorted."""
    return sorted({run.check for run in assessment.checks} | {f.check for f in assessment.findings})


def _rule(check: str, assessment: Assessment) -> dict[str, Any]:
    findings = [f for f in assessment.findings if f.check == check]
    runs = [run for run in assessment.checks if run.check == check]
    provisions = sorted({p for f in findings for p in f.provisions} | {p for run in runs for p in run.provisions})
    properties: dict[str, Any] = {"provisions": provisions, "tags": ["security", *provisions]}
    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    if failed:
        worst = min(failed, key=lambda f: list(Severity).index(f.severity)).severity
        properties["security-severity"] = SECURITY_SEVERITY[worst]
    rule: dict[str, Any] = {"id": check, "shortDescription": {"text": check}, "properties": properties}
    if runs:
        rule["properties"]["checkVersion"] = runs[0].version
    return rule


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.check,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVELS[finding.severity],
        "message": {"text": finding.title or finding.check},
        "partialFingerprints": {FINGERPRINT_KEY: finding.id},
        "properties": {
            "findingId": finding.id,
            "provisions": list(finding.provisions),
            "severity": finding.severity.value,
            "evidence": dict(finding.evidence),
        },
    }
    location = _location(finding.location)
    if location:
        result["locations"] = [location]
    return result


def _location(location: Location) -> dict[str, Any]:
    sarif: dict[str, Any] = {}
    artifact = _artifact(location)
    if artifact is not None:
        physical: dict[str, Any] = {"artifactLocation": artifact}
        region = _region(location)
        if region:
            physical["region"] = region
        sarif["physicalLocation"] = physical
    service = service_text(location)
    if service:
        sarif["logicalLocations"] = [{"name": service, "fullyQualifiedName": service, "kind": "resource"}]
    return sarif


def _artifact(location: Location) -> dict[str, Any] | None:
    if location.extracted_path:
        return {"uri": relative_uri(location.extracted_path), "uriBaseId": "EXTRACTED"}
    if location.path:
        return {"uri": relative_uri(location.path), "uriBaseId": "ROOTFS"}
    if location.image:
        return {"uri": relative_uri(location.image), "uriBaseId": "INPUT"}
    if location.url:
        return {"uri": quote(location.url, safe=URI_RESERVED)}
    return None


def _region(location: Location) -> dict[str, int]:
    region = {}
    if location.line is not None:
        region["startLine"] = location.line
    if location.offset is not None:
        region["byteOffset"] = location.offset
    return region


def relative_uri(path: str) -> str:
    """A relative URI reference for a path: leading slashes dropped, every byte outside the unreserved set and `/`
    percent-encoded from the original bytes of the name (undecodable bytes included)."""
    raw = path.lstrip("/").encode("utf-8", "surrogateescape")
    return quote(raw, safe="/")

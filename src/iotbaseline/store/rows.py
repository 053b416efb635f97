"""A scan's results as table rows, and components back from them.

Strings from firmware reach the database here, so they are made storable first: a lone surrogate (a file name
that is not UTF-8) or a NUL (PostgreSQL's text cannot hold it) is written as an escape, and a number too big
for its column is left out, instead of failing the whole scan's record.
"""

import math
import re
from collections.abc import Mapping
from typing import Any

from iotbaseline.components.model import Component, Evidence, Method
from iotbaseline.model import CheckRun, Finding, JSONValue, Verdict
from iotbaseline.store.fingerprints import secret_fingerprint
from iotbaseline.store.schema import ComponentRow
from iotbaseline.vulndb.match import VulnerabilityMatch

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
INT32 = 2**31 - 1
INT64 = 2**63 - 1


def clean_text(value: str) -> str:
    """`value` unchanged unless it holds a NUL or a lone surrogate: those become `\\x00`, and `\\xff` for the
    undecodable byte a surrogate stands for (as reports show them)."""
    return _UNSTORABLE.sub(_escape, value)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the byte of a name read with surrogateescape
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def optional_text(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


def clean_json(value: Any) -> JSONValue:
    """`value` as JSON both databases store: clean strings, finite numbers, lists for tuples."""
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {clean_text(str(key)): clean_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(item) for item in value]
    return clean_text(str(value))


def bounded(value: int | None, limit: int) -> int | None:
    return value if value is not None and -limit - 1 <= value <= limit else None


def finding_row(scan_id: int, finding: Finding) -> dict[str, Any]:
    place = finding.location
    return {
        "scan_id": scan_id,
        "finding_id": finding.id,
        "check_id": finding.check,
        "check_version": finding.check_version,
        "outcome": finding.outcome.value,
        "severity": finding.severity.value,
        "title": clean_text(finding.title),
        "detail": clean_text(finding.detail),
        "provisions": list(finding.provisions),
        "image": optional_text(place.image),
        "path": optional_text(place.path),
        "extracted_path": optional_text(place.extracted_path),
        "byte_offset": bounded(place.offset, INT64),
        "line": bounded(place.line, INT32),
        "host": optional_text(place.host),
        "port": bounded(place.port, INT32),
        "protocol": None if place.protocol is None else clean_text(place.protocol)[:16],
        "url": optional_text(place.url),
        "discriminator": clean_text(finding.discriminator),
        "evidence": clean_json(finding.evidence),
        "secret_fingerprint": secret_fingerprint(finding),
    }


def verdict_row(scan_id: int, verdict: Verdict) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "standard": verdict.standard,
        "provision": verdict.provision,
        "verdict": verdict.verdict.value,
        "reason": clean_text(verdict.reason),
        "findings": list(verdict.findings),
    }


def check_row(scan_id: int, run: CheckRun) -> dict[str, Any]:
    return {
        "scan_id": scan_id,
        "check_id": run.check,
        "version": run.version,
        "status": run.status,
        "seconds": run.seconds if math.isfinite(run.seconds) else 0.0,
        "note": clean_text(run.note),
    }


def component_row(scan_id: int, image_id: int, image_name: str, component: Component) -> dict[str, Any]:
    name = clean_text(component.name)
    return {
        "scan_id": scan_id,
        "image_id": image_id,
        "image_name": clean_text(image_name),
        "key": clean_text(component.key),
        "name": name,
        "name_folded": name.casefold(),
        "version": optional_text(component.version),
        "distro_version": optional_text(component.distro_version),
        "type": component.type,
        "purl": clean_text(component.purl),
        "cpe": optional_text(component.cpe),
        "confidence": component.confidence,
        "evidence": [clean_json(e.to_dict()) for e in component.evidence],
    }


def vulnerability_row(scan_id: int, component_id: int | None, match: VulnerabilityMatch) -> dict[str, Any]:
    score = match.severity
    return {
        "scan_id": scan_id,
        "component_id": component_id,
        "component_name": clean_text(match.component),
        "component_version": clean_text(match.component_version),
        "cve": match.cve_id.upper(),
        "status": match.status.value,
        "kev": match.known_exploited,
        "severity": None if score is None else score.severity.lower()[:16] or None,
        "score": None if score is None else score.base_score,
        "not_affected": None if match.not_affected is None else clean_text(match.not_affected.justification),
    }


def component_from_row(row: ComponentRow) -> Component:
    return Component(
        key=row.key,
        name=row.name,
        version=row.version,
        type=row.type,
        purl=row.purl,
        cpe=row.cpe,
        confidence=row.confidence,
        evidence=tuple(_evidence(item) for item in row.evidence),
    )


def _evidence(item: Mapping[str, Any]) -> Evidence:
    return Evidence(
        method=Method(item["method"]),
        path=item["path"],
        matched=item["matched"],
        offset=item.get("offset"),
        sha256=item.get("sha256"),
        distro_version=item.get("distro_version"),
        package=item.get("package"),
        confidence=item.get("confidence", 0.0),
    )

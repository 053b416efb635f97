"""Reads NVD CVE JSON 2.0 items and CISA KEV items into records; unknown fields are ignored, missing ones reported."""

from collections.abc import Mapping, Sequence
from typing import Any

from iotbaseline.vulndb.errors import VulnDbError
from iotbaseline.vulndb.records import Configuration, CpeMatch, CveRecord, CvssScore, KevEntry, Node, Operator

JsonObject = Mapping[str, Any]


def _operator(value: object, where: str) -> Operator:
    if value is None:
        return Operator.OR
    try:
        return Operator(str(value).upper())
    except ValueError:
        raise VulnDbError(f"{where}: unknown operator {value!r} (expected AND or OR)") from None


def _english_description(cve: JsonObject) -> str:
    descriptions: Sequence[JsonObject] = cve.get("descriptions") or ()
    for entry in descriptions:
        if entry.get("lang") == "en":
            return str(entry.get("value", ""))
    return str(descriptions[0].get("value", "")) if descriptions else ""


def _cvss(metrics: JsonObject, *keys: str) -> CvssScore | None:
    """The NVD (Primary) score when there is one, else the first source's."""
    for key in keys:
        entries: Sequence[JsonObject] = metrics.get(key) or ()
        if not entries:
            continue
        chosen = next((e for e in entries if e.get("type") == "Primary"), entries[0])
        data: JsonObject = chosen.get("cvssData") or {}
        severity = data.get("baseSeverity") or chosen.get("baseSeverity") or ""
        return CvssScore(
            version=str(data.get("version", "")),
            base_score=float(data.get("baseScore", 0.0)),
            vector=str(data.get("vectorString", "")),
            severity=str(severity).upper(),
        )
    return None


def _optional(entry: JsonObject, key: str) -> str | None:
    value = entry.get(key)
    return None if value is None else str(value)


def _cpe_match(entry: JsonObject, where: str) -> CpeMatch:
    if "criteria" not in entry:
        raise VulnDbError(f"{where}: cpeMatch entry without 'criteria'")
    return CpeMatch(
        criteria=str(entry["criteria"]),
        vulnerable=bool(entry.get("vulnerable", False)),
        version_start_including=_optional(entry, "versionStartIncluding"),
        version_start_excluding=_optional(entry, "versionStartExcluding"),
        version_end_including=_optional(entry, "versionEndIncluding"),
        version_end_excluding=_optional(entry, "versionEndExcluding"),
        match_criteria_id=_optional(entry, "matchCriteriaId"),
    )


def _configuration(config: JsonObject, where: str) -> Configuration:
    nodes = tuple(
        Node(
            operator=_operator(node.get("operator"), where),
            negate=bool(node.get("negate", False)),
            matches=tuple(_cpe_match(m, where) for m in node.get("cpeMatch") or ()),
        )
        for node in config.get("nodes") or ()
    )
    return Configuration(
        operator=_operator(config.get("operator"), where), negate=bool(config.get("negate")), nodes=nodes
    )


def parse_cve(item: JsonObject) -> CveRecord:
    """One element of `vulnerabilities` (`{"cve": {...}}`) of an NVD API 2.0 response or 2.0 feed."""
    cve: JsonObject = item.get("cve", item)
    cve_id = cve.get("id")
    if not isinstance(cve_id, str) or not cve.get("lastModified"):
        raise VulnDbError(f"NVD record without 'id' or 'lastModified': {str(item)[:120]}")
    metrics: JsonObject = cve.get("metrics") or {}
    return CveRecord(
        id=cve_id,
        published=str(cve.get("published", "")),
        last_modified=str(cve["lastModified"]),
        description=_english_description(cve),
        status=str(cve.get("vulnStatus", "")),
        cvss_v3=_cvss(metrics, "cvssMetricV31", "cvssMetricV30"),
        cvss_v4=_cvss(metrics, "cvssMetricV40"),
        configurations=tuple(_configuration(c, cve_id) for c in cve.get("configurations") or ()),
    )


def parse_kev(item: JsonObject) -> KevEntry:
    """One element of `vulnerabilities` of CISA's KEV catalogue JSON."""
    if not isinstance(item.get("cveID"), str):
        raise VulnDbError(f"KEV entry without 'cveID': {str(item)[:120]}")

    def text(key: str) -> str:
        return str(item.get(key) or "")

    return KevEntry(
        cve_id=text("cveID"),
        vendor_project=text("vendorProject"),
        product=text("product"),
        vulnerability_name=text("vulnerabilityName"),
        date_added=text("dateAdded"),
        short_description=text("shortDescription"),
        required_action=text("requiredAction"),
        due_date=text("dueDate"),
        known_ransomware_campaign_use=text("knownRansomwareCampaignUse"),
        notes=text("notes"),
    )

"""CycloneDX 1.6 VEX through cyclonedx-python-lib: what we matched against NVD, and how each match stands.

The firmware is metadata.component and the matched components carry the bom-refs of `sbom.cdx.json`, so a consumer
joins the two documents. Each CVE is one vulnerability whose `affects` lists the matched components; its analysis:

- `not_affected` (or `false_positive`) when the manufacturer's VEX says so, with the justification when it is one of
  CycloneDX's values (otherwise the text is kept in the detail);
- `exploitable` when the match holds outright and CISA lists the CVE as known exploited;
- `in_triage` otherwise: a version match is not proof the vulnerable code is built in or reachable.

A CVE whose components stand differently (one not affected by statement, one not) is split into one entry per
analysis, so that every analysis holds for all the components its entry names.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from cyclonedx.model import Property, XsUri
from cyclonedx.model.component import Component as CdxComponent
from cyclonedx.model.impact_analysis import (
    ImpactAnalysisAffectedStatus,
    ImpactAnalysisJustification,
    ImpactAnalysisState,
)
from cyclonedx.model.vulnerability import (
    BomTarget,
    BomTargetVersionRange,
    Vulnerability,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6

from iotbaseline.components.model import Component
from iotbaseline.sbom.cyclonedx_bom import cyclonedx_components, firmware_bom
from iotbaseline.sbom.image import ImageInfo
from iotbaseline.vulndb.aliases import ProductAliases
from iotbaseline.vulndb.match import MatchStatus, NotAffected, VulnerabilityMatch, resolve_target
from iotbaseline.vulndb.records import CvssScore, KevEntry

NVD_DETAIL_URL = "https://nvd.nist.gov/vuln/detail/"
_NO_ALIASES = ProductAliases(())  # resolve_target's name and version do not depend on aliases
_JUSTIFICATIONS = {j.value: j for j in ImpactAnalysisJustification}
_METHODS = {
    "2.0": VulnerabilityScoreSource.CVSS_V2,
    "3.0": VulnerabilityScoreSource.CVSS_V3,
    "3.1": VulnerabilityScoreSource.CVSS_V3_1,
    "4.0": VulnerabilityScoreSource.CVSS_V4,
}
_STATEMENT_STATES = frozenset({ImpactAnalysisState.NOT_AFFECTED, ImpactAnalysisState.FALSE_POSITIVE})

ComponentKey = tuple[str, str]  # (name, version) as the matcher names a component


@dataclass(frozen=True)
class _Verdict:
    """The analysis a match receives; matches of one CVE with equal verdicts share a vulnerability entry."""

    state: ImpactAnalysisState
    statement: NotAffected | None = None


def cyclonedx_vex_json(components: Sequence[Component], matches: Sequence[VulnerabilityMatch], image: ImageInfo) -> str:
    """`components` must be the inventory the SBOM was written from, in the same order (the bom-refs depend on it).
    No matches gives a valid document without vulnerabilities: the statement that none were found."""
    bom = firmware_bom(image)
    built = cyclonedx_components(components)
    by_key: dict[ComponentKey, list[CdxComponent]] = {}
    for component, cdx in zip(components, built, strict=True):
        if target := resolve_target(component, _NO_ALIASES):
            by_key.setdefault((target.name, target.version), []).append(cdx)
    ordered = sorted(matches, key=lambda m: (m.cve_id, m.component, m.component_version))
    groups: dict[tuple[str, _Verdict], list[VulnerabilityMatch]] = {}
    for match in ordered:
        groups.setdefault((match.cve_id, _verdict(match)), []).append(match)
    referenced: set[str] = set()
    for index, ((cve_id, verdict), group) in enumerate(groups.items()):
        affects = _affects(group, verdict, by_key)
        referenced.update(target.ref for target in affects)
        bom.vulnerabilities.add(_vulnerability(f"vulnerability-{index}:{cve_id}", cve_id, verdict, group, affects))
    matched = [cdx for cdx in built if cdx.bom_ref.value in referenced]
    for cdx in matched:
        bom.components.add(cdx)
    if bom.metadata.component is not None:
        bom.register_dependency(bom.metadata.component, matched)
    bom.metadata.properties.add(Property(name="iotbaseline:vex:matches", value=str(len(matches))))
    return JsonV1Dot6(bom).output_as_string(indent=2)


def _verdict(match: VulnerabilityMatch) -> _Verdict:
    statement = match.not_affected
    if statement is not None:
        if _normalised(statement.justification) == ImpactAnalysisState.FALSE_POSITIVE.value:
            return _Verdict(ImpactAnalysisState.FALSE_POSITIVE, statement)
        return _Verdict(ImpactAnalysisState.NOT_AFFECTED, statement)
    if match.kev is not None and match.status is MatchStatus.AFFECTED:
        return _Verdict(ImpactAnalysisState.EXPLOITABLE)
    # A conditional match names a platform we could not see; calling it exploitable would claim what we do not know.
    return _Verdict(ImpactAnalysisState.IN_TRIAGE)


def _normalised(justification: str) -> str:
    return justification.strip().lower().replace("-", "_").replace(" ", "_")


def _affects(
    group: Sequence[VulnerabilityMatch], verdict: _Verdict, by_key: dict[ComponentKey, list[CdxComponent]]
) -> list[BomTarget]:
    targets = []
    for match in group:
        if verdict.state in _STATEMENT_STATES:
            status = ImpactAnalysisAffectedStatus.UNAFFECTED
        elif match.status is MatchStatus.AFFECTED:
            status = ImpactAnalysisAffectedStatus.AFFECTED
        else:
            status = ImpactAnalysisAffectedStatus.UNKNOWN
        # CycloneDX refuses a version range with neither a version nor a range.
        versions = (
            [BomTargetVersionRange(version=match.component_version, status=status)] if match.component_version else []
        )
        for cdx in by_key.get((match.component, match.component_version), ()):
            targets.append(BomTarget(ref=cdx.bom_ref.value or "", versions=versions))
    return targets


def _vulnerability(
    bom_ref: str, cve_id: str, verdict: _Verdict, group: Sequence[VulnerabilityMatch], affects: list[BomTarget]
) -> Vulnerability:
    first = group[0]  # the CVE's own facts (description, scores, KEV entry) are the same in every match of it
    nvd = VulnerabilitySource(name="NVD", url=XsUri(NVD_DETAIL_URL + cve_id))
    return Vulnerability(
        bom_ref=bom_ref,
        id=cve_id,
        source=nvd,
        ratings=[_rating(score, nvd) for score in dict.fromkeys(s for s in (first.severity, first.cvss_v4) if s)],
        description=first.description or None,
        recommendation=(first.kev.required_action or None) if first.kev else None,
        analysis=_analysis(verdict, group, first.kev),
        affects=affects,
        properties=_properties(verdict, group, first.kev),
    )


def _rating(score: CvssScore, source: VulnerabilitySource) -> VulnerabilityRating:
    try:
        severity = VulnerabilitySeverity(score.severity.lower())
    except ValueError:
        severity = VulnerabilitySeverity.UNKNOWN
    return VulnerabilityRating(
        source=source,
        score=Decimal(str(score.base_score)),
        severity=severity,
        method=_METHODS.get(score.version, VulnerabilityScoreSource.OTHER),
        vector=score.vector or None,
    )


def _analysis(verdict: _Verdict, group: Sequence[VulnerabilityMatch], kev: KevEntry | None) -> VulnerabilityAnalysis:
    if verdict.statement is not None:
        justification = _JUSTIFICATIONS.get(_normalised(verdict.statement.justification))
        return VulnerabilityAnalysis(
            state=verdict.state,
            justification=justification,
            detail=_statement_detail(verdict.statement, justification) or None,
        )
    lines = [_kev_detail(kev)] if kev else []
    if verdict.state is ImpactAnalysisState.IN_TRIAGE:
        lines.append("Matched by version against NVD's CPE configurations; not yet analysed for this firmware.")
    lines += _match_lines(group)
    return VulnerabilityAnalysis(state=verdict.state, detail="\n".join(lines))


def _statement_detail(statement: NotAffected, justification: ImpactAnalysisJustification | None) -> str:
    # A statement without a justification of its own carries the state as one (see vulndb.vex); nothing to keep.
    if justification is not None or _normalised(statement.justification) in {s.value for s in _STATEMENT_STATES}:
        return statement.detail
    return "\n".join(part for part in (f"Justification: {statement.justification}", statement.detail) if part)


def _kev_detail(kev: KevEntry) -> str:
    return (
        "Listed in CISA's Known Exploited Vulnerabilities catalogue: "
        f"date added {kev.date_added or 'not stated'}, due date {kev.due_date or 'not stated'}, "
        f"known ransomware campaign use: {kev.known_ransomware_campaign_use or 'not stated'}."
    )


def _component_label(match: VulnerabilityMatch) -> str:
    return f"{match.component} {match.component_version}"


def _match_lines(group: Sequence[VulnerabilityMatch]) -> list[str]:
    lines = []
    for match in group:
        label = _component_label(match)
        lines += [f"{label}: {reason.criteria} matched, {reason.constraint}" for reason in match.reasons]
        if match.conditions:
            lines.append(f"{label}: holds only {'; '.join(match.conditions)}")
    return lines


def _properties(verdict: _Verdict, group: Sequence[VulnerabilityMatch], kev: KevEntry | None) -> list[Property]:
    """The reason for each match, kept as data, so that a reader of the VEX alone can check our work."""
    properties = []
    for match in group:
        label = _component_label(match)
        properties.append(Property(name="iotbaseline:match:status", value=f"{label}: {match.status.value}"))
        properties += [
            Property(name="iotbaseline:match:reason", value=f"{label}: {reason.criteria}: {reason.constraint}")
            for reason in match.reasons
        ]
        properties += [
            Property(name="iotbaseline:match:condition", value=f"{label}: {condition}")
            for condition in match.conditions
        ]
    if kev is not None:
        properties += [
            Property(name="iotbaseline:kev:date_added", value=kev.date_added),
            Property(name="iotbaseline:kev:due_date", value=kev.due_date),
            Property(name="iotbaseline:kev:known_ransomware_campaign_use", value=kev.known_ransomware_campaign_use),
        ]
    if verdict.statement is not None:
        properties += [
            Property(name="iotbaseline:vex:justification", value=verdict.statement.justification),
            # The file's name only: its folder on the manufacturer's machine is no business of the VEX's readers.
            Property(name="iotbaseline:vex:source", value=PurePath(verdict.statement.source).name),
        ]
    return properties

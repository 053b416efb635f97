"""The verdict engine: catalogue + findings + check runs + profile -> one verdict per provision.

A pure function. The rules, in order, for a provision judged on its own evidence:
  1. a fail finding for it -> FAIL (when the profile claims support, the reason says the claim is
     contradicted, showing both sides; the verdict's `contradiction` says so for the report's list
     of contradictions, as do a rejected NOT APPLICABLE claim that the profile's own conditions
     contradict and a "not supported" declaration the evidence shows met);
  2. the profile claims it not applicable -> NOT APPLICABLE, only for a conditional provision,
     with a justification, and when the profile does not declare its condition true; otherwise the
     claim is rejected and the verdict stays INCONCLUSIVE, saying why;
  3. the profile declares one of its conditions false -> NOT APPLICABLE, quoting that declaration;
  4. the profile declares it not supported -> FAIL (the manufacturer's own statement);
  5. pass findings, and no check that evidences it failed or ran out of time -> PASS. Absence of
     findings is never a PASS: a pass finding says what a check looked at. A check skipped because
     the scan lacks its input (no device probed, no image) does not block it; the reason names it;
  6. otherwise INCONCLUSIVE, with the evidence an assessor still needs and the question to ask;
     info findings that cite the provision are listed there as hints to weigh (a component with a
     known vulnerability of unassessed exploitability, a fix that took years to ship).
A provision with no evidence of its own that maps onto others (EN 303 645 V3 onto V2, the Code of
Practice, the CRA and EN 18031 mappings) is judged through them; a PSTI requirement through its
Schedule 2 deemed-compliance routes (any one route met suffices).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import (
    CheckRun,
    EvidenceChannel,
    Finding,
    Obligation,
    Outcome,
    Provision,
    Verdict,
    VerdictValue,
)

PASS, FAIL, INCONCLUSIVE, NOT_APPLICABLE = (
    VerdictValue.PASS,
    VerdictValue.FAIL,
    VerdictValue.INCONCLUSIVE,
    VerdictValue.NOT_APPLICABLE,
)
# Judged first, on their own evidence, so that what maps onto them can be judged next.
_ORDER = ("EN303645", "ISO29147", "EN303645-V3", "PSTI", "COP2018", "CRA", "EN18031")
_MISSING_BY_CHANNEL = {
    EvidenceChannel.FIRMWARE: "an examination of the firmware image for this provision",
    EvidenceChannel.LIVE: "a test of the device on a network",
    EvidenceChannel.DOCUMENTS: "the published document that shows it (its URL in the profile)",
    EvidenceChannel.DECLARATION: "the manufacturer's declaration with its supporting evidence (ICS/IXIT)",
}
_SHOWN_FINDINGS = 3


class Claim(Protocol):
    @property
    def support(self) -> str: ...  # supported, not-supported or not-applicable
    @property
    def justification(self) -> str: ...
    @property
    def line(self) -> int: ...


class Profile(Protocol):
    def condition_holds(self, standard: str, code: str) -> bool | None: ...
    def claim(self, qualified_id: str) -> Claim | None: ...


class _Evidence:
    def __init__(self, findings: Iterable[Finding], checks: Iterable[CheckRun]) -> None:
        self.fails: dict[str, list[Finding]] = defaultdict(list)
        self.passes: dict[str, list[Finding]] = defaultdict(list)
        self.hints: dict[str, list[Finding]] = defaultdict(list)
        self.checks: dict[str, list[CheckRun]] = defaultdict(list)
        for finding in findings:
            target = {Outcome.FAIL: self.fails, Outcome.PASS: self.passes, Outcome.INFO: self.hints}.get(
                finding.outcome
            )
            if target is not None:
                for provision in finding.provisions:
                    target[provision].append(finding)
        for check in checks:
            for provision in check.provisions:
                self.checks[provision].append(check)

    def has_own(self, qualified_id: str) -> bool:
        return bool(
            self.fails[qualified_id]
            or self.passes[qualified_id]
            or self.hints[qualified_id]
            or self.checks[qualified_id]
        )


def assess(
    catalogue: Catalogue,
    findings: Sequence[Finding],
    checks: Sequence[CheckRun],
    profile: Profile | None = None,
    standards: Sequence[str] | None = None,
) -> tuple[Verdict, ...]:
    evidence = _Evidence(findings, checks)
    wanted = set(standards or catalogue.standards())
    judged: dict[str, Verdict] = {}
    for standard in sorted(catalogue.standards(), key=lambda key: (*_ORDER, key).index(key)):
        for provision in catalogue.provisions(standard):
            judged[provision.qualified_id] = _judge(provision, catalogue, evidence, profile, judged)
    return tuple(verdict for verdict in judged.values() if verdict.standard in wanted)


def _judge(
    provision: Provision,
    catalogue: Catalogue,
    evidence: _Evidence,
    profile: Profile | None,
    judged: Mapping[str, Verdict],
) -> Verdict:
    qid = provision.qualified_id
    if provision.standard == "PSTI" and not evidence.fails[qid]:
        return _through_routes(provision, catalogue, judged)
    if not evidence.has_own(qid) and provision.maps_to and _claim(profile, qid) is None:
        return _through_mapping(provision, judged)
    return _on_own_evidence(provision, catalogue, evidence, profile)


def _claim(profile: Profile | None, qid: str) -> Claim | None:
    return profile.claim(qid) if profile is not None else None


def _verdict(
    provision: Provision,
    value: VerdictValue,
    reason: str,
    findings: tuple[str, ...] = (),
    missing_evidence: tuple[str, ...] = (),
    question: str = "",
    contradiction: str = "",
) -> Verdict:
    return Verdict(provision.standard, provision.id, value, reason, findings, missing_evidence, question, contradiction)


def _on_own_evidence(
    provision: Provision, catalogue: Catalogue, evidence: _Evidence, profile: Profile | None
) -> Verdict:
    qid = provision.qualified_id
    claim = _claim(profile, qid)
    fails = evidence.fails[qid]
    if fails:
        reason = _titles(fails)
        contradiction = ""
        if claim is not None and claim.support in ("supported", "not-applicable"):
            declared = "claims support" if claim.support == "supported" else "claims it not applicable"
            reason = f"the profile {declared} (line {claim.line}), but the evidence shows: {reason}"
            contradiction = reason
        return _verdict(provision, FAIL, reason, findings=_ids(fails), contradiction=contradiction)
    if claim is not None and claim.support == "not-applicable":
        rejected = _rejected_not_applicable(provision, catalogue, claim, profile)
        if rejected is None:
            return _verdict(
                provision, NOT_APPLICABLE, f"declared not applicable (profile line {claim.line}): {claim.justification}"
            )
        verdict = _inconclusive(provision, evidence, claim, prefix=f"{rejected}; ")
        return replace(verdict, contradiction=rejected) if "although the profile declares" in rejected else verdict
    declared_false = _condition_declared_false(provision, catalogue, profile)
    if declared_false is not None:
        return _verdict(provision, NOT_APPLICABLE, declared_false)
    passes = evidence.passes[qid]
    if claim is not None and claim.support == "not-supported":
        kind = "a mandatory" if provision.obligation is Obligation.MANDATORY else "a recommended"
        note = f": {claim.justification}" if claim.justification else ""
        reason = f"the profile declares {kind} provision not supported (line {claim.line}){note}"
        contradiction = f"{reason}, but the evidence shows it met: {_titles(passes)}" if passes else ""
        return _verdict(provision, FAIL, reason, contradiction=contradiction)
    failed = [c for c in evidence.checks[qid] if c.status not in ("ran", "skipped")]
    if passes and not failed:
        reason = _titles(passes)
        skipped = [c for c in evidence.checks[qid] if c.status == "skipped"]
        if skipped:
            reason += "; not examined: " + "; ".join(f"{c.check} ({c.note})" for c in skipped)
        return _verdict(provision, PASS, reason, findings=_ids(passes))
    return _inconclusive(provision, evidence, claim)


def _rejected_not_applicable(
    provision: Provision, catalogue: Catalogue, claim: Claim, profile: Profile | None
) -> str | None:
    """Why a NOT APPLICABLE claim cannot stand (EN 303 645 Annex B), or None when it can."""
    if not claim.justification.strip():
        return f"NOT APPLICABLE claimed without a justification (profile line {claim.line}): rejected"
    if not provision.conditional:
        return f"NOT APPLICABLE claimed for an unconditional provision (profile line {claim.line}): rejected"
    if profile is not None and all(profile.condition_holds(provision.standard, c) for c in provision.conditions):
        meaning = _conditions_text(provision, catalogue)
        return f"NOT APPLICABLE claimed although the profile declares {meaning} (line {claim.line}): rejected"
    return None


def _condition_declared_false(provision: Provision, catalogue: Catalogue, profile: Profile | None) -> str | None:
    if profile is None or not provision.conditional:
        return None
    conditions = catalogue.conditions(provision.standard)
    for code in provision.conditions:
        if profile.condition_holds(provision.standard, code) is False:
            meaning = conditions.get(code, f"condition {code}")
            return f"applies only where {meaning}; the profile declares it does not (condition {code})"
    return None


def _conditions_text(provision: Provision, catalogue: Catalogue) -> str:
    conditions = catalogue.conditions(provision.standard)
    return " and ".join(conditions.get(code, f"condition {code}") for code in provision.conditions)


def _inconclusive(provision: Provision, evidence: _Evidence, claim: Claim | None, prefix: str = "") -> Verdict:
    qid = provision.qualified_id
    checks = evidence.checks[qid]
    missing = [f"{c.check} did not run: {c.note or c.status}" for c in checks if c.status != "ran"]
    if not evidence.passes[qid] and not any(c.status == "ran" for c in checks):
        missing.extend(_MISSING_BY_CHANNEL[channel] for channel in provision.channels)
    if not provision.channels and not missing:
        missing.append(_MISSING_BY_CHANNEL[EvidenceChannel.DECLARATION])
    claimed = f"the profile claims support (line {claim.line}); " if claim and claim.support == "supported" else ""
    reason = f"{prefix}{claimed}no evidence decides it yet"
    hints = evidence.hints[qid]
    if hints:
        reason += f"; to weigh: {_titles(hints)}"
    question = f"How does the product meet {provision.standard} {provision.id} ({provision.title})? "
    question += "Point to the evidence: document, test report or the part of the firmware."
    return _verdict(
        provision,
        INCONCLUSIVE,
        reason,
        findings=_ids(hints),
        missing_evidence=tuple(dict.fromkeys(missing)),
        question=question,
    )


def _through_mapping(provision: Provision, judged: Mapping[str, Verdict]) -> Verdict:
    mapped = [judged[qid] for qid in provision.maps_to if qid in judged]
    basis = "" if provision.confirmed else " (indicative mapping)"
    failed = [v for v in mapped if v.verdict is FAIL]
    if failed:
        reason = "; ".join(f"{v.standard} {v.provision}: {v.reason}" for v in failed[:_SHOWN_FINDINGS])
        return _verdict(provision, FAIL, reason + basis, findings=_union(v.findings for v in failed))
    settled = [v for v in mapped if v.verdict in (PASS, NOT_APPLICABLE)]
    if mapped and len(settled) == len(mapped) and any(v.verdict is PASS for v in mapped):
        return _verdict(
            provision,
            PASS,
            "met through " + ", ".join(f"{v.standard} {v.provision}" for v in mapped) + basis,
            findings=_union(v.findings for v in mapped),
        )
    open_items = [v for v in mapped if v.verdict is INCONCLUSIVE]
    return _verdict(
        provision,
        INCONCLUSIVE,
        f"{len(open_items)} of {len(mapped)} mapped provisions undecided{basis}",
        missing_evidence=tuple(f"{v.standard} {v.provision}: {v.reason}" for v in open_items),
        question=f"Provide the evidence for the mapped provisions of {provision.standard} {provision.id}.",
    )


def _through_routes(provision: Provision, catalogue: Catalogue, judged: Mapping[str, Verdict]) -> Verdict:
    """PSTI Schedule 2: deemed compliant when every provision of any one route is met (a
    NOT APPLICABLE one counts as met: 5.1-2 applies only where passwords are pre-installed)."""
    routes = catalogue.deemed_compliance(provision.id)
    outcomes = []
    for route in routes:
        verdicts = [judged[qid] for qid in route.all_of if qid in judged]
        met = len(verdicts) == len(route.all_of) and all(v.verdict in (PASS, NOT_APPLICABLE) for v in verdicts)
        outcomes.append((route, verdicts, met and any(v.verdict is PASS for v in verdicts)))
    for _, verdicts, met in outcomes:
        if met:
            names = ", ".join(f"{v.standard} {v.provision} {v.verdict.value}" for v in verdicts)
            return _verdict(
                provision, PASS, f"deemed compliant through {names}", findings=_union(v.findings for v in verdicts)
            )
    if outcomes and all(any(v.verdict is FAIL for v in verdicts) for _, verdicts, _ in outcomes):
        failed = [v for _, verdicts, _ in outcomes for v in verdicts if v.verdict is FAIL]
        reason = "; ".join(f"{v.standard} {v.provision}: {v.reason}" for v in failed[:_SHOWN_FINDINGS])
        return _verdict(provision, FAIL, reason, findings=_union(v.findings for v in failed))
    undecided = [v for _, verdicts, _ in outcomes for v in verdicts if v.verdict is INCONCLUSIVE]
    return _verdict(
        provision,
        INCONCLUSIVE,
        "no deemed-compliance route is decided yet",
        missing_evidence=tuple(
            dict.fromkeys(f"{v.standard} {v.provision}: {m}" for v in undecided for m in v.missing_evidence)
        ),
        question=f"Show how the product meets PSTI Schedule 1 paragraph {provision.id} ({provision.title}).",
    )


def _titles(findings: Sequence[Finding]) -> str:
    shown = "; ".join(f.title for f in findings[:_SHOWN_FINDINGS])
    more = len(findings) - _SHOWN_FINDINGS
    return shown + (f"; and {more} more" if more > 0 else "")


def _ids(findings: Sequence[Finding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.id for f in findings))


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for group in groups for i in group))

"""The Assessment as a reader meets it: what the human-readable formats (HTML, Markdown, JUnit) show, worked out once.

PSTI's three requirements first, then each standard's verdicts counted and grouped by clause in catalogue order,
each verdict with the findings that decided it. Titles come from the catalogue; a verdict or standard the
catalogue does not know is still shown, under its own id.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from iotbaseline.catalogue import Catalogue, CatalogueError
from iotbaseline.model import Assessment, Finding, Obligation, Outcome, Provision, Severity, Verdict, VerdictValue

PSTI = "PSTI"
FIRST_STANDARDS = (PSTI, "EN303645", "EN303645-V3", "CRA")
"""Shown first, in this order: UK law, the standard it cites (and its successor), EU law."""

VERDICT_ORDER = (VerdictValue.FAIL, VerdictValue.INCONCLUSIVE, VerdictValue.PASS, VerdictValue.NOT_APPLICABLE)

VERDICT_LABELS: Mapping[VerdictValue, str] = {
    VerdictValue.PASS: "PASS",
    VerdictValue.FAIL: "FAIL",
    VerdictValue.INCONCLUSIVE: "INCONCLUSIVE",
    VerdictValue.NOT_APPLICABLE: "N/A",
}
VERDICT_WORDS: Mapping[VerdictValue, str] = {
    VerdictValue.PASS: "met",
    VerdictValue.FAIL: "not met",
    VerdictValue.INCONCLUSIVE: "not decided: evidence is missing",
    VerdictValue.NOT_APPLICABLE: "does not apply to this product",
}

SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
OUTCOME_ORDER = (Outcome.FAIL, Outcome.ERROR, Outcome.INFO, Outcome.PASS)
PRODUCT_NAME_KEYS = ("name", "model", "product")


def qualified_provision(verdict: Verdict) -> str:
    """`EN303645:5.1-1`, whether the verdict names its provision with or without the standard."""
    if verdict.provision.startswith(f"{verdict.standard}:"):
        return verdict.provision
    return f"{verdict.standard}:{verdict.provision}"


def local_provision(verdict: Verdict) -> str:
    """`5.1-1`: the provision's id within its standard."""
    return qualified_provision(verdict).removeprefix(f"{verdict.standard}:")


@dataclass(frozen=True)
class JudgedProvision:
    """One verdict with its catalogue entry (None when the catalogue lacks it) and the findings that decided it."""

    verdict: Verdict
    provision: Provision | None
    findings: tuple[Finding, ...]
    unknown_findings: tuple[str, ...]
    """Ids the verdict cites that the assessment does not hold."""
    condition: str = ""
    """What a conditional provision depends on, in words: `the device uses passwords`."""

    @property
    def qualified_id(self) -> str:
        return qualified_provision(self.verdict)

    @property
    def local_id(self) -> str:
        return local_provision(self.verdict)

    @property
    def title(self) -> str:
        return self.provision.title if self.provision else ""

    @property
    def clause(self) -> str:
        return self.provision.clause if self.provision else ""

    @property
    def mandatory(self) -> bool:
        """Mandatory in its standard; a provision the catalogue lacks counts as mandatory (fail safe)."""
        return self.provision is None or self.provision.obligation is Obligation.MANDATORY

    @property
    def status(self) -> str:
        """The standard's status code (`M C (1)`) or, lacking one, the obligation in words."""
        if self.provision is None:
            return ""
        return self.provision.status or self.provision.obligation.value

    @property
    def obligation_text(self) -> str:
        """`Mandatory if the device uses passwords`, `Recommended`; empty when the catalogue lacks the provision."""
        if self.provision is None:
            return ""
        word = self.provision.obligation.value.capitalize()
        return f"{word} if {self.condition}" if self.condition else word

    @property
    def value(self) -> VerdictValue:
        return self.verdict.verdict

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict.verdict]

    @property
    def words(self) -> str:
        return VERDICT_WORDS[self.verdict.verdict]


@dataclass(frozen=True)
class ClauseGroup:
    clause: str
    title: str
    provisions: tuple[JudgedProvision, ...]


@dataclass(frozen=True)
class StandardSection:
    """One standard's verdicts: counted, and grouped by clause in the order the standard lists its provisions."""

    key: str
    title: str
    version: str
    clauses: tuple[ClauseGroup, ...]

    @property
    def provisions(self) -> tuple[JudgedProvision, ...]:
        return tuple(p for group in self.clauses for p in group.provisions)

    @property
    def counts(self) -> Mapping[VerdictValue, int]:
        """Every verdict value, with zero for those absent, in `VERDICT_ORDER`."""
        found = Counter(p.value for p in self.provisions)
        return {value: found[value] for value in VERDICT_ORDER}


@dataclass(frozen=True)
class PstiRequirement:
    """One of the three PSTI security requirements, judged or not."""

    provision: Provision
    heading: str
    """The requirement in a few words, e.g. Passwords."""
    judged: JudgedProvision | None
    """None when the assessment holds no verdict on it."""


@dataclass(frozen=True)
class AssessmentView:
    assessment: Assessment
    psti: tuple[PstiRequirement, ...]
    standards: tuple[StandardSection, ...]
    findings_by_id: Mapping[str, Finding]

    @property
    def provisions(self) -> tuple[JudgedProvision, ...]:
        return tuple(p for section in self.standards for p in section.provisions)

    def with_verdict(self, value: VerdictValue) -> tuple[JudgedProvision, ...]:
        return tuple(p for p in self.provisions if p.value is value)

    @property
    def psti_overall(self) -> VerdictValue | None:
        """FAIL if any requirement fails, PASS if all three pass or do not apply, INCONCLUSIVE otherwise;
        None when PSTI was not judged at all."""
        judged = [r.judged for r in self.psti if r.judged is not None]
        if not judged:
            return None
        values = {j.value for j in judged}
        if VerdictValue.FAIL in values:
            return VerdictValue.FAIL
        if len(judged) == len(self.psti) and values <= {VerdictValue.PASS, VerdictValue.NOT_APPLICABLE}:
            return VerdictValue.PASS
        return VerdictValue.INCONCLUSIVE

    @property
    def contradictions(self) -> tuple[JudgedProvision, ...]:
        """Provisions where the manufacturer's declaration and the evidence disagree: shown before anything else."""
        return tuple(p for p in self.provisions if p.verdict.contradiction)

    @property
    def problems(self) -> tuple[Finding, ...]:
        """Findings with outcome fail, the most severe first."""
        return tuple(f for f in self.findings_in_order if f.outcome is Outcome.FAIL)

    @property
    def observations(self) -> tuple[Finding, ...]:
        """Every other finding (error, info, pass)."""
        return tuple(f for f in self.findings_in_order if f.outcome is not Outcome.FAIL)

    @property
    def findings_in_order(self) -> tuple[Finding, ...]:
        return tuple(
            sorted(
                self.assessment.findings,
                key=lambda f: (OUTCOME_ORDER.index(f.outcome), SEVERITY_ORDER.index(f.severity), f.check, f.title),
            )
        )

    @property
    def product_name(self) -> str:
        key = self.product_name_key
        if key is not None:
            return str(self.assessment.product[key])
        return self.assessment.inputs[0].path if self.assessment.inputs else "Unnamed product"

    @property
    def product_name_key(self) -> str | None:
        """The product field that names the product (name, model), if the profile gives one."""
        product = self.assessment.product
        return next((k for k in PRODUCT_NAME_KEYS if isinstance(product.get(k), str) and product[k]), None)


def view_of(assessment: Assessment, catalogue: Catalogue) -> AssessmentView:
    findings_by_id = {f.id: f for f in assessment.findings}
    judged = [_judge(verdict, catalogue, findings_by_id) for verdict in assessment.verdicts]
    standards = tuple(
        _standard_section(key, [j for j in judged if j.verdict.standard == key], catalogue)
        for key in _standards_in_order(assessment, catalogue)
    )
    return AssessmentView(
        assessment=assessment,
        psti=_psti_requirements(judged, catalogue),
        standards=standards,
        findings_by_id=findings_by_id,
    )


def _judge(verdict: Verdict, catalogue: Catalogue, findings_by_id: Mapping[str, Finding]) -> JudgedProvision:
    try:
        provision: Provision | None = catalogue.get(qualified_provision(verdict))
    except CatalogueError:
        provision = None
    return JudgedProvision(
        verdict=verdict,
        provision=provision,
        findings=tuple(findings_by_id[i] for i in verdict.findings if i in findings_by_id),
        unknown_findings=tuple(i for i in verdict.findings if i not in findings_by_id),
        condition=_condition_text(provision, catalogue) if provision else "",
    )


def _condition_text(provision: Provision, catalogue: Catalogue) -> str:
    meanings = catalogue.conditions(provision.standard)
    return " and ".join(meanings.get(code, f"condition {code} holds") for code in provision.conditions)


def _standards_in_order(assessment: Assessment, catalogue: Catalogue) -> tuple[str, ...]:
    """The judged standards: the law first, then the standard it cites, then the rest in catalogue order, then any
    the catalogue lacks."""
    judged = {v.standard for v in assessment.verdicts}
    known = [key for key in catalogue.standards() if key in judged]
    known.sort(key=lambda key: FIRST_STANDARDS.index(key) if key in FIRST_STANDARDS else len(FIRST_STANDARDS))
    unknown = sorted(judged - set(known))
    return (*known, *unknown)


def _standard_section(key: str, judged: list[JudgedProvision], catalogue: Catalogue) -> StandardSection:
    try:
        standard = catalogue.standard(key)
    except CatalogueError:
        return StandardSection(key=key, title=key, version="", clauses=(ClauseGroup("", "", tuple(judged)),))
    order = {p.qualified_id: index for index, p in enumerate(standard.provisions)}
    judged = sorted(judged, key=lambda j: (order.get(j.qualified_id, len(order)), j.local_id))
    clause_order: list[str] = []
    for j in judged:
        if j.clause not in clause_order:
            clause_order.append(j.clause)
    groups = tuple(
        ClauseGroup(
            clause=clause,
            title=standard.clauses.get(clause, "" if clause else "Not in the catalogue"),
            provisions=tuple(j for j in judged if j.clause == clause),
        )
        for clause in clause_order
    )
    return StandardSection(key=key, title=standard.title, version=standard.version, clauses=groups)


def _psti_requirements(judged: list[JudgedProvision], catalogue: Catalogue) -> tuple[PstiRequirement, ...]:
    try:
        standard = catalogue.standard(PSTI)
    except CatalogueError:
        return ()
    by_id = {j.qualified_id: j for j in judged if j.verdict.standard == PSTI}
    return tuple(
        PstiRequirement(
            provision=provision,
            heading=standard.clauses.get(provision.clause, provision.title),
            judged=by_id.get(provision.qualified_id),
        )
        for provision in standard.provisions
    )

"""The verdict engine's rules, one test each, on the real catalogue."""

from dataclasses import dataclass, field

from iotbaseline.assess import assess
from iotbaseline.catalogue import default_catalogue
from iotbaseline.model import CheckRun, Finding, Location, Outcome, Severity, Verdict, VerdictValue

CATALOGUE = default_catalogue()
WEAK_PASSWORDS = "firmware.accounts.weak-password"


@dataclass(frozen=True)
class FakeClaim:
    support: str
    justification: str = ""
    line: int = 7


@dataclass
class FakeProfile:
    conditions: dict[str, bool] = field(default_factory=dict)
    claims: dict[str, FakeClaim] = field(default_factory=dict)

    def condition_holds(self, standard: str, code: str) -> bool | None:
        return self.conditions.get(code) if standard == "EN303645" else None

    def claim(self, qualified_id: str) -> FakeClaim | None:
        return self.claims.get(qualified_id)


def finding(outcome: Outcome, *provisions: str, title: str = "root password is 'admin'") -> Finding:
    return Finding(
        check=WEAK_PASSWORDS,
        outcome=outcome,
        provisions=provisions,
        severity=Severity.CRITICAL if outcome is Outcome.FAIL else Severity.INFO,
        title=title,
        location=Location(image="fw.bin", path="/etc/shadow", line=1),
    )


def ran(*provisions: str, status: str = "ran") -> CheckRun:
    return CheckRun(WEAK_PASSWORDS, "1", provisions, status, note="no root filesystem" if status != "ran" else "")


def verdict(verdicts: tuple[Verdict, ...], standard: str, provision: str) -> Verdict:
    return next(v for v in verdicts if v.standard == standard and v.provision == provision)


def test_a_fail_finding_makes_the_provision_fail_with_the_finding_as_evidence() -> None:
    weak = finding(Outcome.FAIL, "EN303645:5.1-1")
    verdicts = assess(CATALOGUE, [weak], [ran("EN303645:5.1-1")])
    decided = verdict(verdicts, "EN303645", "5.1-1")
    assert decided.verdict is VerdictValue.FAIL
    assert decided.findings == (weak.id,) and "admin" in decided.reason


def test_absence_of_findings_is_never_a_pass() -> None:
    verdicts = assess(CATALOGUE, [], [ran("EN303645:5.1-1")])
    assert verdict(verdicts, "EN303645", "5.1-1").verdict is VerdictValue.INCONCLUSIVE


def test_a_pass_needs_a_check_that_ran_and_says_what_it_looked_at() -> None:
    looked = finding(Outcome.PASS, "EN303645:5.1-1", title="etc/shadow: 3 accounts, none matched 3,682 defaults")
    decided = verdict(assess(CATALOGUE, [looked], [ran("EN303645:5.1-1")]), "EN303645", "5.1-1")
    assert decided.verdict is VerdictValue.PASS and "3,682" in decided.reason


def test_a_pass_finding_does_not_pass_when_another_check_for_it_failed() -> None:
    looked = finding(Outcome.PASS, "EN303645:5.1-1")
    broken = CheckRun("firmware.credentials.hardcoded", "1", ("EN303645:5.1-1",), "error", note="time budget spent")
    decided = verdict(assess(CATALOGUE, [looked], [ran("EN303645:5.1-1"), broken]), "EN303645", "5.1-1")
    assert decided.verdict is VerdictValue.INCONCLUSIVE
    assert any("time budget spent" in item for item in decided.missing_evidence)


def test_a_check_skipped_for_lack_of_its_input_does_not_block_a_pass_but_is_named() -> None:
    looked = finding(Outcome.PASS, "EN303645:5.1-1")
    skipped = CheckRun("live.default-credentials", "1", ("EN303645:5.1-1",), "skipped", note="needs live input")
    decided = verdict(assess(CATALOGUE, [looked], [ran("EN303645:5.1-1"), skipped]), "EN303645", "5.1-1")
    assert decided.verdict is VerdictValue.PASS
    assert "not examined: live.default-credentials (needs live input)" in decided.reason


def test_inconclusive_lists_missing_evidence_and_the_question_to_answer() -> None:
    decided = verdict(assess(CATALOGUE, [], []), "EN303645", "5.2-1")
    assert decided.verdict is VerdictValue.INCONCLUSIVE
    assert decided.missing_evidence and "5.2-1" in decided.question


def test_a_claim_contradicted_by_evidence_fails_showing_both_sides() -> None:
    profile = FakeProfile(claims={"EN303645:5.1-1": FakeClaim("supported", line=12)})
    weak = finding(Outcome.FAIL, "EN303645:5.1-1")
    decided = verdict(assess(CATALOGUE, [weak], [ran("EN303645:5.1-1")], profile), "EN303645", "5.1-1")
    assert decided.verdict is VerdictValue.FAIL
    assert "claims support (line 12)" in decided.reason and "admin" in decided.reason
    assert decided.contradiction == decided.reason


def test_contradictions_are_recorded_for_declarations_the_evidence_or_the_profile_itself_refutes() -> None:
    looked = finding(Outcome.PASS, "EN303645:5.1-1", title="no universal default password in /etc/shadow")
    profile = FakeProfile(
        conditions={"2": True},
        claims={
            "EN303645:5.1-1": FakeClaim("not-supported", "", 31),
            "EN303645:5.1-2": FakeClaim("not-applicable", "n/a", 23),
        },
    )
    verdicts = assess(CATALOGUE, [looked], [ran("EN303645:5.1-1")], profile)
    under_claimed = verdict(verdicts, "EN303645", "5.1-1")
    assert under_claimed.verdict is VerdictValue.FAIL and "evidence shows it met" in under_claimed.contradiction
    assert "although the profile declares" in verdict(verdicts, "EN303645", "5.1-2").contradiction
    assert not [v for v in verdicts if v.contradiction and v.provision not in ("5.1-1", "5.1-2")]


def test_not_applicable_with_justification_on_a_conditional_provision() -> None:
    claim = FakeClaim("not-applicable", "the device has no network interface for updates", 20)
    profile = FakeProfile(claims={"EN303645:5.3-10": claim})
    decided = verdict(assess(CATALOGUE, [], [], profile), "EN303645", "5.3-10")
    assert decided.verdict is VerdictValue.NOT_APPLICABLE and "line 20" in decided.reason


def test_not_applicable_without_justification_is_rejected() -> None:
    profile = FakeProfile(claims={"EN303645:5.3-10": FakeClaim("not-applicable", "  ", 21)})
    decided = verdict(assess(CATALOGUE, [], [], profile), "EN303645", "5.3-10")
    assert decided.verdict is VerdictValue.INCONCLUSIVE and "without a justification" in decided.reason


def test_not_applicable_on_an_unconditional_provision_is_rejected() -> None:
    profile = FakeProfile(claims={"EN303645:5.2-1": FakeClaim("not-applicable", "we are small", 22)})
    decided = verdict(assess(CATALOGUE, [], [], profile), "EN303645", "5.2-1")
    assert decided.verdict is VerdictValue.INCONCLUSIVE and "unconditional" in decided.reason


def test_not_applicable_while_the_profile_declares_the_condition_true_is_rejected() -> None:
    profile = FakeProfile(conditions={"2": True}, claims={"EN303645:5.1-2": FakeClaim("not-applicable", "n/a", 23)})
    decided = verdict(assess(CATALOGUE, [], [], profile), "EN303645", "5.1-2")
    assert decided.verdict is VerdictValue.INCONCLUSIVE and "rejected" in decided.reason


def test_a_condition_declared_false_makes_its_provisions_not_applicable() -> None:
    profile = FakeProfile(conditions={"2": False})
    decided = verdict(assess(CATALOGUE, [], [], profile), "EN303645", "5.1-2")
    assert decided.verdict is VerdictValue.NOT_APPLICABLE and "condition 2" in decided.reason


def test_declared_not_supported_mandatory_provision_fails() -> None:
    profile = FakeProfile(claims={"EN303645:5.3-13": FakeClaim("not-supported", "no policy yet", 30)})
    decided = verdict(assess(CATALOGUE, [], [], profile), "EN303645", "5.3-13")
    assert decided.verdict is VerdictValue.FAIL and "mandatory" in decided.reason


def test_psti_passwords_pass_through_the_deemed_compliance_route() -> None:
    looked = finding(Outcome.PASS, "EN303645:5.1-1", title="no universal default password in /etc/shadow")
    profile = FakeProfile(conditions={"2": False})
    verdicts = assess(CATALOGUE, [looked], [ran("EN303645:5.1-1")], profile)
    decided = verdict(verdicts, "PSTI", "1")
    assert decided.verdict is VerdictValue.PASS
    assert "5.1-1 PASS" in decided.reason and "5.1-2 NOT_APPLICABLE" in decided.reason


def test_psti_passwords_fail_when_the_route_fails() -> None:
    weak = finding(Outcome.FAIL, "EN303645:5.1-1", "PSTI:1")
    decided = verdict(assess(CATALOGUE, [weak], [ran("EN303645:5.1-1")]), "PSTI", "1")
    assert decided.verdict is VerdictValue.FAIL and decided.findings == (weak.id,)


def test_psti_without_evidence_is_inconclusive_with_what_to_supply() -> None:
    decided = verdict(assess(CATALOGUE, [], []), "PSTI", "3")
    assert decided.verdict is VerdictValue.INCONCLUSIVE and any("5.3-13" in m for m in decided.missing_evidence)


def test_code_of_practice_and_cra_follow_their_mapped_provisions() -> None:
    weak = finding(Outcome.FAIL, "EN303645:5.1-1")
    verdicts = assess(CATALOGUE, [weak], [ran("EN303645:5.1-1")])
    assert verdict(verdicts, "COP2018", "1").verdict is VerdictValue.FAIL
    assert verdict(verdicts, "EN303645-V3", "5.1-1").verdict is VerdictValue.FAIL


def test_every_provision_of_every_standard_gets_exactly_one_verdict() -> None:
    verdicts = assess(CATALOGUE, [], [])
    keys = [(v.standard, v.provision) for v in verdicts]
    assert len(keys) == len(set(keys)) == sum(len(CATALOGUE.provisions(s)) for s in CATALOGUE.standards())

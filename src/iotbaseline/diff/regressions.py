"""What `--fail-on-new` stops a release for: anything the new release does worse than the old one.

- an introduced finding with outcome FAIL (an INFO hint or a PASS is no regression);
- a component that moved to another version and now names a vulnerability its old version did not (the
  same known weakness carried over is not new: a gate that failed every upgrade that did not fix all would
  push a vendor not to upgrade);
- a provision whose verdict is FAIL now and was PASS, INCONCLUSIVE, NOT_APPLICABLE or not judged before;
- a check that ran on the old release and did not run to its end on the new one: a new failure could
  hide there, and a release gate fails closed.
"""

from iotbaseline.diff.model import CheckDiff, FindingDiff, Regression, RegressionKind, VerdictChange
from iotbaseline.model import Outcome, VerdictValue


def regressions(
    findings: FindingDiff, verdicts: tuple[VerdictChange, ...], checks: CheckDiff
) -> tuple[Regression, ...]:
    found = [
        Regression(RegressionKind.FINDING, f.id, f"new FAIL finding: {f.title}")
        for f in findings.introduced
        if f.outcome is Outcome.FAIL
    ]
    found += [
        Regression(
            RegressionKind.VULNERABILITY,
            change.new.id,
            f"{change.new.title}: newly named {', '.join(change.new_vulnerabilities)}",
        )
        for change in findings.changed
        if change.new.outcome is Outcome.FAIL and change.new_vulnerabilities
    ]
    found += [
        Regression(
            RegressionKind.VERDICT,
            f"{change.standard}:{change.provision}",
            f"{change.standard} {change.provision}: {change.old.verdict.value if change.old else 'not judged'} -> FAIL",
        )
        for change in verdicts
        if change.new is not None
        and change.new.verdict is VerdictValue.FAIL
        and (change.old is None or change.old.verdict is not VerdictValue.FAIL)
    ]
    found += [
        Regression(
            RegressionKind.NOT_COMPARED, check, f"{check} ran on the old release but not to its end on the new one"
        )
        for check in checks.only_old
    ]
    return tuple(found)

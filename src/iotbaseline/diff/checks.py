"""Which checks ran on both releases: only their findings can be compared.

A report without a list of check runs (written before they were recorded) is taken to have run every check
its findings name.
"""

from collections.abc import Callable

from iotbaseline.diff.model import CheckDiff, CheckVersionChange
from iotbaseline.model import Assessment

RAN = "ran"


def completed(assessment: Assessment) -> frozenset[str] | None:
    """Checks that ran to the end; None when the report does not say."""
    if not assessment.checks:
        return None
    return frozenset(run.check for run in assessment.checks if run.status == RAN)


def comparable(old: Assessment, new: Assessment) -> Callable[[str], bool]:
    before, after = completed(old), completed(new)

    def ran_on_both(check: str) -> bool:
        return (before is None or check in before) and (after is None or check in after)

    return ran_on_both


def compare_checks(old: Assessment, new: Assessment) -> CheckDiff:
    before, after = completed(old), completed(new)
    if before is None or after is None:
        return CheckDiff()
    old_versions = {run.check: run.version for run in old.checks}
    new_versions = {run.check: run.version for run in new.checks}
    return CheckDiff(
        only_old=tuple(sorted(before - after)),
        only_new=tuple(sorted(after - before)),
        version_changed=tuple(
            CheckVersionChange(check, old_versions[check], new_versions[check])
            for check in sorted(before & after)
            if old_versions[check] != new_versions[check]
        ),
    )

"""Verdicts of two releases compared per (standard, provision): those whose value changed."""

from collections.abc import Sequence

from iotbaseline.diff.model import VerdictChange
from iotbaseline.model import Verdict


def compare_verdicts(old: Sequence[Verdict], new: Sequence[Verdict]) -> tuple[VerdictChange, ...]:
    """In the new report's order, then provisions judged only in the old one."""
    before = {(v.standard, v.provision): v for v in old}
    after = {(v.standard, v.provision): v for v in new}
    changes = [
        VerdictChange(standard, provision, before.get((standard, provision)), verdict)
        for (standard, provision), verdict in after.items()
        if (previous := before.get((standard, provision))) is None or previous.verdict is not verdict.verdict
    ]
    changes += [VerdictChange(s, p, verdict, None) for (s, p), verdict in before.items() if (s, p) not in after]
    return tuple(changes)

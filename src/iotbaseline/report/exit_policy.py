"""When a scan should fail a CI job: the `--fail-on` policy and the exit code it gives.

Exit codes (the CLI returns them as they are):

- 0 (`ExitCode.PASSED`): the policy is satisfied.
- 1 (`ExitCode.POLICY_FAILED`): the assessment breaks the policy.
- 2 (`ExitCode.USAGE_ERROR`): reserved for the CLI, for options or input a user must correct; never returned here.
"""

from enum import IntEnum, StrEnum

from iotbaseline.catalogue import Catalogue, CatalogueError
from iotbaseline.errors import EXIT_USAGE_ERROR
from iotbaseline.model import Assessment, Obligation, Verdict, VerdictValue
from iotbaseline.report.view import PSTI, qualified_provision


class FailOn(StrEnum):
    """`--fail-on` values."""

    FAIL = "fail"
    """Any FAIL verdict, on any provision of any standard."""
    MANDATORY = "mandatory"
    """A FAIL on a mandatory provision, or on any PSTI requirement (all three are law)."""
    NEVER = "never"
    """Report only; always exit 0."""


class ExitCode(IntEnum):
    PASSED = 0
    POLICY_FAILED = 1
    USAGE_ERROR = EXIT_USAGE_ERROR


def policy_failures(assessment: Assessment, catalogue: Catalogue, policy: FailOn) -> tuple[Verdict, ...]:
    """The FAIL verdicts that break `policy`, in report order."""
    if policy is FailOn.NEVER:
        return ()
    failed = tuple(v for v in assessment.verdicts if v.verdict is VerdictValue.FAIL)
    if policy is FailOn.FAIL:
        return failed
    return tuple(v for v in failed if _binding(v, catalogue))


def exit_code(assessment: Assessment, catalogue: Catalogue, policy: FailOn | str) -> int:
    """0 when the assessment satisfies `policy`, 1 when it does not (see the module's table).

    `policy` may be given as its `--fail-on` text; an unknown value raises ValueError.
    """
    failures = policy_failures(assessment, catalogue, FailOn(policy))
    return int(ExitCode.POLICY_FAILED if failures else ExitCode.PASSED)


def _binding(verdict: Verdict, catalogue: Catalogue) -> bool:
    """A PSTI requirement, or a mandatory provision. A provision the catalogue does not know counts as mandatory:
    a policy gate fails closed."""
    if verdict.standard == PSTI:
        return True
    try:
        return catalogue.get(qualified_provision(verdict)).obligation is Obligation.MANDATORY
    except CatalogueError:
        return True

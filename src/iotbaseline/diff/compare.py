"""Two releases in, their differences out: the one pure entry point of `iotbaseline diff`."""

from iotbaseline.diff.checks import comparable, compare_checks
from iotbaseline.diff.components import compare_components
from iotbaseline.diff.findings import Side, compare_findings
from iotbaseline.diff.keys import image_names
from iotbaseline.diff.model import AssessmentDiff, Release
from iotbaseline.diff.regressions import regressions
from iotbaseline.diff.verdicts import compare_verdicts
from iotbaseline.model import Assessment


def diff_releases(old: Release, new: Release) -> AssessmentDiff:
    findings = compare_findings(
        _side(old.assessment), _side(new.assessment), comparable(old.assessment, new.assessment)
    )
    verdicts = compare_verdicts(old.assessment.verdicts, new.assessment.verdicts)
    checks = compare_checks(old.assessment, new.assessment)
    return AssessmentDiff(
        old=old,
        new=new,
        findings=findings,
        components=compare_components(old.components, new.components),
        verdicts=verdicts,
        checks=checks,
        regressions=regressions(findings, verdicts, checks),
    )


def _side(assessment: Assessment) -> Side:
    firmware = (item.path for item in assessment.inputs if item.kind == "firmware")
    return Side(assessment.findings, image_names(assessment.findings, firmware))

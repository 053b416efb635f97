"""Comparing two firmware releases of one product: findings fixed, introduced and unchanged, components
upgraded, verdicts changed, and what a release gate (`--fail-on-new`) stops for.

    diff_releases(old, new) -> AssessmentDiff     pure; `to_dict()` is the `iotbaseline diff --json` document
    sources.load_release(...)                     a report folder, report.json or stored scan as a Release
"""

from iotbaseline.diff.compare import diff_releases
from iotbaseline.diff.model import AssessmentDiff, ComponentRef, Release

__all__ = ["AssessmentDiff", "ComponentRef", "Release", "diff_releases"]

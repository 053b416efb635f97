"""What comparing two releases establishes: findings fixed, introduced and unchanged, components, verdicts.

Frozen and JSON-ready; `AssessmentDiff.to_dict` is the `iotbaseline diff --json` document.
"""

from dataclasses import dataclass
from enum import StrEnum

from iotbaseline.model import Assessment, Finding, JSONValue, Verdict

DIFF_FORMAT_VERSION = "1.0"


@dataclass(frozen=True)
class ComponentRef:
    """A software component as one release lists it."""

    name: str
    version: str | None
    key: str | None = None
    """The catalogue key (`linux-kernel`), where the source records it (image scans, SBOMs)."""
    purl: str | None = None

    def to_dict(self) -> dict[str, JSONValue]:
        return {"name": self.name, "version": self.version, "key": self.key, "purl": self.purl}


@dataclass(frozen=True)
class Release:
    """One side of a comparison: what the user named, the assessment, and the components it shipped."""

    label: str
    """As given on the command line: a path or `scan:ID`."""
    assessment: Assessment
    components: tuple[ComponentRef, ...]
    components_from: str
    """Where the components were read: scan, store, sbom, inventory finding, or none."""

    def summary(self) -> dict[str, JSONValue]:
        return {
            "label": self.label,
            "tool_version": self.assessment.tool_version,
            "created": self.assessment.created,
            "product": dict(self.assessment.product),
            "inputs": [item.to_dict() for item in self.assessment.inputs],
            "components_from": self.components_from,
        }


class VersionChange(StrEnum):
    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    CHANGED = "changed"
    """The versions cannot be ordered: one of them is unknown."""


@dataclass(frozen=True)
class ComponentChange:
    name: str
    key: str | None
    old_version: str | None
    new_version: str | None
    change: VersionChange

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "name": self.name,
            "key": self.key,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "change": self.change.value,
        }


@dataclass(frozen=True)
class ComponentDiff:
    added: tuple[ComponentRef, ...] = ()
    removed: tuple[ComponentRef, ...] = ()
    changed: tuple[ComponentChange, ...] = ()

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "added": [c.to_dict() for c in self.added],
            "removed": [c.to_dict() for c in self.removed],
            "changed": [c.to_dict() for c in self.changed],
        }


@dataclass(frozen=True)
class FindingChange:
    """The same weakness of a versioned subject (`zlib@1.2.13` -> `zlib@1.3`): the component moved on, the
    weakness did not go away. Which vulnerabilities it names on each side, where the finding lists them."""

    old: Finding
    new: Finding
    fixed_vulnerabilities: tuple[str, ...] = ()
    new_vulnerabilities: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "fixed_vulnerabilities": list(self.fixed_vulnerabilities),
            "new_vulnerabilities": list(self.new_vulnerabilities),
        }


@dataclass(frozen=True)
class FindingDiff:
    fixed: tuple[Finding, ...] = ()
    """In the old release only (as the old report has them)."""
    introduced: tuple[Finding, ...] = ()
    """In the new release only (as the new report has them)."""
    unchanged: tuple[Finding, ...] = ()
    """In both (as the new report has them: its line numbers and ids)."""
    changed: tuple[FindingChange, ...] = ()
    not_compared_old: tuple[Finding, ...] = ()
    """Of checks that did not run on both sides: absent from the other side proves nothing."""
    not_compared_new: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class VerdictChange:
    standard: str
    provision: str
    old: Verdict | None
    """None: the provision was not judged in the old release (another catalogue version)."""
    new: Verdict | None

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "standard": self.standard,
            "provision": self.provision,
            "old": None if self.old is None else self.old.verdict.value,
            "new": None if self.new is None else self.new.verdict.value,
            "old_reason": None if self.old is None else self.old.reason,
            "new_reason": None if self.new is None else self.new.reason,
        }


@dataclass(frozen=True)
class CheckVersionChange:
    check: str
    old: str
    new: str


@dataclass(frozen=True)
class CheckDiff:
    """Which checks ran on one side only, and which changed version (their findings may read differently)."""

    only_old: tuple[str, ...] = ()
    only_new: tuple[str, ...] = ()
    version_changed: tuple[CheckVersionChange, ...] = ()

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "only_old": list(self.only_old),
            "only_new": list(self.only_new),
            "version_changed": [{"check": c.check, "old": c.old, "new": c.new} for c in self.version_changed],
        }


class RegressionKind(StrEnum):
    FINDING = "finding"
    """A FAIL finding the old release did not have."""
    VULNERABILITY = "vulnerability"
    """A changed component that names a vulnerability its old version did not."""
    VERDICT = "verdict"
    """A provision that is FAIL now and was not before."""
    NOT_COMPARED = "not-compared"
    """A check that ran on the old release and not on the new: a new failure could hide there."""


@dataclass(frozen=True)
class Regression:
    """One reason for `--fail-on-new` to stop a release."""

    kind: RegressionKind
    subject: str
    """The finding id, the qualified provision, or the check id."""
    text: str

    def to_dict(self) -> dict[str, JSONValue]:
        return {"kind": self.kind.value, "subject": self.subject, "text": self.text}


@dataclass(frozen=True)
class AssessmentDiff:
    old: Release
    new: Release
    findings: FindingDiff
    components: ComponentDiff
    verdicts: tuple[VerdictChange, ...]
    checks: CheckDiff
    regressions: tuple[Regression, ...]

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "format_version": DIFF_FORMAT_VERSION,
            "old": self.old.summary(),
            "new": self.new.summary(),
            "fixed": [f.to_dict() for f in self.findings.fixed],
            "introduced": [f.to_dict() for f in self.findings.introduced],
            "unchanged": [f.to_dict() for f in self.findings.unchanged],
            "changed": [c.to_dict() for c in self.findings.changed],
            "not_compared": {
                "old": [f.to_dict() for f in self.findings.not_compared_old],
                "new": [f.to_dict() for f in self.findings.not_compared_new],
            },
            "components": self.components.to_dict(),
            "verdicts": [v.to_dict() for v in self.verdicts],
            "checks": self.checks.to_dict(),
            "regressions": [r.to_dict() for r in self.regressions],
        }

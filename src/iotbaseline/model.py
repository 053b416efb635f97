"""The nouns every part of iotbaseline speaks: Finding, Provision, Verdict, Assessment.

Pure data: frozen, typed, JSON round-trippable. Nothing here knows files, sockets or unblob.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

JSONValue = Any
"""A JSON-serialisable value (str, int, float, bool, None, list, dict of those)."""


class Outcome(StrEnum):
    """What one check observed at one place."""

    FAIL = "fail"
    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    INFO = "info"
    ERROR = "error"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Obligation(StrEnum):
    MANDATORY = "mandatory"
    RECOMMENDED = "recommended"
    INFORMATIVE = "informative"


class EvidenceChannel(StrEnum):
    """Where evidence for a provision can come from."""

    FIRMWARE = "firmware"
    LIVE = "live"
    DOCUMENTS = "documents"
    DECLARATION = "declaration"


class VerdictValue(StrEnum):
    PASS = "PASS"  # noqa: S105 (a verdict, not a password)
    FAIL = "FAIL"
    INCONCLUSIVE = "INCONCLUSIVE"
    NOT_APPLICABLE = "NOT_APPLICABLE"


@dataclass(frozen=True)
class Location:
    """Where a finding was made. Only the fields that apply are set."""

    image: str | None = None
    """Name of the firmware image (several images may be scanned together)."""
    path: str | None = None
    """Path on the device, relative to its root filesystem (e.g. /etc/shadow)."""
    extracted_path: str | None = None
    """Path inside the extraction output folder."""
    offset: int | None = None
    line: int | None = None
    host: str | None = None
    port: int | None = None
    protocol: str | None = None
    url: str | None = None

    def key(self) -> str:
        """Stable text identifying the place, independent of the output folder's name."""
        parts = (self.path, self.offset, self.line, self.host, self.port, self.protocol, self.url)
        return "|".join("" if p is None else str(p) for p in parts)

    def to_dict(self) -> dict[str, JSONValue]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Finding:
    """One observation of one check."""

    check: str
    """Check id, e.g. firmware.accounts.weak-password."""
    outcome: Outcome
    provisions: tuple[str, ...]
    """Qualified provision ids the finding is evidence for, e.g. EN303645:5.1-1, PSTI:1."""
    severity: Severity
    title: str
    location: Location = field(default_factory=Location)
    detail: str = ""
    evidence: Mapping[str, JSONValue] = field(default_factory=dict)
    check_version: str = "1"
    discriminator: str = ""
    """Tells apart two findings of one check at one place (e.g. the account name)."""

    @property
    def id(self) -> str:
        """Stable across scans of two firmware versions: the same weakness at the same place
        keeps its id, so that a diff shows what was fixed and what was introduced."""
        text = "\x1f".join((self.check, self.location.key(), self.discriminator))
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "check": self.check,
            "check_version": self.check_version,
            "outcome": self.outcome.value,
            "provisions": list(self.provisions),
            "severity": self.severity.value,
            "title": self.title,
            "detail": self.detail,
            "location": self.location.to_dict(),
            "evidence": dict(self.evidence),
            "discriminator": self.discriminator,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> "Finding":
        return cls(
            check=data["check"],
            check_version=data.get("check_version", "1"),
            outcome=Outcome(data["outcome"]),
            provisions=tuple(data["provisions"]),
            severity=Severity(data["severity"]),
            title=data["title"],
            detail=data.get("detail", ""),
            location=Location(**data.get("location", {})),
            evidence=data.get("evidence", {}),
            discriminator=data.get("discriminator", ""),
        )


@dataclass(frozen=True)
class Provision:
    """One requirement of one standard, as catalogue data."""

    standard: str
    """Catalogue key, e.g. EN303645, EN303645-V3, PSTI, COP2018, CRA, EN18031."""
    id: str
    """Id within the standard, e.g. 5.1-1, 1, I.2(a), AUM-5-1."""
    clause: str
    title: str
    """Short description in our own words."""
    obligation: Obligation
    status: str = ""
    """The standard's own status code, e.g. 'M C (1)', 'RF(g)'."""
    conditions: tuple[str, ...] = ()
    """Condition or feature codes the provision depends on, e.g. ('1',) or ('C12', 'g')."""
    channels: tuple[EvidenceChannel, ...] = ()
    confirmed: bool = True
    """False where the reference marks the status or wording as not (fully) confirmed."""
    maps_to: tuple[str, ...] = ()
    """Qualified ids in other catalogues (e.g. EN303645:5.1-1 for PSTI:1)."""
    note: str = ""

    @property
    def qualified_id(self) -> str:
        return f"{self.standard}:{self.id}"

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)


@dataclass(frozen=True)
class Verdict:
    standard: str
    provision: str
    verdict: VerdictValue
    reason: str
    findings: tuple[str, ...] = ()
    """Ids of the findings that decided it."""
    missing_evidence: tuple[str, ...] = ()
    """For INCONCLUSIVE: what an assessor still has to supply."""
    question: str = ""
    """For INCONCLUSIVE: the IXIT-style question the manufacturer should answer."""
    contradiction: str = ""
    """Where the manufacturer's declaration (the profile's claim) and the evidence disagree: both sides."""

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "standard": self.standard,
            "provision": self.provision,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "findings": list(self.findings),
            "missing_evidence": list(self.missing_evidence),
            "question": self.question,
            "contradiction": self.contradiction,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> "Verdict":
        return cls(
            standard=data["standard"],
            provision=data["provision"],
            verdict=VerdictValue(data["verdict"]),
            reason=data["reason"],
            findings=tuple(data.get("findings", ())),
            missing_evidence=tuple(data.get("missing_evidence", ())),
            question=data.get("question", ""),
            contradiction=data.get("contradiction", ""),
        )


def canonical_json(value: JSONValue) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Input:
    """Something the assessment looked at: a firmware image, a live host, a document."""

    kind: str
    """firmware, host or document."""
    path: str
    sha256: str = ""
    size: int = 0
    incomplete: tuple[Mapping[str, str], ...] = ()
    """For firmware: what extraction skipped or cut short (what, where, reason)."""

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "kind": self.kind,
            "path": self.path,
            "sha256": self.sha256,
            "size": self.size,
            "incomplete": [dict(item) for item in self.incomplete],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> "Input":
        return cls(
            kind=data["kind"],
            path=data["path"],
            sha256=data.get("sha256", ""),
            size=data.get("size", 0),
            incomplete=tuple(dict(item) for item in data.get("incomplete", ())),
        )


@dataclass(frozen=True)
class CheckRun:
    """One check's run over the inputs: that it ran is what lets a verdict PASS."""

    check: str
    version: str
    provisions: tuple[str, ...]
    status: str
    """ran, skipped (what it needs was missing: say why in `note`) or error."""
    seconds: float = 0.0
    note: str = ""

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "check": self.check,
            "version": self.version,
            "provisions": list(self.provisions),
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> "CheckRun":
        return cls(
            check=data["check"],
            version=data["version"],
            provisions=tuple(data["provisions"]),
            status=data["status"],
            seconds=data.get("seconds", 0.0),
            note=data.get("note", ""),
        )


@dataclass(frozen=True)
class Assessment:
    """Everything one scan established. The JSON report is this, serialised (`to_dict`)."""

    tool_version: str
    created: str
    """ISO 8601 UTC time the scan finished."""
    product: Mapping[str, JSONValue]
    """What the profile declares about the product (model, manufacturer, firmware version...)."""
    inputs: tuple[Input, ...]
    findings: tuple[Finding, ...]
    verdicts: tuple[Verdict, ...]
    checks: tuple[CheckRun, ...] = ()
    format_version: str = "1.0"

    def verdicts_for(self, standard: str) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.standard == standard)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "format_version": self.format_version,
            "tool": {"name": "iotbaseline", "version": self.tool_version},
            "created": self.created,
            "product": dict(self.product),
            "inputs": [i.to_dict() for i in self.inputs],
            "checks": [c.to_dict() for c in self.checks],
            "findings": [f.to_dict() for f in self.findings],
            "verdicts": [v.to_dict() for v in self.verdicts],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> "Assessment":
        """Read a report.json back (stored scans, version comparison)."""
        return cls(
            tool_version=data["tool"]["version"],
            created=data["created"],
            product=dict(data.get("product", {})),
            inputs=tuple(Input.from_dict(item) for item in data["inputs"]),
            findings=tuple(Finding.from_dict(item) for item in data["findings"]),
            verdicts=tuple(Verdict.from_dict(item) for item in data["verdicts"]),
            checks=tuple(CheckRun.from_dict(item) for item in data.get("checks", ())),
            format_version=data.get("format_version", "1.0"),
        )

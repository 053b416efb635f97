"""What a finding of a data-driven check is, as its data file declares it (`findings:` tables): outcome,
severity, the provisions it is evidence for, its title, why, and the remediation."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.model import Outcome, Severity


@dataclass(frozen=True)
class FindingKind:
    key: str
    outcome: Outcome
    severity: Severity
    provisions: tuple[str, ...]
    title: str
    why: str
    remediation: str


def parse_finding_kinds(data: Mapping[str, Any]) -> dict[str, FindingKind]:
    """A `findings:` table (outcome, severity, provisions, title, why, remediation)."""
    return {str(key): _kind(str(key), spec) for key, spec in data.items()}


def _kind(key: str, spec: Mapping[str, Any]) -> FindingKind:
    provisions = spec["provisions"]
    if isinstance(provisions, str) or not all(isinstance(p, str) and ":" in p for p in provisions) or not provisions:
        raise ValueError(f"finding {key}: provisions must be a list of qualified names (EN303645:5.6-1)")
    return FindingKind(
        key,
        Outcome(spec["outcome"]),
        Severity(spec["severity"]),
        tuple(provisions),
        str(spec["title"]),
        " ".join(str(spec["why"]).split()),
        " ".join(str(spec.get("remediation", "")).split()),
    )

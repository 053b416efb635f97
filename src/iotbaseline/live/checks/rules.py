"""The live-service judgement data (`data/live/services.yaml`), loaded once and validated."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.live.data import LiveDataError, load_yaml
from iotbaseline.model import Outcome, Severity

CATEGORIES = frozenset({"login", "remote-access", "web", "stream", "mqtt", "data", "encrypted", "discovery", "debug"})


@dataclass(frozen=True)
class FindingKind:
    key: str
    outcome: Outcome
    severity: Severity
    provisions: tuple[str, ...]
    title: str
    why: str
    remediation: str


@dataclass(frozen=True)
class ServiceRules:
    protocols: Mapping[str, str]
    """Protocol -> how its traffic is judged (CATEGORIES)."""
    findings: Mapping[str, FindingKind]

    def kind(self, key: str) -> FindingKind:
        return self.findings[key]

    def category(self, protocol: str) -> str | None:
        return self.protocols.get(protocol)


@functools.cache
def default_service_rules() -> ServiceRules:
    try:
        return parse_service_rules(load_yaml("services.yaml"))
    except (KeyError, TypeError, ValueError) as error:
        raise LiveDataError(f"data/live/services.yaml: {type(error).__name__}: {error}") from error


def parse_service_rules(data: Mapping[str, Any]) -> ServiceRules:
    protocols = {str(name): str(category) for name, category in data["protocols"].items()}
    unknown = set(protocols.values()) - CATEGORIES
    if unknown:
        raise ValueError(f"unknown categories {sorted(unknown)}")
    findings = {str(key): _kind(str(key), spec) for key, spec in data["findings"].items()}
    return ServiceRules(protocols, findings)


def _kind(key: str, spec: Mapping[str, Any]) -> FindingKind:
    provisions = tuple(str(p) for p in spec["provisions"])
    if not provisions or any(":" not in p for p in provisions):
        raise ValueError(f"finding {key}: provisions must be qualified (EN303645:5.6-1)")
    return FindingKind(
        key,
        Outcome(spec["outcome"]),
        Severity(spec["severity"]),
        provisions,
        str(spec["title"]),
        " ".join(str(spec["why"]).split()),
        " ".join(str(spec.get("remediation", "")).split()),
    )

"""The live-service judgement data (`data/live/services.yaml`), loaded once and validated."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.checks.finding_kinds import FindingKind, parse_finding_kinds
from iotbaseline.live.data import LiveDataError, load_yaml

CATEGORIES = frozenset({"login", "remote-access", "web", "stream", "mqtt", "data", "encrypted", "discovery", "debug"})


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
    return ServiceRules(protocols, parse_finding_kinds(data["findings"]))


__all__ = [
    "CATEGORIES",
    "FindingKind",
    "ServiceRules",
    "default_service_rules",
    "parse_finding_kinds",
    "parse_service_rules",
]

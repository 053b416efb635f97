"""The hardening rules: `data/hardening/rules.yaml`, loaded once and validated."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError


class HardeningDataError(IotBaselineError):
    """The shipped rules file is malformed (a packaging or editing mistake)."""


class Mitigation(StrEnum):
    """Whether one exploit mitigation is in a binary, as far as the binary shows."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"
    """The binary does not say (a stripped static binary has no symbol names to look at)."""
    NOT_APPLICABLE = "not-applicable"
    """The mitigation means nothing for this object or platform (PIE for a library, NX on most MIPS)."""


@dataclass(frozen=True)
class LibcRule:
    name: str
    interpreters: tuple[str, ...]
    needed: frozenset[str]


@dataclass(frozen=True)
class ArchitectureRule:
    executable_stack: Mitigation | None
    """What an executable (RWE) PT_GNU_STACK means here, when not plain ABSENT."""
    unmarked_stack: Mitigation | None
    """What a missing PT_GNU_STACK means here, when not plain ABSENT."""
    why: str


@dataclass(frozen=True)
class DangerousFunction:
    name: str
    kind: str
    """`memory` (unbounded copy or format) or `command` (runs a shell)."""
    why: str


@dataclass(frozen=True)
class HardeningRules:
    canary_symbols: frozenset[str]
    fortify_visible_with: frozenset[str]
    fortifiable: frozenset[str]
    libc: tuple[LibcRule, ...]
    architectures: Mapping[str, ArchitectureRule]
    network_functions: frozenset[str]
    dangerous_functions: Mapping[str, DangerousFunction]
    setuid_expected: frozenset[str]
    setuid_escalation: frozenset[str]
    drops_privileges: Mapping[str, bytes]
    """Program name -> text in the binary showing it gives up root for applets that do not need it."""
    writable_paths: tuple[str, ...]
    not_programs: tuple[str, ...]
    weights: Mapping[str, int]
    network_factor: int
    worst_offenders: int

    def libc_of_interpreter(self, path: str) -> str | None:
        return next((r.name for r in self.libc if any(i in path for i in r.interpreters)), None)

    def libc_of_needed(self, needed: tuple[str, ...]) -> str | None:
        return next((r.name for r in self.libc if r.needed.intersection(needed)), None)


@functools.cache
def default_rules() -> HardeningRules:
    text = (files("iotbaseline") / "data" / "hardening" / "rules.yaml").read_text(encoding="utf-8")
    return parse_rules(text)


def parse_rules(text: str) -> HardeningRules:
    try:
        return _rules(yaml.safe_load(text))
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise HardeningDataError(f"hardening rules: {type(error).__name__}: {error}") from error


def _rules(data: Mapping[str, Any]) -> HardeningRules:
    dangerous = {}
    for spec in data["dangerous_functions"]:
        if spec["kind"] not in ("memory", "command"):
            raise ValueError(f"dangerous function {spec['name']}: unknown kind {spec['kind']!r}")
        dangerous[spec["name"]] = DangerousFunction(spec["name"], spec["kind"], spec["why"])
    weights = {str(k): int(v) for k, v in data["weights"].items()}
    return HardeningRules(
        canary_symbols=_names(data["canary_symbols"]),
        fortify_visible_with=_names(data["fortify"]["visible_with"]),
        fortifiable=_names(data["fortify"]["fortifiable"]),
        libc=tuple(
            LibcRule(spec["name"], tuple(spec["interpreter"]), frozenset(spec["needed"])) for spec in data["libc"]
        ),
        architectures={name: _architecture(spec) for name, spec in data["architectures"].items()},
        network_functions=_names(data["network_functions"]),
        dangerous_functions=dangerous,
        setuid_expected=_names(data["setuid"]["expected"]),
        setuid_escalation=_names(data["setuid"]["escalation"]),
        drops_privileges={str(k): str(v).encode() for k, v in data["setuid"]["drops_privileges"].items()},
        writable_paths=tuple(p.rstrip("/") for p in data["writable_paths"]),
        not_programs=tuple(data["not_programs"]),
        weights=weights,
        network_factor=int(data["network_factor"]),
        worst_offenders=int(data["worst_offenders"]),
    )


def _architecture(spec: Mapping[str, Any]) -> ArchitectureRule:
    def mitigation(key: str) -> Mitigation | None:
        return Mitigation(spec[key]) if key in spec else None

    return ArchitectureRule(mitigation("executable_stack"), mitigation("unmarked_stack"), str(spec["why"]))


def _names(values: list[Any]) -> frozenset[str]:
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise ValueError(f"names must be text: {bad}")
    return frozenset(values)

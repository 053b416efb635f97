"""The security.txt rules: `data/documents/security_txt.yaml`, loaded once and validated; problems built from them."""

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.documents.security_txt_model import Problem, Severity
from iotbaseline.errors import IotBaselineError
from iotbaseline.report.text import one_line

_SEVERITIES: Mapping[str, Severity] = {"error": "error", "recommendation": "recommendation", "notice": "notice"}
MAX_VALUE_SHOWN = 200
"""Characters of a hostile value quoted in a message."""


class SecurityTxtRuleError(IotBaselineError):
    """The shipped security.txt rules are malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class FieldRule:
    name: str
    uri: bool
    schemes: frozenset[str]
    missing: str | None
    """The problem when the field is absent."""
    repeated: str | None
    """The problem when the field appears more than once."""
    suffix: str | None


@dataclass(frozen=True)
class ProblemRule:
    severity: Severity
    message: str


@dataclass(frozen=True)
class SecurityTxtRules:
    fields: Mapping[str, FieldRule]
    strong_hashes: frozenset[str]
    weak_hashes: frozenset[str]
    grandfathered_language_tags: frozenset[str]
    max_problems_per_code: int
    problems: Mapping[str, ProblemRule]

    def problem(self, code: str, line: int | None, **params: object) -> Problem:
        """The problem `code` at `line`, its message filled in with `params` made safe to show."""
        rule = self.problems[code]
        shown = {key: _shown(value) for key, value in params.items()}
        return Problem(code=code, line=line, message=rule.message.format_map(shown), severity=rule.severity)


def _shown(value: object) -> str:
    text = one_line(str(value))
    return text if len(text) <= MAX_VALUE_SHOWN else text[:MAX_VALUE_SHOWN] + "..."


@functools.cache
def default_security_txt_rules() -> SecurityTxtRules:
    text = (files("iotbaseline") / "data" / "documents" / "security_txt.yaml").read_text(encoding="utf-8")
    return parse_security_txt_rules(text)


def parse_security_txt_rules(text: str) -> SecurityTxtRules:
    try:
        return _rules(yaml.safe_load(text))
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise SecurityTxtRuleError(f"security.txt rules: {type(error).__name__}: {error}") from error


def _rules(data: Mapping[str, Any]) -> SecurityTxtRules:
    fields = {key: _field(key, spec) for key, spec in data["fields"].items()}
    problems = {code: _problem(code, spec) for code, spec in data["problems"].items()}
    named = {code for rule in fields.values() for code in (rule.missing, rule.repeated) if code is not None}
    if named - problems.keys():
        raise ValueError(f"fields name problems that are not defined: {sorted(named - problems.keys())}")
    hashes = data["hash_algorithms"]
    limit = int(data["max_problems_per_code"])
    if limit < 1:
        raise ValueError("max_problems_per_code must be at least 1")
    return SecurityTxtRules(
        fields=fields,
        strong_hashes=frozenset(str(name).upper() for name in hashes["strong"]),
        weak_hashes=frozenset(str(name).upper() for name in hashes["weak"]),
        grandfathered_language_tags=frozenset(str(tag).lower() for tag in data["grandfathered_language_tags"]),
        max_problems_per_code=limit,
        problems=problems,
    )


def _field(key: str, spec: Mapping[str, Any]) -> FieldRule:
    if key != key.lower() or str(spec["name"]).lower() != key:
        raise ValueError(f"field {key!r}: the key must be the lower-case name")
    schemes = frozenset(str(scheme) for scheme in spec.get("schemes", ()))
    uri = bool(spec.get("uri", False))
    if uri != bool(schemes):
        raise ValueError(f"field {key!r}: a URI field lists its schemes, and only a URI field")
    return FieldRule(
        name=str(spec["name"]),
        uri=uri,
        schemes=schemes,
        missing=_optional(spec.get("missing")),
        repeated=_optional(spec.get("repeated")),
        suffix=_optional(spec.get("suffix")),
    )


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def _problem(code: str, spec: Mapping[str, Any]) -> ProblemRule:
    severity = _SEVERITIES.get(str(spec["severity"]))
    if severity is None:
        raise ValueError(f"problem {code!r}: severity {spec['severity']!r} is not one of {sorted(_SEVERITIES)}")
    message = str(spec["message"])
    list(string.Formatter().parse(message))  # a malformed template fails here, at load, not when reported
    return ProblemRule(severity=severity, message=message)

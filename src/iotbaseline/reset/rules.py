"""The factory-reset rules: `data/reset/reset.yaml`, loaded once and validated."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError
from iotbaseline.shell.options import OptionSpec


class ResetRuleError(IotBaselineError):
    """The shipped factory-reset rules are malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class EraserRule:
    spec: OptionSpec
    subcommands: frozenset[str]
    positional: tuple[str, ...]
    whole: str | None
    recursive: frozenset[str]
    sources: frozenset[str]


@dataclass(frozen=True)
class ResetRules:
    routine_name: re.Pattern[str]
    button_triggers: tuple[str, ...]
    web_triggers: tuple[str, ...]
    data_partitions: frozenset[str]
    data_folders: frozenset[str]
    erasers: Mapping[str, EraserRule]
    documentation_paths: tuple[str, ...]

    @functools.cached_property
    def quick(self) -> re.Pattern[bytes]:
        """A script without any of these words erases nothing and calls no reset routine."""
        words = sorted(self.erasers, key=len, reverse=True)
        tools = b"|".join(re.escape(w.encode()) for w in words)
        return re.compile(rb"(?<![\w.-])(?:" + tools + rb")(?![\w.-])|(?i:reset|default)")


@functools.cache
def default_reset_rules() -> ResetRules:
    text = (files("iotbaseline") / "data" / "reset" / "reset.yaml").read_text(encoding="utf-8")
    try:
        return _rules(yaml.safe_load(text))
    except (yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as error:
        raise ResetRuleError(f"factory-reset rules: {type(error).__name__}: {error}") from error


def _rules(data: Mapping[str, Any]) -> ResetRules:
    return ResetRules(
        routine_name=re.compile(data["routine_name"]),
        button_triggers=tuple(data["triggers"]["button"]),
        web_triggers=tuple(data["triggers"]["web"]),
        data_partitions=frozenset(str(p).lower() for p in data["data_partitions"]),
        data_folders=frozenset(str(f).rstrip("/") for f in data["data_folders"]),
        erasers={tool: _eraser(spec) for spec in data["erasers"] for tool in spec["tools"]},
        documentation_paths=tuple(data["documentation_paths"]),
    )


def _eraser(spec: Mapping[str, Any]) -> EraserRule:
    return EraserRule(
        OptionSpec(
            roles={str(k): str(v) for k, v in (spec.get("options") or {}).items()},
            clustered=bool(spec.get("clustered", False)),
        ),
        frozenset(spec.get("subcommands", ())),
        tuple(spec.get("positional", ())),
        spec.get("whole"),
        frozenset(spec.get("recursive", ())),
        frozenset(spec.get("sources", ())),
    )

"""The hard-coded credential patterns: `data/hardcoded/patterns.yaml`, loaded once and validated.

Everything the rules match on (password-ish names, placeholders, tools and their password options,
default passwords for binaries) is data; this module turns it into typed, compiled values.
"""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError


class PatternDataError(IotBaselineError):
    """The shipped pattern file is malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class OptionForm:
    """One way a tool takes a value: `-p VALUE`, `-pVALUE`, `--password=VALUE`, `-b FILE USER VALUE`."""

    option: str
    attached: bool
    """The value follows the option in the same word (`-pVALUE`, `--password=VALUE`)."""
    positional: tuple[str, ...] = ()
    """Words after the option, in order: FILE (skipped), USER (the user name), VALUE (the value)."""
    prefix: str = ""
    """Text the value word starts with (`pass:` in `-passin pass:VALUE`)."""


@dataclass(frozen=True)
class CommandRule:
    tools: frozenset[str]
    password: tuple[OptionForm, ...] = ()
    user: tuple[OptionForm, ...] = ()
    user_password: tuple[OptionForm, ...] = ()
    separator: str = ":"
    login: bool = False
    """The command sets a password of the device itself (htpasswd -b), not a client secret."""


@dataclass(frozen=True)
class BinaryPatterns:
    max_bytes: int
    window: int
    keywords: tuple[str, ...]
    usernames: frozenset[str]
    default_passwords: frozenset[str]


@dataclass(frozen=True)
class CredentialPatterns:
    password_words: frozenset[str]
    user_words: frozenset[str]
    login_context_words: frozenset[str]
    placeholder: re.Pattern[str]
    min_literal_length: int
    max_literal_length: int
    documentation_paths: tuple[str, ...]
    commands: tuple[CommandRule, ...]
    password_pipes: frozenset[str]
    url_schemes: tuple[str, ...]
    user_files: frozenset[str]
    binary: BinaryPatterns

    def is_documentation(self, device_path: str) -> bool:
        """`device_path` without its leading /."""
        return any(device_path.startswith(prefix) for prefix in self.documentation_paths)


@functools.cache
def default_patterns() -> CredentialPatterns:
    text = (files("iotbaseline") / "data" / "hardcoded" / "patterns.yaml").read_text(encoding="utf-8")
    return parse_patterns(text)


def parse_patterns(text: str) -> CredentialPatterns:
    try:
        data = yaml.safe_load(text)
        return _patterns(data)
    except (yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as error:
        raise PatternDataError(f"hard-coded credential patterns: {type(error).__name__}: {error}") from error


def parse_option(spec: str) -> OptionForm:
    words = spec.split()
    first, rest = words[0], tuple(words[1:])
    if first.endswith("=VALUE"):
        return OptionForm(first.removesuffix("VALUE"), attached=True)
    if first.endswith("VALUE"):
        return OptionForm(first.removesuffix("VALUE"), attached=True)
    if not rest or not rest[-1].endswith("VALUE"):
        raise ValueError(f"option form {spec!r} has no VALUE")
    prefix = rest[-1].removesuffix("VALUE")
    positional = (*rest[:-1], "VALUE")
    return OptionForm(first, attached=False, positional=positional, prefix=prefix)


def _patterns(data: Mapping[str, Any]) -> CredentialPatterns:
    placeholder = re.compile("|".join(f"(?:{p})" for p in data["placeholders"]), re.IGNORECASE | re.DOTALL)
    binary = data["binary"]
    return CredentialPatterns(
        password_words=_lower_set(data["password_words"]),
        user_words=_lower_set(data["user_words"]),
        login_context_words=_lower_set(data["login_context_words"]),
        placeholder=placeholder,
        min_literal_length=int(data["min_literal_length"]),
        max_literal_length=int(data["max_literal_length"]),
        documentation_paths=tuple(data["documentation_paths"]),
        commands=tuple(_command(spec) for spec in data["commands"]),
        password_pipes=frozenset(data["password_pipes"]),
        url_schemes=tuple(data["url_schemes"]),
        user_files=_lower_set(data["user_files"]),
        binary=BinaryPatterns(
            max_bytes=int(binary["max_bytes"]),
            window=int(binary["window"]),
            keywords=tuple(str(k) for k in binary["keywords"]),
            usernames=frozenset(_strings(binary["usernames"], "binary.usernames")),
            default_passwords=frozenset(_strings(binary["default_passwords"], "binary.default_passwords")),
        ),
    )


def _strings(values: list[Any], what: str) -> tuple[str, ...]:
    """YAML reads 00000000 as a number: every entry of a word list must be quoted text."""
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise ValueError(f"{what}: quote these so that they stay text: {bad}")
    return tuple(values)


def _lower_set(values: list[Any]) -> frozenset[str]:
    return frozenset(str(v).lower() for v in values)


def _command(spec: Mapping[str, Any]) -> CommandRule:
    return CommandRule(
        tools=frozenset(spec["tools"]),
        password=tuple(parse_option(s) for s in spec.get("password", ())),
        user=tuple(parse_option(s) for s in spec.get("user", ())),
        user_password=tuple(parse_option(s) for s in spec.get("user_password", ())),
        separator=str(spec.get("separator", ":")),
        login=bool(spec.get("login", False)),
    )

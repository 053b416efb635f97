"""The credential-attempt data (`data/live/credentials.yaml`, `data/live/mirai.txt`), loaded once and
validated: limits, the tier order per kind of login, the words of lockouts and failures."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from iotbaseline.checks.finding_kinds import FindingKind, parse_finding_kinds
from iotbaseline.live.data import LiveDataError, load_yaml

TIERS = frozenset({"vendor", "mirai", "kind", "common", "weak"})
_EMPTY = "<empty>"


@dataclass(frozen=True)
class LoginKind:
    tags: tuple[str, ...]
    """Cheat-sheet product tags of this kind of login: `hikvision (ssh)` is tagged ssh."""
    order: tuple[str, ...]
    needs_user: bool
    """Pairs with an empty user name are skipped (a telnet login cannot take one)."""


@dataclass(frozen=True)
class MiraiPair:
    user: str
    password: str
    weight: int


@dataclass(frozen=True)
class CredentialSettings:
    attempts: int
    hard_cap: int
    delay: float
    max_errors: int
    common_users: tuple[str, ...]
    excluded_users: frozenset[str]
    weak_passwords: int
    kinds: Mapping[str, LoginKind]
    generic_words: frozenset[str]
    lockout_words: tuple[str, ...]
    failure_words: tuple[str, ...]
    slowdown_seconds: float
    slowdown_factor: float
    slowdown_repeats: int
    refused_after: int
    form_user_fields: tuple[str, ...]
    login_path_words: tuple[str, ...]
    findings: Mapping[str, FindingKind]

    def kind(self, name: str) -> LoginKind:
        return self.kinds[name]

    def says_locked(self, text: str) -> str | None:
        """The lockout phrase the text holds as whole words, if any."""
        return _phrase_in(self.lockout_words, text)

    def says_failed(self, text: str) -> str | None:
        return _phrase_in(self.failure_words, text)


def _phrase_in(phrases: tuple[str, ...], text: str) -> str | None:
    lowered = " ".join(text.lower().split())
    return next((p for p in phrases if re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", lowered)), None)


@functools.cache
def credential_settings() -> CredentialSettings:
    try:
        return parse_credential_settings(load_yaml("credentials.yaml"))
    except (KeyError, TypeError, ValueError) as error:
        raise LiveDataError(f"data/live/credentials.yaml: {type(error).__name__}: {error}") from error


def parse_credential_settings(data: Mapping[str, Any]) -> CredentialSettings:
    limits, slowdown = data["limits"], data["slowdown"]
    kinds = {str(name): _kind(str(name), spec) for name, spec in data["kinds"].items()}
    settings = CredentialSettings(
        attempts=int(limits["attempts"]),
        hard_cap=int(limits["hard_cap"]),
        delay=float(limits["delay"]),
        max_errors=int(limits["max_errors"]),
        common_users=tuple(str(user) for user in data["common_users"]),
        excluded_users=frozenset(str(user).lower() for user in data["excluded_users"]),
        weak_passwords=int(data["weak_passwords"]),
        kinds=kinds,
        generic_words=frozenset(str(word).lower() for word in data["generic_words"]),
        lockout_words=tuple(str(word).lower() for word in data["lockout_words"]),
        failure_words=tuple(str(word).lower() for word in data["failure_words"]),
        slowdown_seconds=float(slowdown["seconds"]),
        slowdown_factor=float(slowdown["factor"]),
        slowdown_repeats=int(slowdown["repeats"]),
        refused_after=int(data["refused_after"]),
        form_user_fields=tuple(str(name).lower() for name in data["form_user_fields"]),
        login_path_words=tuple(str(word).lower() for word in data["login_path_words"]),
        findings=parse_finding_kinds(data["findings"]),
    )
    if not 0 < settings.attempts <= settings.hard_cap:
        raise ValueError("limits.attempts must be positive and at most limits.hard_cap")
    return settings


def _kind(name: str, spec: Mapping[str, Any]) -> LoginKind:
    order = tuple(str(tier) for tier in spec["order"])
    unknown = set(order) - TIERS
    if unknown:
        raise ValueError(f"kind {name}: unknown tiers {sorted(unknown)}")
    return LoginKind(tuple(str(tag).lower() for tag in spec["tags"]), order, bool(spec["needs_user"]))


@functools.cache
def mirai_pairs() -> tuple[MiraiPair, ...]:
    """The Mirai list in the source's order (`user password weight` a line)."""
    text = files("iotbaseline").joinpath("data", "live", "mirai.txt").read_text(encoding="utf-8")
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[2].isdigit():
            raise LiveDataError(f"data/live/mirai.txt line {number}: expected `user password weight`")
        user, password, weight = parts
        pairs.append(MiraiPair(user, "" if password == _EMPTY else password, int(weight)))
    return tuple(pairs)

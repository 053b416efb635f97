"""Command lines that give a shell without a password: a daemon told to run a shell instead of
login (`telnetd -l /bin/sh`, `getty -n -l /bin/sh`, `nc -l -p 23 -e /bin/sh`, `socat ... EXEC:sh`),
authentication skipped (`login -f root`, `agetty --autologin root`), or a bare interactive shell."""

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from iotbaseline.services.rules import ServiceRules, ShellRule


@dataclass(frozen=True)
class ShellAccess:
    where: str
    """network or console."""
    command: str
    """The part of the command line that opens the shell (`telnetd -l /bin/sh`)."""
    how: str
    """Why it needs no password, in words."""


def shell_without_login(name: str, words: Sequence[str], rules: ServiceRules) -> ShellAccess | None:
    """`name` is the program's name, `words` its arguments."""
    for rule in rules.shells_without_login:
        if name in rule.programs:
            found = _match(rule, name, words, rules.shells)
            if found is not None:
                return found
    return None


def interactive_shell(name: str, words: Sequence[str], rules: ServiceRules) -> bool:
    """A shell started with no script and no `-c`: it reads commands from its terminal."""
    if name not in rules.shells or name == "busybox":
        return False
    return "-c" not in words and not [w for w in words if not w.startswith("-")]


def _match(rule: ShellRule, name: str, words: Sequence[str], shells: frozenset[str]) -> ShellAccess | None:
    for option in rule.login_options:
        for value in option_values(words, option):
            if _is_shell(value, shells):
                return ShellAccess(
                    rule.where, f"{name} {option} {value}", f"it runs {value} instead of a login program"
                )
    for option in rule.autologin_options:
        for value in option_values(words, option):
            return ShellAccess(rule.where, f"{name} {option} {value}", f"it logs {value} in without a password")
    for flag in rule.skip_flags:
        if flag in words:
            return ShellAccess(rule.where, f"{name} {flag}", f"{name} {flag} skips authentication")
    for word in words:
        for prefix in rule.address_prefixes:
            if word.upper().startswith(prefix):
                target = re.split(r"[,\s]", word[len(prefix) :], maxsplit=1)[0]
                if _is_shell(target, shells):
                    return ShellAccess(rule.where, f"{name} {word}", f"it connects clients to {target}")
    return None


def option_values(words: Sequence[str], option: str) -> list[str]:
    """Values given to `option`: `-l VALUE`, `-lVALUE` (short options), `--opt=VALUE`, `--opt VALUE`."""
    values = []
    for index, word in enumerate(words):
        if word == option and index + 1 < len(words):
            values.append(words[index + 1])
        elif option.startswith("--") and word.startswith(option + "="):
            values.append(word[len(option) + 1 :])
        elif len(option) == 2 and word.startswith(option) and len(word) > 2 and not word.startswith("--"):
            values.append(word[2:])
    return values


def _is_shell(value: str, shells: frozenset[str]) -> bool:
    return posixpath.basename(value.strip("\"'")) in shells

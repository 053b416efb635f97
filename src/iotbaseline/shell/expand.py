"""Word expansion as the shell does it, on what a static reading knows: variables the script set
(with `${x:-default}`, `${x#prefix}` and friends), positional parameters, and command substitutions
only where their output is known (`$(uci get ...)`); anything else is unknown and shown as written.
Unquoted values are split into fields; quoted ones stay one word."""

import fnmatch
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from iotbaseline.shell.tokens import PartKind, Word

MAX_VALUE_CHARS = 4096
"""A longer value is unknown: `X=$X$X` repeated would otherwise double it on every line."""
_PARAMETER = re.compile(r"(#?)([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!-])(.*)", re.DOTALL)
_INNER_PARAMETER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_UNKNOWN_ENVIRONMENT = frozenset({"PATH", "HOME", "TERM", "SHELL", "USER", "LOGNAME", "PWD", "HOSTNAME", "RANDOM"})
"""Variables init's environment sets: unknown rather than empty when a script never sets them."""
_DEFAULTS = (":-", "-", ":=", "=")

Used = tuple[str, str, str, int]
"""A value an expansion used: (variable or setting, value, device path, line)."""
Substitution = Callable[[str], tuple[str, Used | None] | None]


class Unset(Enum):
    """What a variable the script never set holds."""

    EMPTY = "empty"
    """Nothing: the script defines its whole environment (an init script run by init)."""
    UNKNOWN = "unknown"
    """Unknown: the script runs in an environment it does not define (rc.common's helpers, after `eval`)."""
    PRESUMED_EMPTY = "presumed empty"
    """Unknown, so shown as written, but `${x:-default}` takes its default: a reading of one file on its
    own, which cannot tell what its caller exports but should show the value the script means."""


@dataclass(frozen=True)
class Variable:
    value: str | None
    """None: set to something the static reading cannot know."""
    path: str
    line: int


@dataclass(frozen=True)
class Expanded:
    fields: tuple[str, ...]
    unknown: bool
    used: tuple[Used, ...]

    @property
    def value(self) -> str | None:
        """The word as one value (an assignment's), None when unknown or too long to keep."""
        if self.unknown:
            return None
        joined = "".join(self.fields)
        return joined if len(joined) <= MAX_VALUE_CHARS else None


class Scope(Protocol):
    """What expansion reads from the running script."""

    @property
    def env(self) -> Mapping[str, Variable]: ...

    @property
    def positional(self) -> Sequence[str] | None:
        """`$1`...; None: unknown (a reading that does not follow calls)."""
        ...

    @property
    def unset(self) -> Unset: ...

    @property
    def script(self) -> str | None:
        """`$0`, or None when unknown."""
        ...

    def substitute(self, text: str) -> tuple[str, Used | None] | None:
        """The output of the command substitution `text` (as written), when it can be known."""
        ...


def expand(word: Word, scope: Scope, split: bool = True) -> Expanded:
    fields: list[str] = []
    current: list[str] = []
    started = False
    unknown = False
    used: list[Used] = []
    for part in word.parts:
        if part.kind is PartKind.LITERAL:
            current.append(part.text)
            started = started or part.quoted or bool(part.text)
            continue
        if part.kind is PartKind.SUBSTITUTION:
            value = _substitution(scope, part.text, used)
        else:
            value = _parameter(scope, part.text, used)
        if value is None:
            unknown = True
            current.append(part.source)
            started = True
            continue
        if part.quoted and part.text == "@":
            positional = scope.positional or ()
            if positional:
                current.append(positional[0])
                for item in positional[1:]:
                    fields.append("".join(current))
                    current = [item]
                started = True
            continue
        if part.quoted or not split:
            current.append(value)
            started = True
            continue
        pieces = value.split()
        if not pieces:
            continue
        if value[:1].isspace() and started:
            fields.append("".join(current))
            current, started = [], False
        current.append(pieces[0])
        for piece in pieces[1:]:
            fields.append("".join(current))
            current = [piece]
        started = True
        if value[-1:].isspace():
            fields.append("".join(current))
            current, started = [], False
    if started:
        fields.append("".join(current))
    return Expanded(tuple(fields), unknown, tuple(used))


def _substitution(scope: Scope, text: str, used: list[Used]) -> str | None:
    known = scope.substitute(text)
    if known is None:
        return None
    value, source = known
    if source is not None:
        used.append(source)
    return value


def _parameter(scope: Scope, expression: str, used: list[Used]) -> str | None:
    match = _PARAMETER.fullmatch(expression)
    if match is None:
        return None
    length, name, operation = match.groups()
    value, is_set = _lookup(scope, name, used)
    if length:
        return str(len(value)) if value is not None and not operation else None
    if not operation:
        return value
    for operator in (":-", ":=", ":+", ":?", "-", "=", "+", "?"):
        if operation.startswith(operator):
            return _default(scope, value, is_set, operator, operation[len(operator) :], used)
    for operator in ("##", "%%", "#", "%"):
        if operation.startswith(operator):
            pattern = _inner(scope, operation[len(operator) :], used)
            return None if value is None or pattern is None else _trim(value, operator, pattern)
    return None


def _default(scope: Scope, value: str | None, is_set: bool, operator: str, text: str, used: list[Used]) -> str | None:
    if value is None:
        # unknown; presumed unset (is_set False) only under Unset.PRESUMED_EMPTY
        return _inner(scope, text, used) if not is_set and operator in _DEFAULTS else None
    empty = not value if operator.startswith(":") else not is_set
    if operator.endswith("+"):
        return "" if empty else _inner(scope, text, used)
    if empty:
        return _inner(scope, text, used)
    return value


def _inner(scope: Scope, text: str, used: list[Used]) -> str | None:
    """A word inside `${x:-word}`: variables expanded, quotes dropped; None if anything is unknown."""
    if "$(" in text or "`" in text:
        return None
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        value, _ = _lookup(scope, match.group(1) or match.group(2), used)
        if value is None:
            unknown = True
            return ""
        return value

    result = _INNER_PARAMETER.sub(replace, text)
    return None if unknown else result.replace('"', "").replace("'", "")


def _lookup(scope: Scope, name: str, used: list[Used]) -> tuple[str | None, bool]:
    """(value or None if unknown, whether it is set)."""
    positional = scope.positional
    if name == "0":
        return scope.script, True
    if name.isdigit() or name in "@*#":
        if positional is None:
            return None, True
        if name in ("@", "*"):
            return " ".join(positional), True
        if name == "#":
            return str(len(positional)), True
        index = int(name)
        return (positional[index - 1], True) if index <= len(positional) else ("", False)
    if name in "?$!-":
        return None, True
    variable = scope.env.get(name)
    if variable is None:
        if scope.unset is Unset.PRESUMED_EMPTY:
            return None, False
        if scope.unset is Unset.UNKNOWN or name in _UNKNOWN_ENVIRONMENT:
            return None, True
        return "", False
    if variable.value is not None and variable.line:
        used.append((name, variable.value, variable.path, variable.line))
    return variable.value, True


def _trim(value: str, operator: str, pattern: str) -> str:
    """`${x#p}`, `${x##p}`, `${x%p}`, `${x%%p}` with shell patterns."""
    positions = range(len(value) + 1)
    if operator in ("#", "##"):
        order: Iterator[int] = iter(positions) if operator == "#" else reversed(positions)
        for end in order:
            if fnmatch.fnmatchcase(value[:end], pattern):
                return value[end:]
        return value
    order = reversed(positions) if operator == "%" else iter(positions)
    for start in order:
        if fnmatch.fnmatchcase(value[start:], pattern):
            return value[:start]
    return value

"""Word expansion as far as a reader of the script can follow it: `$NAME`, `${NAME}` and
`${NAME:-default}` of variables the script assigned literally, and command substitutions
(`$(...)`, backquotes) taken out to be read as commands of their own.

A variable the script does not assign a literal value (one read from a file or from a command's
output) stays as written (`$LATEST`): the reader knows no more than the text says.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

SUBSTITUTION = "__iotb_sub{}__"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])([^}]*))?\}")
MAX_SUBSTITUTIONS = 64


@dataclass(frozen=True)
class Expanded:
    text: str
    """The line with known variables replaced and each command substitution replaced by a
    placeholder word (SUBSTITUTION with its index)."""
    substitutions: tuple[str, ...]
    """The text inside each `$(...)` or backquote pair, in order."""


def expand(text: str, variables: Mapping[str, str]) -> Expanded:
    return _Expander(text, variables).run()


class _Expander:
    def __init__(self, text: str, variables: Mapping[str, str]) -> None:
        self.text = text
        self.variables = variables
        self.out: list[str] = []
        self.substitutions: list[str] = []

    def run(self) -> Expanded:
        text = self.text
        quote = ""
        index = 0
        while index < len(text):
            char = text[index]
            if quote == "'":
                self.out.append(char)
                quote = "" if char == "'" else quote
                index += 1
            elif char == "\\" and index + 1 < len(text):
                self.out.append(text[index : index + 2])
                index += 2
            elif char == "'" and not quote:
                quote = "'"
                self.out.append(char)
                index += 1
            elif char == '"':
                quote = "" if quote else '"'
                self.out.append(char)
                index += 1
            elif char == "`":
                end = _closing_backquote(text, index + 1)
                index = self._substitution(text[index + 1 : end], end + 1)
            elif char == "$":
                index = self._dollar(text, index, quoted=bool(quote))
            else:
                self.out.append(char)
                index += 1
        return Expanded("".join(self.out), tuple(self.substitutions))

    def _dollar(self, text: str, index: int, quoted: bool) -> int:
        rest = text[index + 1 :]
        if rest.startswith("(("):
            end = _closing_paren(text, index + 3, depth=2)
            self.out.append("0")
            return end + 1
        if rest.startswith("("):
            end = _closing_paren(text, index + 2)
            return self._substitution(text[index + 2 : end], end + 1)
        braced = _BRACED.match(rest)
        if braced:
            value = self._value(braced.group(1), braced.group(2), braced.group(3))
            self.out.append("$" + braced.group(0) if value is None else _inserted(value, quoted))
            return index + 1 + braced.end()
        name = _NAME.match(rest)
        if name and name.group(0) in self.variables:
            self.out.append(_inserted(self.variables[name.group(0)], quoted))
            return index + 1 + name.end()
        self.out.append("$")
        return index + 1

    def _value(self, name: str, operator: str | None, word: str | None) -> str | None:
        known = self.variables.get(name)
        if operator in (":-", "-", ":=", "=") and known is None:
            return word or ""
        if operator in (":+", "+"):
            return None
        return known

    def _substitution(self, inner: str, resume: int) -> int:
        if len(self.substitutions) < MAX_SUBSTITUTIONS:
            self.out.append(SUBSTITUTION.format(len(self.substitutions)))
            self.substitutions.append(inner)
        else:
            self.out.append(SUBSTITUTION.format("x"))
        return resume


def _inserted(value: str, quoted: bool) -> str:
    """A value as it must appear in the text so that tokenising gives what the shell would."""
    if not quoted:
        return value
    return re.sub(r'(["\\$`])', r"\\\1", value)


def _closing_paren(text: str, index: int, depth: int = 1) -> int:
    """Index of the `)` closing a `$(` opened before `index` (or the end of the text)."""
    quote = ""
    while index < len(text):
        char = text[index]
        if char == "\\" and quote != "'":
            index += 2
            continue
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return len(text)


def _closing_backquote(text: str, index: int) -> int:
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == "`":
            return index
        index += 1
    return len(text)

"""Shell source as tokens with their line numbers, read the way a POSIX shell reads it: quotes,
escapes, comments, line continuations, here-documents (skipped: their lines are data, not commands),
command substitutions (kept whole: what they print is unknown without running them).

A word is kept as parts (literal text, parameter expansion, command substitution), each marked
quoted or not, so that expansion can split fields and leave single-quoted `$x` alone.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

MAX_LOGICAL_LINE = 64 * 1024
"""A quote left open would swallow the rest of the file; past this many characters it is closed."""
MAX_TOKENS = 200_000

_OPERATORS = ("&&", "||", ";;", ";&", "|&", "&", "|", ";", "(", ")")
_REDIRECTION = re.compile(r"\d*(?:>>|>&|<&|<>|>\||<<<|<<-|<<|>|<)|&>>|&>")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_WORD_END = frozenset(" \t\n;&|()<>")


class PartKind(StrEnum):
    LITERAL = "literal"
    PARAMETER = "parameter"
    """`$name`, `${name:-default}`, `$1`, `$@`: `text` is what is between the braces."""
    SUBSTITUTION = "substitution"
    """`$(...)`, backquotes, `$((...))`: its value is unknown statically."""


@dataclass(frozen=True)
class Part:
    kind: PartKind
    text: str
    quoted: bool
    source: str
    """The part as written, for showing an unexpanded word."""


@dataclass(frozen=True)
class Word:
    parts: tuple[Part, ...]

    @property
    def source(self) -> str:
        return "".join(part.source for part in self.parts)

    @property
    def literal(self) -> str | None:
        """The word's text when it holds no expansion."""
        if any(part.kind is not PartKind.LITERAL for part in self.parts):
            return None
        return "".join(part.text for part in self.parts)

    @property
    def plain(self) -> str | None:
        """The text of an unquoted literal word: only such a word can be a reserved word."""
        if any(part.kind is not PartKind.LITERAL or part.quoted for part in self.parts):
            return None
        return "".join(part.text for part in self.parts)


class TokenKind(StrEnum):
    WORD = "word"
    OPERATOR = "operator"
    REDIRECTION = "redirection"
    NEWLINE = "newline"


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    line: int
    text: str = ""
    """Operator or redirection operator."""
    word: Word | None = None
    """The word (for a redirection: its target)."""


class _Incomplete(Exception):
    """The text ends inside a quote, a substitution or after a backslash: the next line belongs to it."""


def tokenize(text: str) -> list[Token]:
    """All tokens of a script; never raises on malformed input."""
    tokens: list[Token] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines) and len(tokens) < MAX_TOKENS:
        start = index
        logical = lines[index]
        index += 1
        while True:
            try:
                found = list(_Scanner(logical, start + 1).tokens())
                break
            except _Incomplete:
                if index >= len(lines) or len(logical) > MAX_LOGICAL_LINE:
                    found = list(_Scanner(logical, start + 1, lenient=True).tokens())
                    break
                logical += "\n" + lines[index]
                index += 1
        tokens.extend(found)
        tokens.append(Token(TokenKind.NEWLINE, index))
        for token in found:
            if token.kind is TokenKind.REDIRECTION and token.text in ("<<", "<<-") and token.word is not None:
                index = _skip_here_document(lines, index, token.word, strip_tabs=token.text == "<<-")
    return tokens


def _skip_here_document(lines: list[str], index: int, delimiter: Word, strip_tabs: bool) -> int:
    end = "".join(part.text for part in delimiter.parts)
    while index < len(lines):
        line = lines[index].lstrip("\t") if strip_tabs else lines[index]
        index += 1
        if line == end:
            break
    return index


class _Scanner:
    def __init__(self, text: str, first_line: int, lenient: bool = False) -> None:
        self.text = text
        self.position = 0
        self.first_line = first_line
        self.lenient = lenient
        """Close whatever is open at the end instead of asking for more lines."""

    def line(self, position: int) -> int:
        return self.first_line + self.text.count("\n", 0, position)

    def tokens(self) -> Iterator[Token]:
        text = self.text
        at_word_start = True
        while self.position < len(text):
            char = text[self.position]
            if char in " \t\n":
                self.position += 1
                at_word_start = True
                continue
            if char == "\\" and text.startswith("\\\n", self.position):
                self.position += 2
                continue
            if char == "\\" and self.position == len(text) - 1 and not self.lenient:
                raise _Incomplete
            if char == "#" and at_word_start:
                newline = text.find("\n", self.position)
                self.position = len(text) if newline < 0 else newline
                continue
            start = self.position
            redirection = _REDIRECTION.match(text, self.position)
            if redirection is not None and (
                redirection.group(0)[0] in "<>&" or self._digits_then_redirect(redirection)
            ):
                self.position = redirection.end()
                yield Token(TokenKind.REDIRECTION, self.line(start), redirection.group(0), self._redirect_target())
                at_word_start = True
                continue
            operator = next((op for op in _OPERATORS if text.startswith(op, self.position)), None)
            if operator is not None:
                self.position += len(operator)
                yield Token(TokenKind.OPERATOR, self.line(start), operator)
                at_word_start = True
                continue
            yield Token(TokenKind.WORD, self.line(start), word=self.word())
            at_word_start = True

    def _digits_then_redirect(self, match: re.Match[str]) -> bool:
        """`2>/dev/null` is a redirection only when the digits start the word."""
        return match.group(0)[0].isdigit()

    def _redirect_target(self) -> Word | None:
        text = self.text
        while self.position < len(text) and text[self.position] in " \t":
            self.position += 1
        if self.position >= len(text) or text[self.position] in _WORD_END:
            return None
        return self.word()

    def word(self) -> Word:
        parts: list[Part] = []
        literal: list[str] = []
        text = self.text

        def flush() -> None:
            if literal:
                joined = "".join(literal)
                parts.append(Part(PartKind.LITERAL, joined, False, joined))
                literal.clear()

        while self.position < len(text):
            char = text[self.position]
            if char in _WORD_END:
                break
            if char == "\\":
                if self.position + 1 >= len(text):
                    if not self.lenient:
                        raise _Incomplete
                    self.position += 1
                    break
                following = text[self.position + 1]
                self.position += 2
                if following != "\n":
                    flush()
                    parts.append(Part(PartKind.LITERAL, following, True, "\\" + following))
                continue
            if char == "'":
                flush()
                end = text.find("'", self.position + 1)
                if end < 0:
                    if not self.lenient:
                        raise _Incomplete
                    end = len(text)
                inner = text[self.position + 1 : end]
                parts.append(Part(PartKind.LITERAL, inner, True, f"'{inner}'"))
                self.position = end + 1
                continue
            if char == '"':
                flush()
                parts.extend(self._double_quoted())
                continue
            if char in "$`":
                expansion = self._expansion(quoted=False)
                if expansion is not None:
                    flush()
                    parts.append(expansion)
                    continue
            literal.append(char)
            self.position += 1
        flush()
        return Word(tuple(parts))

    def _double_quoted(self) -> list[Part]:
        text = self.text
        self.position += 1
        parts: list[Part] = []
        literal: list[str] = []

        def flush() -> None:
            if literal:
                joined = "".join(literal)
                parts.append(Part(PartKind.LITERAL, joined, True, joined))
                literal.clear()

        while True:
            if self.position >= len(text):
                if not self.lenient:
                    raise _Incomplete
                break
            char = text[self.position]
            if char == '"':
                self.position += 1
                break
            if char == "\\" and self.position + 1 < len(text) and text[self.position + 1] in '$`"\\\n':
                if text[self.position + 1] != "\n":
                    literal.append(text[self.position + 1])
                self.position += 2
                continue
            if char in "$`":
                expansion = self._expansion(quoted=True)
                if expansion is not None:
                    flush()
                    parts.append(expansion)
                    continue
            literal.append(char)
            self.position += 1
        flush()
        if not parts:
            parts.append(Part(PartKind.LITERAL, "", True, '""'))
        return parts

    def _expansion(self, quoted: bool) -> Part | None:
        """A `$...` or backquoted expansion at the current position, or None for a lone `$`."""
        text = self.text
        start = self.position
        if text[start] == "`":
            end = start + 1
            while end < len(text) and text[end] != "`":
                end += 2 if text[end] == "\\" else 1
            if end >= len(text) and not self.lenient:
                raise _Incomplete
            self.position = min(end + 1, len(text))
            return Part(PartKind.SUBSTITUTION, text[start : self.position], quoted, text[start : self.position])
        following = text[start + 1 : start + 2]
        if following == "(":
            self.position = self._closing(start + 2, "(", ")")
            return Part(PartKind.SUBSTITUTION, text[start : self.position], quoted, text[start : self.position])
        if following == "{":
            self.position = self._closing(start + 2, "{", "}")
            inner = text[start + 2 : self.position - 1]
            return Part(PartKind.PARAMETER, inner, quoted, text[start : self.position])
        name = _NAME.match(text, start + 1)
        if name is not None:
            self.position = name.end()
            return Part(PartKind.PARAMETER, name.group(0), quoted, text[start : self.position])
        if following and (following.isdigit() or following in "@*#?$!-"):
            self.position = start + 2
            return Part(PartKind.PARAMETER, following, quoted, text[start : self.position])
        return None

    def _closing(self, position: int, opening: str, closing: str) -> int:
        """The position after the bracket closing one opened just before `position`, skipping quotes."""
        text = self.text
        depth = 1
        while position < len(text):
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if char == "'" and opening == "(":
                end = text.find("'", position + 1)
                position = len(text) if end < 0 else end + 1
                continue
            if char == opening:
                depth += 1
            elif char == closing:
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        if not self.lenient:
            raise _Incomplete
        return len(text)

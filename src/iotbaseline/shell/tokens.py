"""Shell source as tokens with their line numbers, read the way a POSIX shell reads it: quotes,
escapes, comments, line continuations, here-documents (skipped: their lines are data, not commands),
command substitutions (kept whole: what they print is unknown without running them).

A word is kept as parts (literal text, parameter expansion, command substitution), each marked
quoted or not, so that expansion can split fields and leave single-quoted `$x` alone.

One pass over the text, linear in its length: a construct left open (a quote, `$(`) is searched for
its end at most MAX_CONSTRUCT characters ahead, and once the failed searches have cost
MAX_FAILED_SEARCH characters, only to the end of its line; an open construct then ends with its line.
"""

import bisect
import functools
import re
from dataclasses import dataclass
from enum import StrEnum

MAX_CONSTRUCT = 64 * 1024
"""A quote or substitution left open would swallow the rest of the file; past this many characters it
ends with the line it started on."""
MAX_FAILED_SEARCH = 8 * MAX_CONSTRUCT
MAX_TOKENS = 200_000

_OPERATOR = re.compile(r"&&|\|\||;;|;&|\|&|[&|;()]")
_REDIRECTION = re.compile(r"\d*(?:>>|>&|<&|<>|>\||<<<|<<-|<<|>|<)|&>>|&>")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BLANKS = re.compile(r"(?:[ \t]|\\\n)+")
_PLAIN = re.compile(r"[^ \t\n;&|()<>\\'\"$`]+")
"""Characters that stand for themselves outside quotes."""
_SIMPLE_WORD = re.compile(r"[^ \t\n;&|()<>\\'\"$`]+(?=[ \t\n;&|()<>]|\Z)")
_REDIRECTION_START = frozenset("<>&0123456789")
_OPERATOR_START = frozenset("&|;()")
_PLAIN_QUOTED = re.compile(r"[^\"\\$`]+")
_SEARCH = {
    "'": re.compile(r"'"),
    '"': re.compile(r'[\\"$`]'),
    "`": re.compile(r"[\\`]"),
    ")": re.compile(r"[\\'\"`()]"),
    "}": re.compile(r"[\\\"`{}]"),
}
"""What can end or nest inside each open construct."""
_WORD_END = frozenset(" \t\n;&|()<>")


class PartKind(StrEnum):
    LITERAL = "literal"
    PARAMETER = "parameter"
    """`$name`, `${name:-default}`, `$1`, `$@`: `text` is what is between the braces."""
    SUBSTITUTION = "substitution"
    """`$(...)`, backquotes, `$((...))`: its value is unknown statically; `text` is as written."""


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

    @functools.cached_property
    def literal(self) -> str | None:
        """The word's text when it holds no expansion."""
        if any(part.kind is not PartKind.LITERAL for part in self.parts):
            return None
        return "".join(part.text for part in self.parts)

    @functools.cached_property
    def plain(self) -> str | None:
        """The text of an unquoted literal word: only such a word can be a reserved word (asked of
        every word by the parser, hence kept)."""
        if len(self.parts) == 1:
            part = self.parts[0]
            return part.text if part.kind is PartKind.LITERAL and not part.quoted else None
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


def _literal_word(text: str) -> Word:
    return Word((Part(PartKind.LITERAL, text, False, text),))


def tokenize(text: str) -> list[Token]:
    """All tokens of a script; never raises on malformed input."""
    return _Scanner(text).tokens()


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.newlines = [match.start() for match in re.finditer("\n", text)]
        self.search_budget = MAX_FAILED_SEARCH
        self.here_documents: list[tuple[str, bool]] = []

    def line(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1

    def line_end(self, position: int) -> int:
        """Position of the newline ending the line `position` is on, or the end of the text."""
        index = bisect.bisect_left(self.newlines, position)
        return self.newlines[index] if index < len(self.newlines) else len(self.text)

    def tokens(self) -> list[Token]:
        text = self.text
        found: list[Token] = []
        while self.position < len(text) and len(found) < MAX_TOKENS:
            blanks = _BLANKS.match(text, self.position)
            if blanks is not None:
                self.position = blanks.end()
                continue
            char = text[self.position]
            start = self.position
            if char == "\n":
                found.append(Token(TokenKind.NEWLINE, self.line(start)))
                self.position += 1
                self._skip_here_documents()
            elif char == "#":  # only ever reached at the start of a word
                self.position = self.line_end(start)
            elif char in _REDIRECTION_START and (redirection := _REDIRECTION.match(text, start)) is not None:
                self.position = redirection.end()
                operator = redirection.group(0)
                found.append(Token(TokenKind.REDIRECTION, self.line(start), operator, self._target(operator)))
            elif char in _OPERATOR_START:
                operator_match = _OPERATOR.match(text, start)
                self.position = operator_match.end() if operator_match is not None else start + 1
                found.append(Token(TokenKind.OPERATOR, self.line(start), text[start : self.position]))
            elif (simple := _SIMPLE_WORD.match(text, start)) is not None:  # the common case, at once
                self.position = simple.end()
                found.append(Token(TokenKind.WORD, self.line(start), word=_literal_word(simple.group(0))))
            else:
                found.append(Token(TokenKind.WORD, self.line(start), word=self.word()))
        return found

    def _target(self, operator: str) -> Word | None:
        """The word after a redirection operator; a here-document's delimiter is remembered."""
        blanks = _BLANKS.match(self.text, self.position)
        if blanks is not None:
            self.position = blanks.end()
        if self.position >= len(self.text) or self.text[self.position] in _WORD_END:
            return None
        target = self.word()
        if operator.lstrip("0123456789") in ("<<", "<<-"):
            delimiter = "".join(part.text for part in target.parts)
            self.here_documents.append((delimiter, operator.endswith("-")))
        return target

    def _skip_here_documents(self) -> None:
        """The lines after the one that opened here-documents are their bodies, up to each delimiter."""
        pending, self.here_documents = self.here_documents, []
        for delimiter, strip_tabs in pending:
            while self.position < len(self.text):
                end = self.line_end(self.position)
                line = self.text[self.position : end]
                self.position = end + 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break

    # ---- words ------------------------------------------------------------------------------------------

    def word(self) -> Word:
        text = self.text
        parts = _Parts(quoted=False)
        while self.position < len(text):
            plain = _PLAIN.match(text, self.position)
            if plain is not None:
                parts.text(plain.group(0))
                self.position = plain.end()
                continue
            char = text[self.position]
            if char in _WORD_END:
                break
            if char == "\\":
                following = text[self.position + 1 : self.position + 2]
                self.position += 2
                if following not in ("", "\n"):
                    parts.add(Part(PartKind.LITERAL, following, True, "\\" + following))
            elif char == "'":
                end, after = self._close(self.position + 1, "'")
                inner = text[self.position + 1 : end]
                parts.add(Part(PartKind.LITERAL, inner, True, text[self.position : after]))
                self.position = after
            elif char == '"':
                for part in self._double_quoted():
                    parts.add(part)
            else:  # $ or `
                self._dollar_or_text(parts, quoted=False)
        return Word(parts.done())

    def _double_quoted(self) -> tuple[Part, ...]:
        text = self.text
        end, after = self._close(self.position + 1, '"')
        self.position += 1
        parts = _Parts(quoted=True)
        while self.position < end:
            plain = _PLAIN_QUOTED.match(text, self.position, end)
            if plain is not None:
                parts.text(plain.group(0))
                self.position = plain.end()
            elif text[self.position] == "\\":
                following = text[self.position + 1 : self.position + 2]
                escaped = following in ("$", "`", '"', "\\", "\n")
                parts.text(following.strip("\n") if escaped else "\\")
                self.position += 2 if escaped else 1
            else:
                self._dollar_or_text(parts, quoted=True, limit=end)
        self.position = after
        return parts.done() or (Part(PartKind.LITERAL, "", True, '""'),)

    def _dollar_or_text(self, parts: "_Parts", quoted: bool, limit: int | None = None) -> None:
        expansion = self._expansion(quoted, limit)
        if expansion is None:
            parts.text(self.text[self.position])
            self.position += 1
        else:
            parts.add(expansion)

    def _expansion(self, quoted: bool, limit: int | None = None) -> Part | None:
        """A `$...` or backquoted expansion at the current position, or None for a lone `$`."""
        text = self.text
        start = self.position
        following = text[start + 1 : start + 2]
        if text[start] == "`":
            kind, (end, after) = PartKind.SUBSTITUTION, self._close(start + 1, "`")
        elif following == "(":
            kind, (end, after) = PartKind.SUBSTITUTION, self._close(start + 2, ")")
        elif following == "{":
            kind, (end, after) = PartKind.PARAMETER, self._close(start + 2, "}")
        elif (name := _NAME.match(text, start + 1)) is not None:
            self.position = name.end()
            return Part(PartKind.PARAMETER, name.group(0), quoted, text[start : self.position])
        elif following and (following.isdigit() or following in "@*#?$!-"):
            self.position = start + 2
            return Part(PartKind.PARAMETER, following, quoted, text[start : self.position])
        else:
            return None
        if limit is not None and after > limit:  # the enclosing double quote ended first
            end = after = limit
        self.position = after
        written = text[start:after]
        return Part(kind, written if kind is PartKind.SUBSTITUTION else text[start + 2 : end], quoted, written)

    # ---- where constructs end -------------------------------------------------------------------------------

    def _close(self, position: int, closing: str) -> tuple[int, int]:
        """Where a construct opened just before `position` ends (`'`, `"`, a backquote, `)` of `$(`, `}`
        of `${`), with the quotes and substitutions nested in it: (its closing character, the position
        after it); an unclosed one ends with its line, before the newline."""
        text = self.text
        line_end = self.line_end(position)
        limit = min(len(text), position + MAX_CONSTRUCT) if self.search_budget > 0 else line_end
        stack = [closing]
        start = position
        while position < limit:
            top = stack[-1]
            found = _SEARCH[top].search(text, position, limit)
            if found is None:
                break
            position = found.start()
            char = text[position]
            if char == "\\":
                position += 2
                continue
            if char == top:
                stack.pop()
                if not stack:
                    return position, position + 1
            elif top == '"':
                if char == "`":
                    stack.append("`")
                elif text.startswith("$(", position):
                    stack.append(")")
                    position += 1
            elif top in ")}":
                if char == "'" and top == ")":
                    stack.append("'")
                elif char in '"`':
                    stack.append(char)
                elif (char, top) in (("(", ")"), ("{", "}")):
                    stack.append(top)
            position += 1
        self.search_budget -= position - start
        return line_end, line_end


class _Parts:
    """A word's parts as they are read: consecutive literal text is one part."""

    def __init__(self, quoted: bool) -> None:
        self.quoted = quoted
        self.parts: list[Part] = []
        self.literal: list[str] = []

    def text(self, chunk: str) -> None:
        self.literal.append(chunk)

    def add(self, part: Part) -> None:
        self._flush()
        self.parts.append(part)

    def done(self) -> tuple[Part, ...]:
        self._flush()
        return tuple(self.parts)

    def _flush(self) -> None:
        if self.literal:
            joined = "".join(self.literal)
            self.parts.append(Part(PartKind.LITERAL, joined, self.quoted, joined))
            self.literal.clear()

"""Shell commands with the structure a reader needs to follow a script's flow: which `if` part,
loop, brace group or function each command is in, how it is joined to the next (`;`, `&&`, `||`,
`|`), whether `set -e` is in force, and the commands run inside its command substitutions.

Words come from shlex (POSIX rules) after the expansion of variables the script assigned
literally. It is a reader, not an interpreter: nothing is ever run.
"""

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from iotbaseline.shell.expand import expand
from iotbaseline.shell.lines import logical_lines

MAX_COMMANDS = 20_000
MAX_SUBSTITUTION_DEPTH = 4
MAX_VALUE_CHARS = 2048
_PUNCTUATION = ";&|()<>"
_OPERATORS = (";;", "&&", "||", ">>", "<<", ">&", "<&", "&>", ";", "&", "|", "(", ")", "<", ">")
_SEPARATORS = frozenset({";", ";;", "&&", "||", "|", "&"})
_REDIRECTS = frozenset({">", ">>", "<", "<<", ">&", "<&", "&>"})
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
_FUNCTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]*$")
_PLACEHOLDER = re.compile(r"__iotb_sub(\d+)__")
_DECLARATIONS = frozenset({"export", "local", "readonly", "declare", "typeset"})


@dataclass(frozen=True)
class Frame:
    """A construct a command is inside: an `if` (part condition, then or else), a loop (condition or
    body), a case, a brace group, a subshell or a function (part: its name)."""

    kind: str
    id: int
    part: str = ""


@dataclass(frozen=True)
class Command:
    index: int
    line: int
    words: tuple[str, ...]
    frames: tuple[Frame, ...] = ()
    assignments: tuple[tuple[str, str], ...] = ()
    redirects: tuple[tuple[str, str], ...] = ()
    negated: bool = False
    joined_by: str = ""
    """The operator after the command: ; && || | & ;; or "" at the end of a line."""
    substituted: bool = False
    """Runs inside a command substitution of a later command."""
    errexit: bool = False
    """`set -e` (or `#!/bin/sh -e`) was in force."""

    @property
    def tool(self) -> str:
        return PurePosixPath(self.words[0]).name if self.words else ""

    def in_part(self, kind: str, frame_id: int, part: str) -> bool:
        return Frame(kind, frame_id, part) in self.frames


@dataclass(frozen=True)
class ShellScript:
    commands: tuple[Command, ...]
    functions: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Function name -> indexes of the commands of its body (nested ones included)."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """Every literal value each variable was given, last one kept."""

    def function_of(self, command: Command) -> str | None:
        names = [frame.part for frame in command.frames if frame.kind == "function"]
        return names[-1] if names else None


def parse_script(text: str) -> ShellScript:
    state = _State(errexit=_shebang_errexit(text))
    for line in logical_lines(text):
        if len(state.commands) >= MAX_COMMANDS:
            break
        _LineParser(state, line.number, base_frames=None, substituted=False, depth=0).parse(line.text)
    functions: dict[str, list[int]] = {}
    for command in state.commands:
        for frame in command.frames:
            if frame.kind == "function":
                functions.setdefault(frame.part, []).append(command.index)
    return ShellScript(
        tuple(state.commands), {name: tuple(indexes) for name, indexes in functions.items()}, dict(state.variables)
    )


@dataclass
class _OpenFrame:
    kind: str
    id: int
    part: str = ""


@dataclass
class _State:
    errexit: bool = False
    commands: list[Command] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    stack: list[_OpenFrame] = field(default_factory=list)
    next_frame: int = 0
    case_header: bool = False
    case_pattern: bool = False
    loop_header: bool = False
    pending_function: str | None = None
    function_keyword: bool = False

    def push(self, kind: str, part: str = "") -> None:
        self.next_frame += 1
        self.stack.append(_OpenFrame(kind, self.next_frame, part))

    def nearest(self, *kinds: str) -> _OpenFrame | None:
        return next((frame for frame in reversed(self.stack) if frame.kind in kinds), None)

    def pop(self, *kinds: str) -> None:
        for position in range(len(self.stack) - 1, -1, -1):
            if self.stack[position].kind in kinds:
                del self.stack[position:]
                return


class _LineParser:
    def __init__(
        self, state: _State, line: int, base_frames: tuple[Frame, ...] | None, substituted: bool, depth: int
    ) -> None:
        self.state = state
        self.line = line
        self.base_frames = base_frames
        self.substituted = substituted
        self.depth = depth
        self.words: list[str] = []
        self.redirects: list[tuple[str, str]] = []
        self.negated = False
        self.substitutions: tuple[str, ...] = ()

    def parse(self, text: str) -> None:
        expanded = expand(text, self.state.variables)
        self.substitutions = expanded.substitutions
        pending_redirect = ""
        for lexeme in _tokens(expanded.text):
            if pending_redirect:
                self.redirects.append((pending_redirect, lexeme))
                pending_redirect = ""
            elif lexeme in _REDIRECTS:
                if self.words and self.words[-1] in ("0", "1", "2"):
                    self.words.pop()  # the file descriptor of 2>/dev/null
                pending_redirect = lexeme
            elif lexeme in _SEPARATORS:
                self._end(lexeme)
                if lexeme == ";;" and self.state.nearest("case"):
                    self.state.case_pattern = True
            elif lexeme == "(":
                self._open_paren()
            elif lexeme == ")":
                self._close_paren()
            else:
                self._word(lexeme)
        self._end("")

    def _open_paren(self) -> None:
        state = self.state
        if state.case_pattern:
            return
        if len(self.words) == 1 and _FUNCTION_NAME.match(self.words[0]) and not self.redirects:
            state.pending_function = self.words[0]
            self.words = []
        elif not self.words and self.base_frames is None:
            state.push("subshell")

    def _close_paren(self) -> None:
        state = self.state
        if state.case_pattern:
            self.words = []
            state.case_pattern = False
            return
        if state.pending_function is not None and not self.words:
            return
        self._end("")
        if self.base_frames is None and state.stack and state.stack[-1].kind == "subshell":
            state.stack.pop()

    def _word(self, lexeme: str) -> None:
        state = self.state
        if state.case_pattern:
            if lexeme == "esac":
                state.pop("case")
                state.case_pattern = False
            return
        if state.case_header:
            if lexeme == "in":
                state.case_header = False
                state.case_pattern = True
            return
        if state.loop_header:
            if lexeme == "do":
                self._keyword(lexeme)
            return
        if state.function_keyword:
            state.function_keyword = False
            state.pending_function = lexeme.removesuffix("()")
            return
        if not self.words and self.base_frames is None and self._keyword(lexeme):
            return
        if not self.words and lexeme == "!":
            self.negated = True
            return
        self.words.append(lexeme)

    def _keyword(self, lexeme: str) -> bool:
        state = self.state
        frame_if = state.nearest("if")
        frame_loop = state.nearest("loop")
        match lexeme:
            case "if":
                state.push("if", "condition")
            case "then" if frame_if:
                frame_if.part = "then"
            case "elif" if frame_if:
                frame_if.part = "condition"
            case "else" if frame_if:
                frame_if.part = "else"
            case "fi":
                state.pop("if")
            case "while" | "until":
                state.push("loop", "condition")
            case "for" | "select":
                state.push("loop", "header")
                state.loop_header = True
            case "do" if frame_loop:
                frame_loop.part = "body"
                state.loop_header = False
            case "done":
                state.pop("loop")
            case "case":
                state.push("case")
                state.case_header = True
            case "esac":
                state.pop("case")
            case "{":
                if state.pending_function is not None:
                    state.push("function", state.pending_function)
                    state.pending_function = None
                else:
                    state.push("brace")
            case "}":
                state.pop("brace", "function")
            case "function":
                state.function_keyword = True
            case _:
                return False
        return True

    def _end(self, joined_by: str) -> None:
        words, redirects, negated = self.words, self.redirects, self.negated
        self.words, self.redirects, self.negated = [], [], False
        if not words and not redirects:
            return
        self._run_substitutions(words, redirects)
        assignments: list[tuple[str, str]] = []
        while words and (match := _ASSIGNMENT.match(words[0])):
            assignments.append((match.group(1), match.group(2)))
            words = words[1:]
        if not words:
            self._assign(assignments)
        elif words[0] in _DECLARATIONS:
            self._assign([(m.group(1), m.group(2)) for w in words[1:] if (m := _ASSIGNMENT.match(w))])
        if words and words[0] == "set":
            self.state.errexit = _errexit(words[1:], self.state.errexit)
        state = self.state
        frames = self._frames()
        state.commands.append(
            Command(
                index=len(state.commands),
                line=self.line,
                words=tuple(words),
                frames=frames,
                assignments=tuple(assignments),
                redirects=tuple(redirects),
                negated=negated,
                joined_by=joined_by,
                substituted=self.substituted,
                errexit=state.errexit,
            )
        )

    def _frames(self) -> tuple[Frame, ...]:
        """A command substitution runs where its command is; no construct opens inside one here."""
        if self.base_frames is not None:
            return self.base_frames
        return tuple(Frame(f.kind, f.id, f.part) for f in self.state.stack)

    def _assign(self, assignments: list[tuple[str, str]]) -> None:
        for name, value in assignments:
            if _PLACEHOLDER.search(value) or len(value) > MAX_VALUE_CHARS:
                self.state.variables.pop(name, None)  # a command's output: unknown to a reader
            else:
                self.state.variables[name] = value

    def _run_substitutions(self, words: list[str], redirects: list[tuple[str, str]]) -> None:
        if self.depth >= MAX_SUBSTITUTION_DEPTH:
            return
        text = " ".join([*words, *(target for _, target in redirects)])
        frames = self._frames()
        for match in _PLACEHOLDER.finditer(text):
            number = int(match.group(1))
            if number < len(self.substitutions):
                inner = _LineParser(self.state, self.line, frames, substituted=True, depth=self.depth + 1)
                inner.parse(self.substitutions[number])


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        raw = list(lexer)
    except ValueError:  # an unclosed quote: plain words
        raw = text.split()
    tokens: list[str] = []
    for lexeme in raw:
        if lexeme and set(lexeme) <= set(_PUNCTUATION):
            tokens.extend(_operators(lexeme))
        else:
            tokens.append(lexeme)
    return tokens


def _operators(run: str) -> list[str]:
    found: list[str] = []
    while run:
        operator = next(op for op in (*_OPERATORS, run[0]) if run.startswith(op))
        found.append(operator)
        run = run[len(operator) :]
    return found


def _errexit(arguments: list[str], current: bool) -> bool:
    for position, word in enumerate(arguments):
        if word in ("-o", "+o") and arguments[position + 1 : position + 2] == ["errexit"]:
            current = word == "-o"
        elif len(word) > 1 and word[0] in "-+" and word[1] != "-" and "e" in word[1:]:
            current = word[0] == "-"
    return current


def _shebang_errexit(text: str) -> bool:
    if not text.startswith("#!"):
        return False
    words = text[2:200].split("\n", 1)[0].split()
    return any(w.startswith("-") and not w.startswith("--") and "e" in w for w in words[1:])

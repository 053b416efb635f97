"""A script as the list of the commands it holds, in source order, each with the constructs around it:
which `if` part, loop, case, brace group, subshell or function it is in, the operator joining it to the
next, whether `set -e` is in force; the commands of its command substitutions come before it.

Every branch is listed and nothing is decided: `shell.flow` judges order and gating on this list,
`shell.run` follows one run instead. Words are expanded with what the text says: variables the script
assigned (the last value before the command); a value the reader cannot know stays as written
(`$LATEST`, `$1`), and an unset variable's `${x:-default}` gives its default.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from iotbaseline.shell.expand import Unset, Used, Variable, expand
from iotbaseline.shell.syntax import (
    AndOr,
    Background,
    Block,
    Case,
    For,
    Function,
    Group,
    If,
    Loop,
    Node,
    Pipeline,
    Simple,
    assignment,
    parse,
)
from iotbaseline.shell.tokens import PartKind, Word

MAX_COMMANDS = 20_000
MAX_SUBSTITUTION_DEPTH = 4
MAX_NESTING = 100
"""Constructs inside constructs, command substitutions included, that are listed (the parser's own
bound applies to each text, and the listing recurses through both)."""
_DECLARATIONS = frozenset({"export", "local", "readonly", "declare", "typeset"})
_ESCAPED_IN_BACKQUOTES = re.compile(r"\\([\\$`])")


@dataclass(frozen=True)
class Frame:
    """A construct a command is inside: an `if` (part condition, then or else; an `elif` is an `if` in
    the else part), a loop (condition, header or body), a case, a brace group, a subshell or a function
    (part: its name)."""

    kind: str
    id: int
    part: str = ""


@dataclass(frozen=True)
class Command:
    index: int
    line: int
    words: tuple[str, ...]
    frames: tuple[Frame, ...] = ()
    redirects: tuple[tuple[str, str], ...] = ()
    """(operator without its file descriptor: `>` for `2>`; target) in order."""
    negated: bool = False
    joined_by: str = ";"
    """The operator after the command: `&&`, `||`, `|`, `&` (in the background), `;;` (ends a case
    branch), or `;` (the next command simply follows)."""
    substituted: bool = False
    """Runs inside a command substitution of a later command."""
    errexit: bool = False
    """`set -e` (or `#!/bin/sh -e`) was in force."""

    @property
    def tool(self) -> str:
        return PurePosixPath(self.words[0]).name if self.words else ""


@dataclass(frozen=True)
class ShellScript:
    commands: tuple[Command, ...]
    functions: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    """Function name -> indexes of the commands of its body (nested ones included)."""

    def function_of(self, command: Command) -> str | None:
        names = [frame.part for frame in command.frames if frame.kind == "function"]
        return names[-1] if names else None


def parse_script(text: str) -> ShellScript:
    state = _State(errexit=_shebang_errexit(text))
    _Lister(state, substituted=False, depth=0, first_line=1).block(parse(text), ())
    functions: dict[str, list[int]] = {}
    for command in state.commands:
        for frame in command.frames:
            if frame.kind == "function":
                functions.setdefault(frame.part, []).append(command.index)
    return ShellScript(tuple(state.commands), {name: tuple(indexes) for name, indexes in functions.items()})


@dataclass
class _State:
    """What the listing shares across command substitutions; also the expansion scope."""

    errexit: bool = False
    commands: list[Command] = field(default_factory=list)
    env: dict[str, Variable] = field(default_factory=dict)
    frames: int = 0
    positional: Sequence[str] | None = None
    unset: Unset = Unset.PRESUMED_EMPTY
    script: str | None = None

    def frame(self, kind: str, part: str = "") -> Frame:
        self.frames += 1
        return Frame(kind, self.frames, part)

    def substitute(self, text: str) -> tuple[str, Used | None] | None:
        return None  # a command's output is unknown to a reader


class _Lister:
    def __init__(self, state: _State, substituted: bool, depth: int, first_line: int) -> None:
        self.state = state
        self.substituted = substituted
        self.depth = depth
        """Command substitutions this listing is inside."""
        self.first_line = first_line
        self.nesting = 0

    def block(self, nodes: Block, frames: tuple[Frame, ...], last: str = ";") -> None:
        for position, node in enumerate(nodes):
            self.node(node, frames, last if position == len(nodes) - 1 else ";")

    def node(self, node: Node, frames: tuple[Frame, ...], joined_by: str = ";", negated: bool = False) -> None:
        """`joined_by` and `negated` apply to a simple command only (and to the last of a list or pipeline)."""
        if len(self.state.commands) >= MAX_COMMANDS or self.nesting > MAX_NESTING:
            return
        self.nesting += 1
        try:
            self._node(node, frames, joined_by, negated)
        finally:
            self.nesting -= 1

    def _node(self, node: Node, frames: tuple[Frame, ...], joined_by: str, negated: bool) -> None:
        state = self.state
        if isinstance(node, Simple):
            self.simple(node, frames, joined_by, negated)
        elif isinstance(node, AndOr):
            pieces = (node.first, *(piece for _, piece in node.rest))
            operators = (*(operator for operator, _ in node.rest), joined_by)
            for piece, operator in zip(pieces, operators, strict=True):
                self.node(piece, frames, operator)
        elif isinstance(node, Pipeline):
            for position, piece in enumerate(node.commands):
                self.node(piece, frames, "|" if position < len(node.commands) - 1 else joined_by, node.negated)
        elif isinstance(node, Background):
            self.node(node.body, frames, "&")
        elif isinstance(node, If):
            self.if_clause(node, frames)
        elif isinstance(node, For):
            loop = state.frame("loop")
            for word in node.words or ():
                self.substitutions(word, (*frames, Frame("loop", loop.id, "header")), node.line)
            state.env[node.variable] = Variable(None, "", node.line)
            self.block(node.body, (*frames, Frame("loop", loop.id, "body")))
        elif isinstance(node, Loop):
            loop = state.frame("loop")
            self.block(node.condition, (*frames, Frame("loop", loop.id, "condition")))
            self.block(node.body, (*frames, Frame("loop", loop.id, "body")))
        elif isinstance(node, Case):
            self.substitutions(node.word, frames, node.line)
            inside = (*frames, state.frame("case"))
            for _, body in node.items:
                self.block(body, inside, last=";;")
        elif isinstance(node, Function):
            inside = (*frames, state.frame("function", node.name))
            if isinstance(node.body, Group) and not node.body.subshell:
                self.block(node.body.body, inside)
            else:
                self.node(node.body, inside)
        else:
            self.block(node.body, (*frames, state.frame("subshell" if node.subshell else "brace")))

    def if_clause(self, node: If, frames: tuple[Frame, ...]) -> None:
        """`elif` is an `if` inside the else part: a failed first condition does not lead to its else."""
        outer = frames
        frame = self.state.frame("if")
        for position, (condition, body) in enumerate(node.clauses):
            if position:
                outer = (*outer, Frame("if", frame.id, "else"))
                frame = self.state.frame("if")
            self.block(condition, (*outer, Frame("if", frame.id, "condition")))
            self.block(body, (*outer, Frame("if", frame.id, "then")))
        if node.otherwise is not None:
            self.block(node.otherwise, (*outer, Frame("if", frame.id, "else")))

    def simple(self, node: Simple, frames: tuple[Frame, ...], joined_by: str, negated: bool) -> None:
        state = self.state
        line = self.first_line + node.line - 1
        for word in (*node.words, *(target for _, target in node.redirects if target is not None)):
            self.substitutions(word, frames, line)
        words = list(node.words)
        assignments: list[tuple[str, Word]] = []
        while words and (found := assignment(words[0])) is not None:
            assignments.append(found)
            words.pop(0)
        argv = tuple(value for word in words for value in expand(word, state).fields)
        if not argv:
            for name, value in assignments:
                self.assign(name, value, line)
        elif argv[0] in _DECLARATIONS:
            for word in words[1:]:
                if (found := assignment(word)) is not None:
                    self.assign(*found, line)
        elif argv[0] == "set":
            state.errexit = _errexit(argv[1:], state.errexit)
        redirects = tuple(
            (operator.lstrip("0123456789"), "".join(expand(target, state, split=False).fields) if target else "")
            for operator, target in node.redirects
        )
        state.commands.append(
            Command(
                len(state.commands), line, argv, frames, redirects, negated, joined_by, self.substituted, state.errexit
            )
        )

    def assign(self, name: str, value: Word, line: int) -> None:
        self.state.env[name] = Variable(expand(value, self.state, split=False).value, "", line)

    def substitutions(self, word: Word, frames: tuple[Frame, ...], line: int) -> None:
        """The commands of the word's command substitutions: they run where the word is, in a subshell."""
        if self.depth >= MAX_SUBSTITUTION_DEPTH:
            return
        for part in word.parts:
            if part.kind is not PartKind.SUBSTITUTION or part.text.startswith("$(("):
                continue  # arithmetic is no command
            saved = dict(self.state.env)
            inner = _Lister(self.state, substituted=True, depth=self.depth + 1, first_line=line)
            inner.nesting = self.nesting
            inner.block(parse(_substituted_text(part.text)), frames)
            self.state.env.clear()
            self.state.env.update(saved)


def _substituted_text(written: str) -> str:
    """The commands of `$(...)` or a backquoted substitution as written (maybe left unclosed)."""
    if written.startswith("`"):
        body = written[1:-1] if len(written) > 1 and written.endswith("`") else written[1:]
        return _ESCAPED_IN_BACKQUOTES.sub(r"\1", body)
    body = written[2:]
    return body[:-1] if body.endswith(")") else body


def _errexit(arguments: Sequence[str], current: bool) -> bool:
    for position, word in enumerate(arguments):
        if word in ("-o", "+o") and tuple(arguments[position + 1 : position + 2]) == ("errexit",):
            current = word == "-o"
        elif len(word) > 1 and word[0] in "-+" and word[1] != "-" and "e" in word[1:]:
            current = word[0] == "-"
    return current


def _shebang_errexit(text: str) -> bool:
    if not text.startswith("#!"):
        return False
    words = text[2:200].split("\n", 1)[0].split()
    return any(w.startswith("-") and not w.startswith("--") and "e" in w for w in words[1:])

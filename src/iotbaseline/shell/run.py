"""Reads a shell script the way it would run, without running anything.

Variables assigned in the script (and in files it sources from the root filesystem) are expanded;
`case "$1"` takes the branch for the action the script is called with; `for f in /etc/init.d/S??*`
iterates over the files the image holds; functions are followed when called; `[ ... ]` tests on
literals are decided, so `ENABLE=0 ... [ "$ENABLE" = 1 ] && telnetd` starts nothing. What cannot be
decided (a file created at run time, the output of a command) makes what depends on it
*conditional*, never silently true or false. Work is bounded: nodes, loop turns, sourced files,
call depth.
"""

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from iotbaseline.shell.conditions import Truth, evaluate_test
from iotbaseline.shell.expand import Expanded, Substitution, Unset, Used, Variable, expand
from iotbaseline.shell.files import ImageFiles, has_glob, normalize
from iotbaseline.shell.syntax import (
    AndOr,
    Background,
    Block,
    Case,
    For,
    Function,
    If,
    Loop,
    Node,
    Pipeline,
    Simple,
    assignment,
    parse,
)
from iotbaseline.shell.tokens import Word

MAX_NODES = 50_000
MAX_NESTING = 200
"""Nodes inside nodes, through function calls and sourced files: deeper is not followed (Python's own
stack must hold the walk)."""
MAX_LOOP_TURNS = 256
MAX_CALL_DEPTH = 16
MAX_SOURCED = 64
_NOTHING = frozenset({":", "cd", "umask", "trap", "wait", "ulimit", "hash", "alias", "unalias", "true", "false"})


class Signal(StrEnum):
    CONTINUE = "continue"
    BREAK = "break"
    RETURN = "return"
    EXIT = "exit"


@dataclass(frozen=True)
class _Stop:
    signal: Signal
    certain: bool


@dataclass(frozen=True)
class Executed:
    """A command the script runs (builtins and function calls already taken care of)."""

    argv: tuple[str, ...]
    unresolved: bool
    """Some word holds an expansion whose value is unknown (shown as written)."""
    path: str
    line: int
    conditional: bool
    assignments: tuple[Used, ...]
    text: str


@dataclass
class ScriptRun:
    """What one run of a script did."""

    executed: list[Executed] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    sourced: list[str] = field(default_factory=list)
    truncated: bool = False


class ShellReader:
    """Parses scripts of one root filesystem (each once) and runs them statically."""

    def __init__(
        self, files: ImageFiles, setters: Mapping[str, int | None], substitute: Substitution | None = None
    ) -> None:
        self.files = files
        self.setters = setters
        """Commands that set a variable to something unknown: name -> index of the variable argument
        (None: every non-option argument, as `read a b`)."""
        self.substitute = substitute
        """The output of a command substitution that can be known statically (`$(uci get x.y.z)`
        reads the default configuration), or None."""
        self._parsed: dict[str, Block | None] = {}
        self._lines: dict[str, list[str]] = {}

    def parsed(self, path: str) -> Block | None:
        path = normalize(path)
        if path not in self._parsed:
            text = self.files.read_text(path)
            self._parsed[path] = parse(text) if text is not None else None
        return self._parsed[path]

    def lines(self, path: str) -> list[str]:
        if path not in self._lines:
            text = self.files.read_text(path)
            self._lines[path] = text.split("\n") if text is not None else []
        return self._lines[path]

    def run(
        self,
        path: str,
        args: Sequence[str] = (),
        *,
        call: str | None = None,
        opaque: bool = False,
        text: str | None = None,
        prelude: str | None = None,
    ) -> ScriptRun:
        """Run `path` with `args`; then, if given and defined, call function `call` (rc.common's way).
        `opaque`: the script runs in an environment it does not define (rc.common's helpers), so a
        variable it never sets is unknown rather than empty. `text`: run this text as if it were `path`
        (a crontab line, `sh -c`). `prelude`: shell text run first (the functions rc.common defines)."""
        block = parse(text) if text is not None else self.parsed(path)
        result = ScriptRun()
        if block is None:
            return result
        state = _Run(self, result, normalize(path), list(args), opaque)
        if text is not None:
            state.line_texts[state.path] = text.split("\n")
        if prelude is not None:
            state.run_top(parse(prelude))
        state.run_top(block)
        if call is not None and call in result.functions and not state.exited:
            state.call_function(call, list(args[1:]), conditional=state.exited_uncertain)
        result.truncated = state.truncated
        return result


class _Run:
    def __init__(self, reader: ShellReader, result: ScriptRun, path: str, args: list[str], opaque: bool) -> None:
        self.reader = reader
        self.files = reader.files
        self.result = result
        self.env = result.variables
        self.paths = [path]
        self.positional = args
        self.unset = Unset.UNKNOWN if opaque else Unset.EMPTY
        self.nodes = 0
        self.nesting = 0
        self.truncated = False
        self.depth = 0
        self.exited = False
        self.exited_uncertain = False
        self.line_texts: dict[str, list[str]] = {}

    @property
    def path(self) -> str:
        return self.paths[-1]

    @property
    def script(self) -> str:
        return self.paths[0]

    def substitute(self, text: str) -> tuple[str, Used | None] | None:
        return self.reader.substitute(text) if self.reader.substitute is not None else None

    def expand(self, word: Word, split: bool = True) -> Expanded:
        return expand(word, self, split)

    def run_top(self, block: Block) -> None:
        stop = self.block(block, False)
        if stop is not None and stop.signal is Signal.EXIT:
            self.exited = stop.certain
            self.exited_uncertain = not stop.certain

    # ---- control flow ------------------------------------------------------------------------------------

    def block(self, nodes: Block, conditional: bool) -> _Stop | None:
        pending: _Stop | None = None
        for node in nodes:
            stop = self.node(node, conditional)[1]
            if stop is None:
                continue
            if stop.certain:
                return stop
            conditional = True  # the rest runs only if the uncertain exit was not taken
            pending = pending or stop
        return pending

    def node(self, node: Node, conditional: bool) -> tuple[Truth, _Stop | None]:
        self.nodes += 1
        if self.nodes > MAX_NODES or self.nesting >= MAX_NESTING:
            self.truncated = True
            # out of budget: the run ends here; too deep: this node may have exited, so the rest is conditional
            return Truth.UNKNOWN, _Stop(Signal.EXIT, self.nodes > MAX_NODES)
        self.nesting += 1
        try:
            return self._node(node, conditional)
        finally:
            self.nesting -= 1

    def _node(self, node: Node, conditional: bool) -> tuple[Truth, _Stop | None]:
        if isinstance(node, Simple):
            return self.simple(node, conditional)
        if isinstance(node, AndOr):
            return self.and_or(node, conditional)
        if isinstance(node, Pipeline):
            truth, stop = Truth.UNKNOWN, None
            for command in node.commands:
                truth, stop = self.node(command, conditional)
            if node.negated:
                truth = truth.negated()
            if len(node.commands) > 1:
                return (truth if node.negated else Truth.UNKNOWN), None
            return truth, stop
        if isinstance(node, If):
            return Truth.UNKNOWN, self.if_clause(node, conditional)
        if isinstance(node, For):
            return Truth.UNKNOWN, self.for_clause(node, conditional)
        if isinstance(node, Loop):
            return Truth.UNKNOWN, self.loop(node, conditional)
        if isinstance(node, Case):
            return Truth.UNKNOWN, self.case_clause(node, conditional)
        if isinstance(node, Function):
            self.result.functions[node.name] = node
            return Truth.TRUE, None
        if isinstance(node, Background):
            self.subshell((node.body,), conditional)
            return Truth.TRUE, None  # `&` succeeds; nothing in the background stops the script
        if not node.subshell:
            return Truth.UNKNOWN, self.block(node.body, conditional)
        stop = self.subshell(node.body, conditional)
        return Truth.UNKNOWN, None if stop is None or stop.signal is Signal.EXIT else stop

    def subshell(self, nodes: Block, conditional: bool) -> _Stop | None:
        """Its variables are its own."""
        saved = dict(self.env)
        stop = self.block(nodes, conditional)
        self.env.clear()
        self.env.update(saved)
        return stop

    def and_or(self, node: AndOr, conditional: bool) -> tuple[Truth, _Stop | None]:
        truth, stop = self.node(node.first, conditional)
        for operator, following in node.rest:
            if stop is not None and stop.certain:
                return truth, stop
            runs = truth is Truth.TRUE if operator == "&&" else truth is Truth.FALSE
            skipped = truth is Truth.FALSE if operator == "&&" else truth is Truth.TRUE
            if skipped:
                continue
            next_truth, next_stop = self.node(following, conditional or not runs)
            if next_stop is not None:
                stop = next_stop if runs else _Stop(next_stop.signal, False)
            truth = next_truth if runs else Truth.UNKNOWN
        return truth, stop

    def condition(self, nodes: Block, conditional: bool) -> tuple[Truth, _Stop | None]:
        truth, stop = Truth.TRUE, None
        for node in nodes:
            truth, stop = self.node(node, conditional)
            if stop is not None:
                return Truth.UNKNOWN, stop
        return truth, stop

    def if_clause(self, node: If, conditional: bool) -> _Stop | None:
        pending: _Stop | None = None
        for condition, body in node.clauses:
            truth, stop = self.condition(condition, conditional)
            if stop is not None:
                return stop
            if truth is Truth.FALSE:
                continue
            stop = self.block(body, conditional or truth is Truth.UNKNOWN)
            if truth is Truth.TRUE:
                return stop
            conditional = True
            pending = pending or (_Stop(stop.signal, False) if stop is not None else None)
        if node.otherwise is not None:
            stop = self.block(node.otherwise, conditional)
            if stop is not None:
                return stop if not conditional else _Stop(stop.signal, False)
        return pending

    def for_clause(self, node: For, conditional: bool) -> _Stop | None:
        if node.words is None:
            values: list[str | None] = list(self.positional)
        else:
            values = []
            for word in node.words:
                expanded = self.expand(word)
                if expanded.unknown:
                    values.append(None)
                    continue
                for value in expanded.fields:
                    values.extend(self.files.glob(value) if has_glob(value) and _unquoted(word) else [value])
        return self.iterate(node, values[:MAX_LOOP_TURNS], conditional)

    def iterate(self, node: For, values: list[str | None], conditional: bool) -> _Stop | None:
        for value in values:
            self.env[node.variable] = Variable(value, self.path, node.line)
            stop = self.block(node.body, conditional or value is None)
            if stop is None or stop.signal is Signal.CONTINUE:
                continue
            if stop.signal is Signal.BREAK:
                if stop.certain:
                    break
                conditional = True
                continue
            return stop
        return None

    def loop(self, node: Loop, conditional: bool) -> _Stop | None:
        truth, stop = self.condition(node.condition, conditional)
        if stop is not None:
            return stop
        if node.until:
            truth = truth.negated()
        if truth is Truth.FALSE:
            return None
        stop = self.block(node.body, conditional or truth is Truth.UNKNOWN)
        if stop is None or stop.signal in (Signal.CONTINUE, Signal.BREAK):
            return None
        return stop

    def case_clause(self, node: Case, conditional: bool) -> _Stop | None:
        subject = self.expand(node.word)
        value = " ".join(subject.fields) if not subject.unknown else None
        pending: _Stop | None = None
        for patterns, body in node.items:
            matched = self.case_match(value, patterns)
            if matched is Truth.FALSE:
                continue
            stop = self.block(body, conditional or matched is Truth.UNKNOWN)
            if matched is Truth.TRUE:
                return stop
            pending = pending or (_Stop(stop.signal, False) if stop is not None else None)
        return pending

    def case_match(self, value: str | None, patterns: tuple[Word, ...]) -> Truth:
        if value is None:
            return Truth.UNKNOWN
        unknown = False
        for pattern in patterns:
            expanded = self.expand(pattern)
            if expanded.unknown:
                unknown = True
                continue
            if fnmatch.fnmatchcase(value, "".join(expanded.fields)):
                return Truth.TRUE
        return Truth.UNKNOWN if unknown else Truth.FALSE

    # ---- simple commands ---------------------------------------------------------------------------------

    def simple(self, node: Simple, conditional: bool) -> tuple[Truth, _Stop | None]:
        words = list(node.words)
        assignments: list[tuple[str, Word]] = []
        while words and (found := assignment(words[0])) is not None:
            assignments.append(found)
            words.pop(0)
        if not words:
            for name, value in assignments:
                self.assign(name, value, node.line, conditional)
            return Truth.TRUE, None
        expanded = [self.expand(word) for word in words]
        argv = [value for item in expanded for value in item.fields]
        if not argv:
            return Truth.TRUE, None
        name = argv[0]
        if name in ("[", "test", "[[", "true", "false"):
            if any(item.unknown for item in expanded):
                return Truth.UNKNOWN, None
            return evaluate_test(argv, self.files), None
        if name in _NOTHING:
            return Truth.UNKNOWN, None
        handled = self.builtin(name, argv, words, node.line, conditional)
        if handled is not None:
            return handled
        if name in self.result.functions:
            return Truth.UNKNOWN, self.call_function(name, argv[1:], conditional)
        if name in self.reader.setters:
            self.unknown_variables(name, argv)
            return Truth.UNKNOWN, None
        self.record(argv, expanded, node.line, conditional)
        return Truth.UNKNOWN, None

    def builtin(
        self, name: str, argv: list[str], words: list[Word], line: int, conditional: bool
    ) -> tuple[Truth, _Stop | None] | None:
        if name in ("export", "local", "readonly", "typeset", "declare"):
            for word in words[1:]:
                found = assignment(word)
                if found is not None:
                    self.assign(*found, line, conditional)
            return Truth.TRUE, None
        if name == "unset":
            for variable in argv[1:]:
                self.env.pop(variable, None)
            return Truth.TRUE, None
        if name in (".", "source"):
            self.source(argv[1] if len(argv) > 1 else "", conditional)
            return Truth.UNKNOWN, None
        if name == "shift":
            count = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
            self.positional = self.positional[count:]
            return Truth.TRUE, None
        if name == "set":
            if "--" in argv:
                self.positional = argv[argv.index("--") + 1 :]
            return Truth.TRUE, None
        if name == "eval":
            self.unset = Unset.UNKNOWN
            return Truth.UNKNOWN, None
        if name in ("exit", "return", "break", "continue"):
            return Truth.UNKNOWN, _Stop(Signal(name), not conditional)
        if name == "exec":
            if len(argv) > 1:
                self.record(argv[1:], [self.expand(word) for word in words[1:]], line, conditional)
                return Truth.UNKNOWN, _Stop(Signal.EXIT, not conditional)
            return Truth.TRUE, None
        return None

    def call_function(self, name: str, args: list[str], conditional: bool) -> _Stop | None:
        if self.depth >= MAX_CALL_DEPTH:
            return None
        function = self.result.functions[name]
        saved = self.positional
        self.positional = args
        self.depth += 1
        try:
            _, stop = self.node(function.body, conditional)
        finally:
            self.depth -= 1
            self.positional = saved
        if stop is not None and stop.signal is Signal.RETURN:
            return None
        return stop

    def source(self, target: str, conditional: bool) -> None:
        path = normalize(target) if target.startswith("/") else None
        block = self.reader.parsed(path) if path is not None else None
        if path is None or block is None or len(self.result.sourced) >= MAX_SOURCED or path in self.paths:
            self.unset = Unset.UNKNOWN  # its variables and functions are unknown from here on
            return
        self.result.sourced.append(path)
        self.paths.append(path)
        try:
            self.block(block, conditional)
        finally:
            self.paths.pop()

    def assign(self, name: str, word: Word, line: int, conditional: bool) -> None:
        value = None if conditional else self.expand(word, split=False).value  # conditional: old or new value
        self.env[name] = Variable(value, self.path, line)

    def unknown_variables(self, name: str, argv: list[str]) -> None:
        index = self.reader.setters[name]
        names = [a for a in argv[1:] if not a.startswith("-")] if index is None else argv[index : index + 1]
        for variable in names:
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
                self.env[variable] = Variable(None, self.path, 0)

    def record(self, argv: list[str], expanded: Sequence[Expanded], line: int, conditional: bool) -> None:
        lines = self.line_texts.get(self.path) or self.reader.lines(self.path)
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        used = tuple(dict.fromkeys(u for item in expanded for u in item.used))
        unresolved = any(item.unknown for item in expanded)
        self.result.executed.append(
            Executed(tuple(argv), unresolved, self.path, line, conditional, used, text.strip()[:400])
        )


def _unquoted(word: Word) -> bool:
    return not any(part.quoted for part in word.parts)

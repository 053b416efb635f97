"""The order a script runs its commands in, and which later commands run only when a given command
succeeded: the question "does the signature check stop the flash?".

Functions are inlined at their call sites (a function never called runs once at the end, as a
library's would when another script calls it). A command `gates` the later steps that cannot run
after it failed:
  - `cmd || exit 1`, `cmd || { ...; exit 1; }`, `cmd || die` (a function of the script that exits);
  - `if ! cmd; then ...; exit 1; fi`, and `if cmd; then <gated steps>; else exit 1; fi`;
  - `cmd && <gated steps>`;
  - `set -e` in force and `cmd` a plain statement;
  - `cmd` followed by a test of `$?` that exits;
  - inside a function, `return` instead of `exit`, or `cmd` as the function's last command: then the
    call site is judged the same way.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from iotbaseline.shell.commands import Command, Frame, ShellScript

MAX_INLINE_DEPTH = 6
MAX_STEPS = 50_000
DEFAULT_ABORTS = frozenset({"exit", "reboot", "halt", "poweroff"})


@dataclass(frozen=True)
class Step:
    order: int
    command: Command
    calls: tuple[int, ...] = ()
    """Orders of the call steps this step runs inside, outermost first."""


class ScriptFlow:
    def __init__(self, script: ShellScript, aborts: frozenset[str] = DEFAULT_ABORTS) -> None:
        self.script = script
        self.commands = script.commands
        self.exiting_functions = frozenset(name for name in script.functions if self._function_exits(name, aborts))
        self.aborts = aborts | self.exiting_functions
        self.steps = _trace(script)

    def gated_by(self, step: Step) -> frozenset[int]:
        """Orders of the steps that run only if `step` succeeded."""
        return frozenset(self._gated(step, depth=0))

    def _gated(self, step: Step, depth: int) -> Iterator[int]:
        command = step.command
        condition = _condition_frame(command)
        if condition is not None:
            if not command.negated:
                yield from self._inside(step, Frame("if", condition.id, "then"))
            effect = self._part_aborts(condition.id, "else" if not command.negated else "then")
            yield from self._effect(step, effect, depth)
            return
        if command.joined_by == "||":
            handler = self._handler(command)
            for order in self._effect(step, self._handler_aborts(command), depth):
                if self.steps[order].command.index not in handler:
                    yield order
        elif command.joined_by == "&&":
            yield from self._chain(step)
        elif (
            command.errexit and not command.negated and command.joined_by not in ("|", "&") and not command.substituted
        ):
            yield from self._effect(step, "script", depth)
        else:
            yield from self._effect(step, self._status_test_aborts(command), depth)
        if self._is_last_of_function(command) and step.calls and depth < MAX_INLINE_DEPTH:
            call = self.steps[step.calls[-1]]
            yield from self._gated(call, depth + 1)

    def _effect(self, step: Step, effect: str | None, depth: int) -> Iterator[int]:
        if effect == "script" or (effect == "function" and not step.calls):
            yield from (s.order for s in self.steps[step.order + 1 :])
        elif effect == "function":
            instance = step.calls
            for later in self.steps[step.order + 1 :]:
                if later.calls[: len(instance)] == instance:
                    yield later.order
            if depth < MAX_INLINE_DEPTH:
                yield from self._gated(self.steps[instance[-1]], depth + 1)

    def _inside(self, step: Step, frame: Frame) -> Iterator[int]:
        for later in self.steps[step.order + 1 :]:
            if later.calls[: len(step.calls)] != step.calls:
                continue
            if frame in later.command.frames or self._called_from(later, step, lambda c: frame in c.frames):
                yield later.order

    def _chain(self, step: Step) -> Iterator[int]:
        members = set()
        current: Command | None = step.command
        while current is not None and current.joined_by == "&&":
            current = self._next(current)
            if current is not None:
                members.add(current.index)
        for later in self.steps[step.order + 1 :]:
            if later.command.index in members or self._called_from(later, step, lambda c: c.index in members):
                yield later.order

    def _called_from(self, later: Step, origin: Step, test: Callable[[Command], bool]) -> bool:
        """Whether `later` runs inside a call made by a command that passes `test`, in origin's instance."""
        depth = len(origin.calls)
        return any(test(self.steps[order].command) for order in later.calls[depth:])

    def _next(self, command: Command) -> Command | None:
        for candidate in self.commands[command.index + 1 :]:
            if candidate.substituted == command.substituted:
                return candidate
        return None

    def _handler(self, command: Command) -> set[int]:
        """Indexes of the commands run when `command` fails (after `||`): one command or a brace group."""
        handler = self._next(command)
        if handler is None:
            return set()
        if len(handler.frames) > len(command.frames) and handler.frames[-1].kind == "brace":
            group = handler.frames[-1]
            return {c.index for c in self.commands if group in c.frames}
        return {handler.index}

    def _handler_aborts(self, command: Command) -> str | None:
        """What the command after `||` does: an abort, or a brace group that aborts."""
        handler = self._next(command)
        if handler is None:
            return None
        if len(handler.frames) > len(command.frames) and handler.frames[-1].kind == "brace":
            group = handler.frames[-1]
            members = [c for c in self.commands if group in c.frames and _only_braces_after(c, group)]
            return _strongest(self._abort_of(c) for c in members)
        return self._abort_of(handler)

    def _part_aborts(self, if_id: int, part: str) -> str | None:
        frame = Frame("if", if_id, part)
        members = [c for c in self.commands if frame in c.frames and _only_braces_after(c, frame)]
        return _strongest(self._abort_of(c) for c in members)

    def _status_test_aborts(self, command: Command) -> str | None:
        """`cmd; if [ $? -ne 0 ]; then exit 1; fi` or `cmd; [ $? -eq 0 ] || exit 1`."""
        if command.joined_by != ";":
            return None
        test = self._next(command)
        if test is None or not any("$?" in word for word in test.words):
            return None
        condition = _condition_frame(test)
        if condition is not None:
            return self._part_aborts(condition.id, "then")
        if test.joined_by in ("||", "&&"):
            return self._handler_aborts(test)
        return None

    def _abort_of(self, command: Command) -> str | None:
        if command.negated or command.substituted or not command.words:
            return None
        if command.tool == "return":
            return "function"
        return "script" if command.tool in self.aborts else None

    def _is_last_of_function(self, command: Command) -> bool:
        name = self.script.function_of(command)
        if name is None or command.frames[-1].kind != "function":
            return False
        body = [self.commands[i] for i in self.script.functions.get(name, ()) if not self.commands[i].substituted]
        return bool(body) and body[-1].index == command.index

    def _function_exits(self, name: str, aborts: frozenset[str]) -> bool:
        for index in self.script.functions.get(name, ()):
            command = self.commands[index]
            if command.tool in aborts and command.frames and command.frames[-1].kind == "function":
                return True
        return False


def _trace(script: ShellScript) -> list[Step]:
    steps: list[Step] = []
    called: set[str] = set()

    def run(indexes: list[int], calls: tuple[int, ...], active: tuple[str, ...]) -> None:
        for index in indexes:
            if len(steps) >= MAX_STEPS:
                return
            command = script.commands[index]
            step = Step(len(steps), command, calls)
            steps.append(step)
            name = command.tool
            if name in script.functions and name not in active and len(active) < MAX_INLINE_DEPTH:
                called.add(name)
                run(_direct_body(script, name), (*calls, step.order), (*active, name))

    top = [c.index for c in script.commands if not any(f.kind == "function" for f in c.frames)]
    run(top, (), ())
    for name in script.functions:
        if name not in called:
            run(_direct_body(script, name), (), (name,))
    return steps


def _direct_body(script: ShellScript, name: str) -> list[int]:
    """The commands of a function that are not inside a function defined within it."""
    body = []
    for index in script.functions[name]:
        functions = [f for f in script.commands[index].frames if f.kind == "function"]
        if functions and functions[-1].part == name:
            body.append(index)
    return body


def _condition_frame(command: Command) -> Frame | None:
    if command.frames and command.frames[-1].kind == "if" and command.frames[-1].part == "condition":
        return command.frames[-1]
    return None


def _only_braces_after(command: Command, frame: Frame) -> bool:
    position = command.frames.index(frame)
    return all(f.kind == "brace" for f in command.frames[position + 1 :])


def _strongest(effects: Iterator[str | None]) -> str | None:
    found = set(effects)
    if "script" in found:
        return "script"
    return "function" if "function" in found else None

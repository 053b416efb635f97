"""What a script erases: flash partitions, volumes and folders that hold user data (a complete
wipe), or selected files (a partial one), and the programs it calls (to follow a button handler
to the reset routine it starts)."""

from dataclasses import dataclass
from pathlib import PurePosixPath

from iotbaseline.reset.rules import EraserRule, ResetRules
from iotbaseline.shell import Command, parse_script
from iotbaseline.shell.options import read_arguments

MAX_CALLS = 512


@dataclass(frozen=True)
class Erasure:
    line: int
    tool: str
    target: str
    complete: bool
    """A whole user-data store (a data partition, volume or folder), not selected files."""


@dataclass(frozen=True)
class ScriptFacts:
    erasures: tuple[Erasure, ...]
    calls: frozenset[str]
    """Every program the script runs, by name and by path."""


def read_reset_script(text: str, rules: ResetRules) -> ScriptFacts:
    erasures: list[Erasure] = []
    calls: set[str] = set()
    for command in parse_script(text).commands:
        if not command.words:
            continue
        if len(calls) < MAX_CALLS:
            calls.update({command.tool, command.words[0]})
        rule = rules.erasers.get(command.tool)
        if rule is not None:
            erasures.extend(_erasures(command, rule, rules))
    return ScriptFacts(tuple(erasures), frozenset(calls))


def _erasures(command: Command, rule: EraserRule, rules: ResetRules) -> list[Erasure]:
    arguments = read_arguments(command.words[1:], rule.spec)
    roles = dict(zip(rule.positional, arguments.positional, strict=False))
    if rule.subcommands:
        subcommand = roles.get("subcommand") or (arguments.positional[0] if arguments.positional else "")
        if subcommand not in rule.subcommands:
            return []
    if rule.whole is not None:
        return [Erasure(command.line, command.tool, rule.whole, True)]
    if rule.recursive or command.tool == "rm":
        recursive = bool(arguments.flags & rule.recursive)
        return [
            Erasure(command.line, command.tool, target, recursive and _data_folder(target, rules))
            for target in arguments.positional
        ]
    if rule.sources:
        source = arguments.first("source")
        if source is None or source not in rule.sources:
            return []
    target = arguments.first("target") or roles.get("target")
    if target is None:
        return []
    return [Erasure(command.line, command.tool, target, _data_partition(target, rules))]


def _data_folder(target: str, rules: ResetRules) -> bool:
    folder = target
    for suffix in ("/*", "/.*", "/"):
        folder = folder.removesuffix(suffix)
    return folder in rules.data_folders


def _data_partition(target: str, rules: ResetRules) -> bool:
    return PurePosixPath(target).name.lower() in rules.data_partitions

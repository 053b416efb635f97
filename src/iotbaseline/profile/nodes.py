"""Typed values out of a composed YAML tree, each problem recorded with its line.

PyYAML's node API (`yaml.compose`) keeps the position of every key and value; plain `safe_load` loses it.
The reader never stops at a problem: it records it, returns None for that value and goes on, so that one
error can list everything wrong with the file.
"""

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from iotbaseline.profile.problems import Problem, ProfileError

_E = TypeVar("_E", bound=StrEnum)
_NULL = "tag:yaml.org,2002:null"
_QUOTING_HINT = "check the indentation, and put text that holds ': ' or ' #' in quotes"


@dataclass(frozen=True)
class Entry:
    """One key of a mapping with its value."""

    key: str
    key_node: ScalarNode
    value: Node

    @property
    def line(self) -> int:
        return line_of(self.key_node)


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def compose(text: str, source: str) -> Node | None:
    """The document's node tree; None for an empty file. A syntax error is a `ProfileError` with its line."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        raise ProfileError(source, [_syntax_problem(error)]) from error
    except yaml.reader.ReaderError as error:  # a control character: it carries a position, not a line
        line = text.count("\n", 0, error.position) + 1
        code = error.character
        shown = f"U+{code:04X}" if isinstance(code, int) else repr(code)
        message = f"not valid YAML: the control character {shown} is not allowed; remove it"
        raise ProfileError(source, [Problem(line, message)]) from error


def _syntax_problem(error: yaml.MarkedYAMLError) -> Problem:
    """At the line where the parser gave up, naming the line of what it was reading (an unclosed bracket
    reports at the end of the file, far from its cause)."""
    mark = error.problem_mark or error.context_mark
    line = int(mark.line) + 1 if mark is not None else 0
    what = error.problem or "cannot be read"
    hint = "indent with spaces, not tabs" if "\\t" in what else _QUOTING_HINT
    if error.context and error.context_mark is not None and int(error.context_mark.line) + 1 != line:
        what += f" ({error.context} at line {int(error.context_mark.line) + 1})"
    return Problem(line, f"not valid YAML: {what}; {hint}")


def closest(word: str, known: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


class NodeReader:
    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []
        self.lines: dict[str, int] = {}
        """Dotted path -> line of each value read."""
        self._constructor = yaml.constructor.SafeConstructor()

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, message))

    def raise_if_problems(self) -> None:
        if self.problems:
            raise ProfileError(self.source, self.problems)

    # --- structure ------------------------------------------------------------------------------------

    def mapping(self, node: Node | None, where: str, known: Iterable[str] | None = None) -> dict[str, Entry]:
        """The entries of a mapping, by key. An empty value is an empty mapping. Given `known`, other keys are
        reported, with the closest known key as the likely intended one, and left out."""
        if node is None or _is_null(node):
            return {}
        if not isinstance(node, MappingNode):
            self.problem(line_of(node), f"{_label(where)} must hold indented 'key: value' lines, not {_shape(node)}")
            return {}
        allowed = None if known is None else tuple(known)
        entries: dict[str, Entry] = {}
        for key_node, value in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(line_of(key_node), f"{_label(where)}: a key must be a plain word, not {_shape(key_node)}")
                continue
            key = str(key_node.value)
            if key in entries:
                self.problem(
                    line_of(key_node),
                    f"{_path(where, key)} is given twice (first at line {entries[key].line}); keep one",
                )
                continue
            if allowed is not None and key not in allowed:
                self.problem(line_of(key_node), _unknown_key(where, key, allowed))
                continue
            entries[key] = Entry(key, key_node, value)
            self.lines[_path(where, key)] = line_of(key_node)
        return entries

    # --- values: each returns None for an empty value or after recording a problem -----------------------

    def text(self, entry: Entry, where: str) -> str | None:
        value = self._scalar(entry, where, "text")
        if value is None:
            return None
        if isinstance(value, str):
            return value.strip() or None  # an empty string is as undeclared as an empty value
        if isinstance(value, date):  # a batch named after its day: the text as written
            return str(entry.value.value)
        if isinstance(value, bool):
            self._refuse(entry, where, "read as yes/no; put the text in quotes")
            return None
        if isinstance(value, int):  # a batch number or a model number: the digits are the text
            return str(value)
        if isinstance(value, float):
            self._refuse(entry, where, f"read as the number {value!r}; put it in quotes (1.10 would become 1.1)")
            return None
        self._refuse(entry, where, "must be text; put it in quotes")
        return None

    def url(self, entry: Entry, where: str) -> str | None:
        value = self.text(entry, where)
        if value is None:
            return None
        if not _is_web_address(value):
            self._refuse(entry, where, f"{value!r} is not a web address; write one that starts with https://")
            return None
        return value

    def iso_date(self, entry: Entry, where: str) -> date | None:
        if _is_null(entry.value):
            return None
        if isinstance(entry.value, ScalarNode):
            try:
                return date.fromisoformat(str(entry.value.value).strip())
            except ValueError:
                pass
        shown = entry.value.value if isinstance(entry.value, ScalarNode) else _shape(entry.value)
        self._refuse(entry, where, f"{shown!r} is not a date; write it as YYYY-MM-DD, e.g. 2028-12-31")
        return None

    def yes_no(self, entry: Entry, where: str) -> bool | None:
        value = self._scalar(entry, where, "yes or no")
        if value is None or isinstance(value, bool):
            return value
        self._refuse(entry, where, f"answer yes or no (or leave it empty if not known), not {value!r}")
        return None

    def choice(self, node: Node, where: str, choices: type[_E]) -> _E | None:
        if not isinstance(node, ScalarNode) or _is_null(node):
            self.problem(line_of(node), f"{_label(where)}: give one of {_listing(choices)}")
            return None
        word = str(node.value).strip()
        try:
            return choices(word)
        except ValueError:
            guess = closest(word, (c.value for c in choices))
            hint = f"did you mean {guess!r}?" if guess else f"use one of {_listing(choices)}"
            self.problem(line_of(node), f"{_label(where)}: {word!r} is not a choice here; {hint}")
            return None

    def choices(self, entry: Entry, where: str, choices: type[_E]) -> tuple[_E, ...] | None:
        """A list of choices; one choice written without brackets counts as a list of one."""
        node = entry.value
        if _is_null(node):
            return None
        items = node.value if isinstance(node, SequenceNode) else [node]
        found = [self.choice(item, where, choices) for item in items]
        return tuple(item for item in found if item is not None)

    # --- helpers ----------------------------------------------------------------------------------------

    def _scalar(self, entry: Entry, where: str, wanted: str) -> object:
        """The scalar's value as YAML types it (str, int, float, bool, date, None)."""
        if not isinstance(entry.value, ScalarNode):
            self._refuse(entry, where, f"must be {wanted}, not {_shape(entry.value)}")
            return None
        try:
            return self._constructor.construct_object(entry.value)
        except yaml.YAMLError as error:  # an explicit tag PyYAML's safe loader does not know
            self._refuse(entry, where, f"cannot be read ({' '.join(str(error).split())}); remove the tag")
            return None

    def _refuse(self, entry: Entry, where: str, why: str) -> None:
        self.problem(line_of(entry.value), f"{_label(where)}: {why}")


def _is_web_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced [ in the host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL


def _shape(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a set of keys"
    if isinstance(node, SequenceNode):
        return "a list"
    return repr(node.value)


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _label(where: str) -> str:
    return where or "the file"


def _listing(choices: type[StrEnum]) -> str:
    return ", ".join(choice.value for choice in choices)


def _unknown_key(where: str, key: str, allowed: tuple[str, ...]) -> str:
    place = f"in {where}" if where else "at the top level"
    guess = closest(key, allowed)
    hint = f"did you mean {guess!r}?" if guess else f"the keys here are {', '.join(allowed)}"
    return f"unknown key {key!r} {place}; {hint}"

"""The items a statement of compliance must contain: `data/statement/psti_statement.yaml`, loaded once and
validated, with its patterns compiled."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError

DATA_FILE = "data/statement/psti_statement.yaml"
FLAGS = re.IGNORECASE | re.MULTILINE
MAX_VALUE = 300
"""Characters of a label's value read: a value is one line, and a longer one is not a statement's field."""

_FRAGMENT = re.compile(r"@(\w+)@")
_LABEL_LEAD = r"(?:^|(?<=[\t|•;])|(?<=\s\s))[ \t]*(?:(?:[-*•·]|\d{1,2}[.)])[ \t]+)?"
"""Where a label may start: a line's start (after a list marker), or after a tab, a table bar or two spaces, which
is where a PDF's or a table's columns meet once flattened to text (a table row reads `Batch | B-1`)."""


class StatementDataError(IotBaselineError):
    """The shipped statement items file is malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class EvidencePart:
    """One thing the statement must show for an item, e.g. the batch, or the place of issue."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    """Label forms first, then phrases; a `value` group, where there is one, holds what the statement filled in."""
    value_pattern: re.Pattern[str] | None = None
    """What a value must contain to count (a date)."""
    value_required: bool = True
    note: str = ""


@dataclass(frozen=True)
class StatementItem:
    id: str
    description: str
    source: str
    """Where the law asks for it."""
    confirmed: bool
    parts: tuple[EvidencePart, ...]


@dataclass(frozen=True)
class StatementRequirements:
    source: str
    verify_at: str
    placeholders: tuple[re.Pattern[str], ...]
    items: tuple[StatementItem, ...]

    def is_placeholder(self, value: str) -> bool:
        """Whether a filled-in value is a blank left to fill (`____`, `[TO FILL: ...]`, `TBD`)."""
        stripped = value.strip()
        return any(pattern.search(stripped) for pattern in self.placeholders)

    @property
    def unconfirmed(self) -> tuple[StatementItem, ...]:
        return tuple(item for item in self.items if not item.confirmed)


@functools.cache
def default_requirements() -> StatementRequirements:
    return parse_requirements(files("iotbaseline").joinpath(DATA_FILE).read_text(encoding="utf-8"))


def parse_requirements(text: str) -> StatementRequirements:
    try:
        data = yaml.safe_load(text)
        fragments = _fragments(data.get("fragments") or {})
        return StatementRequirements(
            source=str(data["source"]),
            verify_at=str(data["verify_at"]),
            placeholders=tuple(re.compile(_expand(p, fragments), FLAGS) for p in data["placeholders"]),
            items=_items(data["items"], fragments),
        )
    except (yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError, re.error) as error:
        raise StatementDataError(f"{DATA_FILE}: {type(error).__name__}: {error}") from error


def _fragments(raw: Mapping[str, str]) -> dict[str, str]:
    """Fragments may use the ones listed before them."""
    expanded: dict[str, str] = {}
    for name, pattern in raw.items():
        expanded[name] = _expand(str(pattern), expanded)
    return expanded


def _expand(pattern: str, fragments: Mapping[str, str]) -> str:
    def fragment(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fragments:
            raise ValueError(f"unknown fragment @{name}@ in {pattern!r}")
        return fragments[name]

    return _FRAGMENT.sub(fragment, pattern)


def _items(raw: list[dict[str, Any]], fragments: Mapping[str, str]) -> tuple[StatementItem, ...]:
    items = tuple(
        StatementItem(
            id=str(entry["id"]),
            description=str(entry["description"]),
            source=str(entry["source"]),
            confirmed=_boolean(entry["confirmed"], f"{entry['id']}.confirmed"),
            parts=tuple(_part(part, fragments) for part in entry["parts"]),
        )
        for entry in raw
    )
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate item ids in {ids}")
    if any(not item.parts for item in items):
        raise ValueError("every item needs at least one part")
    return items


def _part(raw: Mapping[str, Any], fragments: Mapping[str, str]) -> EvidencePart:
    value_required = _boolean(raw.get("value_required", True), f"{raw['name']}.value_required")
    labels = [_label_patterns(_expand(label, fragments), value_required) for label in raw.get("labels", ())]
    phrases = [re.compile(_expand(phrase, fragments), FLAGS) for phrase in raw.get("phrases", ())]
    patterns = tuple(pattern for forms in labels for pattern in forms) + tuple(phrases)
    if not patterns:
        raise ValueError(f"part {raw['name']!r} has neither labels nor phrases")
    value_pattern = raw.get("value_pattern")
    return EvidencePart(
        name=str(raw["name"]),
        patterns=patterns,
        value_pattern=re.compile(_expand(value_pattern, fragments), FLAGS) if value_pattern else None,
        value_required=value_required,
        note=str(raw.get("note", "")),
    )


def _label_patterns(label: str, value_required: bool) -> tuple[re.Pattern[str], ...]:
    """A label with its value on the same line (after a colon, a tab or a table bar), or alone on its line, with its
    colon, and the value on the next (a line ending in a colon is the next label, not a value); where no value is
    required, the label alone on its line too."""
    value = rf"(?P<value>[^\n]{{1,{MAX_VALUE}}})"
    next_line_value = rf"(?P<value>(?![^\n]*[:：]$)[^\n]{{1,{MAX_VALUE}}})"  # not the next label
    forms = [
        rf"{_LABEL_LEAD}(?:{label})[ \t]*[:：\t|][ \t]*{value}",
        rf"^[ \t]*(?:{label})[ \t]*[:：][ \t]*\n[ \t]*{next_line_value}",
    ]
    if not value_required:
        forms.append(rf"{_LABEL_LEAD}(?:{label})[ \t]*[:：]?[ \t]*$")
    return tuple(re.compile(form, FLAGS) for form in forms)


def _boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where} must be true or false, not {value!r}")
    return value

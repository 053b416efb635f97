"""Checks a statement's text for each required item: present, unfilled (a blank left to fill) or missing, with the
lines quoted that decided it.

Pattern matching on wording is a heuristic: a present item means the words are there, not that they are true.
"""

import bisect
from dataclasses import dataclass
from enum import StrEnum

from iotbaseline.model import JSONValue
from iotbaseline.report.text import one_line
from iotbaseline.statement.items import EvidencePart, StatementItem, StatementRequirements
from iotbaseline.statement.text import StatementText, TextLine

MAX_QUOTES = 3
MAX_QUOTE_CHARS = 240


class ItemStatus(StrEnum):
    PRESENT = "present"
    UNFILLED = "unfilled"
    """Only a blank to fill was found (`Date of issue: ____`)."""
    MISSING = "missing"


_WORST_FIRST = (ItemStatus.MISSING, ItemStatus.UNFILLED, ItemStatus.PRESENT)


@dataclass(frozen=True)
class Quote:
    line: int
    text: str
    page: int | None = None

    @property
    def where(self) -> str:
        return f"page {self.page} line {self.line}" if self.page is not None else f"line {self.line}"

    def to_dict(self) -> dict[str, JSONValue]:
        data: dict[str, JSONValue] = {"line": self.line, "text": self.text}
        if self.page is not None:
            data["page"] = self.page
        return data


@dataclass(frozen=True)
class PartResult:
    part: EvidencePart
    status: ItemStatus
    evidence: tuple[Quote, ...]
    """For present: what showed it; otherwise the near misses (a blank, a value without a date)."""
    reason: str = ""

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "name": self.part.name,
            "status": self.status.value,
            "evidence": [quote.to_dict() for quote in self.evidence],
            "reason": self.reason,
            "note": self.part.note,
        }


@dataclass(frozen=True)
class ItemResult:
    item: StatementItem
    parts: tuple[PartResult, ...]

    @property
    def status(self) -> ItemStatus:
        return next(status for status in _WORST_FIRST if any(part.status is status for part in self.parts))

    @property
    def evidence(self) -> tuple[Quote, ...]:
        return tuple(dict.fromkeys(quote for part in self.parts for quote in part.evidence))

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "id": self.item.id,
            "description": self.item.description,
            "source": self.item.source,
            "confirmed": self.item.confirmed,
            "status": self.status.value,
            "evidence": [quote.to_dict() for quote in self.evidence],
            "parts": [part.to_dict() for part in self.parts],
        }


@dataclass(frozen=True)
class StatementCheck:
    text: StatementText
    requirements: StatementRequirements
    items: tuple[ItemResult, ...]

    @property
    def complete(self) -> bool:
        return all(result.status is ItemStatus.PRESENT for result in self.items)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "source": self.text.source,
            "format": self.text.format.value,
            "truncated": self.text.truncated,
            "complete": self.complete,
            "legal_source": self.requirements.source,
            "verify_at": self.requirements.verify_at,
            "items": [result.to_dict() for result in self.items],
        }


def check_statement(text: StatementText, requirements: StatementRequirements) -> StatementCheck:
    located = _LocatedText(text)
    items = tuple(
        ItemResult(item, tuple(_check_part(part, located, requirements) for part in item.parts))
        for item in requirements.items
    )
    return StatementCheck(text, requirements, items)


def _check_part(part: EvidencePart, text: "_LocatedText", requirements: StatementRequirements) -> PartResult:
    """Every match is weighed: a filled value (or a phrase) shows the part; a blank or a value that lacks what it
    must contain is kept as a near miss to quote."""
    blanks: list[Quote] = []
    lacking: list[Quote] = []
    for pattern in part.patterns:
        for match in pattern.finditer(text.joined):
            value = match.groupdict().get("value")
            quotes = text.quotes(match.start(), match.end())
            if value is None or not part.value_required:
                return PartResult(part, ItemStatus.PRESENT, quotes)
            if requirements.is_placeholder(value):
                blanks.extend(quotes)
            elif part.value_pattern is not None and not part.value_pattern.search(value):
                lacking.extend(quotes)
            else:
                return PartResult(part, ItemStatus.PRESENT, quotes)
    if blanks:
        return PartResult(part, ItemStatus.UNFILLED, _first(blanks), "left blank to fill")
    if lacking:
        return PartResult(part, ItemStatus.MISSING, _first(lacking), "stated without a date")
    return PartResult(part, ItemStatus.MISSING, (), "not found")


def _first(quotes: list[Quote]) -> tuple[Quote, ...]:
    return tuple(dict.fromkeys(quotes))[:MAX_QUOTES]


class _LocatedText:
    """The statement's lines joined by newlines, and the way back from an offset to its line."""

    def __init__(self, text: StatementText) -> None:
        self.lines: tuple[TextLine, ...] = text.lines
        self.joined = text.joined
        self._starts: list[int] = []
        offset = 0
        for line in self.lines:
            self._starts.append(offset)
            offset += len(line.text) + 1

    def quotes(self, start: int, end: int) -> tuple[Quote, ...]:
        first = bisect.bisect_right(self._starts, start) - 1
        last = bisect.bisect_right(self._starts, max(start, end - 1)) - 1
        return tuple(_quote(line) for line in self.lines[max(first, 0) : last + 1][:MAX_QUOTES])


def _quote(line: TextLine) -> Quote:
    text = one_line(line.text)
    if len(text) > MAX_QUOTE_CHARS:
        text = text[: MAX_QUOTE_CHARS - 1] + "…"
    return Quote(line.number, text, line.page)

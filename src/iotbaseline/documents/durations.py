"""Durations in a sentence ("within 5 working days", "72 hours", "every two weeks", "24-48 hours"), read by
explicit patterns from the phrase data, with their place so that the one nearest a cue can be chosen.

Ranges count by their upper end (a reporter may have to wait that long). Rates of availability ("24 hours a
day") are not durations; "a"/"an" count as one only after a timing word ("within a week").
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.documents.phrasebook import DocumentDataError, alternation

HOURS_PER_UNIT = {"hour": 1.0, "working-day": 24 * 7 / 5, "day": 24.0, "week": 168.0, "month": 730.0}
"""A working day counts as 7/5 of a day, so that "5 working days" and "a week" compare equal."""
UNITS = tuple(HOURS_PER_UNIT)


@dataclass(frozen=True)
class Duration:
    amount: float
    unit: str
    """hour, working-day, day, week or month."""
    text: str
    """As written."""
    start: int = 0
    end: int = 0

    @property
    def hours(self) -> float:
        return self.amount * HOURS_PER_UNIT[self.unit]

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class DurationReader:
    pattern: re.Pattern[str]
    fixed: tuple[tuple[re.Pattern[str], float, str], ...]
    numbers: Mapping[str, int]
    rate_after: re.Pattern[str]
    timing_before: re.Pattern[str]

    def find(self, text: str) -> list[Duration]:
        found = [d for d in (self._numbered(m, text) for m in self.pattern.finditer(text)) if d is not None]
        for pattern, amount, unit in self.fixed:
            for match in pattern.finditer(text):
                if not any(d.start < match.end() and match.start() < d.end for d in found):
                    found.append(Duration(amount, unit, match.group(0), match.start(), match.end()))
        return sorted(found, key=lambda d: d.start)

    def _numbered(self, match: re.Match[str], text: str) -> Duration | None:
        low, high = match.group("low"), match.group("high")
        before = max(0, match.start() - 24)
        if low.lower() in ("a", "an") and not self.timing_before.search(text, before, match.start()):
            return None
        if self.rate_after.match(text, match.end()):
            return None
        amount = self._number(high or low)
        unit = next(unit for unit in UNITS if match.group(_group(unit)))
        if amount is None or amount <= 0:
            return None
        return Duration(amount, unit, match.group(0), match.start(), match.end())

    def _number(self, written: str) -> float | None:
        word = written.lower()
        if word in self.numbers:
            return float(self.numbers[word])
        try:
            return float(word.replace(",", "."))
        except ValueError:
            return None


def duration_reader(config: Mapping[str, Any]) -> DurationReader:
    """From the `durations` section of the phrase data (every language merged)."""
    try:
        numbers = {str(k).lower(): int(v) for k, v in config["number_words"].items()}
        number = rf"(?:\d{{1,4}}(?:[.,]\d{{1,2}})?|{alternation(re.escape(w) for w in numbers)})"
        ranges = alternation(re.escape(str(w)) for w in config["range_words"])
        units = "|".join(f"(?P<{_group(unit)}>{alternation(config['units'][unit])})" for unit in UNITS)
        pattern = re.compile(
            rf"(?<![\w.,])(?P<low>{number})(?:\s*{ranges}\s*(?P<high>{number}))?(?:\s*\(\s*\d{{1,4}}\s*\))?"
            rf"[\s-]*(?:{units})(?![\w])",
            re.IGNORECASE,
        )
        fixed = tuple(
            (re.compile(rf"(?<!\w)(?:{item['phrase']})(?!\w)", re.IGNORECASE), float(item["amount"]), item["unit"])
            for item in config["fixed"]
        )
        if any(unit not in HOURS_PER_UNIT for _, _, unit in fixed):
            raise ValueError("a fixed duration has an unknown unit")
        rate_after = re.compile(rf"\s*{alternation(re.escape(str(w)) for w in config['rate_after'])}(?!\w)", re.I)
        timing_before = re.compile(rf"(?<!\w){alternation(config['timing_words'])}\s+$", re.IGNORECASE)
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise DocumentDataError(f"duration phrases: {type(error).__name__}: {error}") from error
    return DurationReader(pattern, fixed, numbers, rate_after, timing_before)


def _group(unit: str) -> str:
    return "unit_" + unit.replace("-", "_")

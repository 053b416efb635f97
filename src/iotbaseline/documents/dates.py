"""Calendar dates and periods in a sentence, read by explicit patterns (no guessing library): ISO 8601
(2028-12-31), day-month-year in words (31 December 2028, 31st Dec. 2028), month-day-year in words (December 31,
2028), month and year (December 2028, Dec 2028, 12/2028, Q4 2028: the last day), numeric day/month/year (31/12/2028;
read month-first too when the first number cannot be a day), and a bare year (imprecise).

A numeric date that reads as two different days (04/05/2028: 4 May in the UK, April 5 in the US) is reported as
ambiguous with both readings, never resolved by a guess.
"""

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from iotbaseline.documents.phrasebook import alternation

FIRST_YEAR, LAST_YEAR = 1990, 2100
"""Years outside this range are not support dates (a founding year, a typo)."""


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    """A month and year: read as the month's last day."""
    YEAR = "year"
    """A year alone: not a date a reader can rely on."""


@dataclass(frozen=True)
class TextDate:
    start: int
    end: int
    text: str
    readings: tuple[date, ...]
    """The day(s) it can mean: one, or two for an ambiguous numeric date."""
    precision: Precision

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1

    @property
    def value(self) -> date | None:
        """The last day it names, None when ambiguous."""
        return self.readings[0] if len(self.readings) == 1 else None


@dataclass(frozen=True)
class Period:
    """A length without a date: "5 years", "24 months"."""

    amount: int
    unit: str
    """year or month."""
    text: str
    start: int
    end: int

    def last_day_from(self, first: date) -> date:
        """The last day of the period that starts on `first` (5 years from 1 Jan 2024: 31 Dec 2028)."""
        months = self.amount * (12 if self.unit == "year" else 1)
        year, month = divmod(first.month - 1 + months, 12)
        year += first.year
        day = min(first.day, calendar.monthrange(year, month + 1)[1])
        return date.fromordinal(date(year, month + 1, day).toordinal() - 1)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


_CASED_MONTHS = {"may": "(?-i:May|MAY)"}
"""Month names that are also common words: only capitalised ("may" the verb is not May)."""
_Builder = Callable[[re.Match[str]], tuple[tuple[date, ...], Precision] | None]


class DateReader:
    """Dates in text, with the month names of every language in the phrase data."""

    def __init__(self, months: Mapping[str, int]) -> None:
        self.months = {name.lower(): int(number) for name, number in months.items()}
        names = alternation(_CASED_MONTHS.get(name, re.escape(name)) for name in self.months)
        month = rf"(?<![A-Za-z])(?P<month>{names})(?![A-Za-z])\.?"
        day = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
        year = r"(?P<year>\d{4})(?!\d)"
        no_digit_before = r"(?<![\d/.-])"
        iso = rf"{no_digit_before}(?P<year>\d{{4}})([-/])(?P<m>\d{{1,2}})\2(?P<day>\d{{1,2}})(?![\d/-])"
        numeric = rf"{no_digit_before}(?P<a>\d{{1,2}})([/.-])(?P<b>\d{{1,2}})\2{year}(?![/.-]\d)"
        # Tried in this order; a later pattern does not take text an earlier one matched.
        self.patterns: tuple[tuple[re.Pattern[str], _Builder], ...] = (
            (re.compile(iso), self._iso),
            (re.compile(rf"(?<!\d){day}(?:\s+of)?[\s./-]+{month},?[\s/-]+{year}", re.I), self._words),
            (re.compile(rf"{month},?\s+{day},?\s+{year}", re.I), self._words),
            (re.compile(numeric), self._numeric),
            (re.compile(rf"{month},?\s+(?:of\s+)?{year}", re.I), self._month_words),
            (re.compile(rf"(?<![A-Za-z0-9])Q(?P<quarter>[1-4])(?:[\s/-]*|\s+of\s+){year}"), self._quarter),
            (re.compile(rf"{no_digit_before}(?P<m>\d{{1,2}})[/.-]{year}(?![/.-]\d)"), self._month_numeric),
            (re.compile(rf"{no_digit_before}{year}-(?P<m>\d{{2}})(?![\d/.-])"), self._month_numeric),
            (re.compile(rf"{no_digit_before}(?P<year>(?:19|20|21)\d{{2}})(?![\d/.-]\d)"), self._year),
        )  # fmt: skip

    def find(self, text: str) -> list[TextDate]:
        found: list[TextDate] = []
        taken: list[tuple[int, int]] = []
        """Spans an earlier pattern matched, even when they were no date (31 February 2028 is not February 2028)."""
        for pattern, build in self.patterns:
            for match in pattern.finditer(text):
                if any(start < match.end() and match.start() < end for start, end in taken):
                    continue
                built = build(match)
                if built is None or all(FIRST_YEAR <= d.year <= LAST_YEAR for d in built[0]):
                    taken.append(match.span())
                if built is not None and all(FIRST_YEAR <= d.year <= LAST_YEAR for d in built[0]):
                    found.append(TextDate(match.start(), match.end(), match.group(0), *built))
        return sorted(found, key=lambda d: d.start)

    def _month_number(self, match: re.Match[str]) -> int | None:
        return self.months.get(match.group("month").lower())

    def _iso(self, match: re.Match[str]) -> tuple[tuple[date, ...], Precision] | None:
        return _day(int(match.group("year")), int(match.group("m")), int(match.group("day")))

    def _words(self, match: re.Match[str]) -> tuple[tuple[date, ...], Precision] | None:
        month = self._month_number(match)
        return None if month is None else _day(int(match.group("year")), month, int(match.group("day")))

    def _numeric(self, match: re.Match[str]) -> tuple[tuple[date, ...], Precision] | None:
        first, second, year = int(match.group("a")), int(match.group("b")), int(match.group("year"))
        readings = [r[0][0] for r in (_day(year, second, first), _day(year, first, second)) if r is not None]
        unique = tuple(dict.fromkeys(readings))
        return (unique, Precision.DAY) if unique else None

    def _month_words(self, match: re.Match[str]) -> tuple[tuple[date, ...], Precision] | None:
        month = self._month_number(match)
        return None if month is None else ((month_end(int(match.group("year")), month),), Precision.MONTH)

    def _month_numeric(self, match: re.Match[str]) -> tuple[tuple[date, ...], Precision] | None:
        month = int(match.group("m"))
        return ((month_end(int(match.group("year")), month),), Precision.MONTH) if 1 <= month <= 12 else None

    def _quarter(self, match: re.Match[str]) -> tuple[tuple[date, ...], Precision] | None:
        return (month_end(int(match.group("year")), 3 * int(match.group("quarter"))),), Precision.MONTH

    def _year(self, match: re.Match[str]) -> tuple[tuple[date, ...], Precision] | None:
        return (date(int(match.group("year")), 12, 31),), Precision.YEAR


def _day(year: int, month: int, day: int) -> tuple[tuple[date, ...], Precision] | None:
    try:
        return (date(year, month, day),), Precision.DAY
    except ValueError:
        return None


class PeriodReader:
    def __init__(self, units: Mapping[str, list[str]], numbers: Mapping[str, int]) -> None:
        self.numbers = {word.lower(): int(value) for word, value in numbers.items()}
        words = alternation(re.escape(w) for w in self.numbers)
        unit_groups = "|".join(f"(?P<{unit}>{alternation(units[unit])})" for unit in ("year", "month"))
        self.pattern = re.compile(
            rf"(?<![\w.,])(?P<n>\d{{1,3}}|{words})(?:\s*\(\s*\d{{1,3}}\s*\))?[\s-]*(?:{unit_groups})(?!\w)",
            re.IGNORECASE,
        )

    def find(self, text: str) -> list[Period]:
        periods = []
        for match in self.pattern.finditer(text):
            written = match.group("n").lower()
            amount = self.numbers[written] if written in self.numbers else int(written) if written.isdigit() else 0
            if amount > 0:
                unit = "year" if match.group("year") else "month"
                periods.append(Period(amount, unit, match.group(0), match.start(), match.end()))
        return periods

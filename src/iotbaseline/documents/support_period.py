"""Judging a published support-period statement (EN 303 645 5.3-13; UK PSTI Schedule 1 paragraph 3, whose defined
support period is a minimum time stated with an end date).

From the statement's sentences: the end of the period, either a date ("security updates until 31 December 2028",
"support ends 2028-12-31", "at least until March 2029": the month's last day) or a period from a stated start ("for
5 years from 1 January 2024": 31 December 2028). A period whose start no reader can date ("5 years from the date
of purchase") has no end date; a year alone ("until 2028") is imprecise; a numeric date that reads two ways is
ambiguous; "for the lifetime of the product" is vague. Only dates in sentences about support or security updates
count, a date right after "until", "ends", "end of support" is an end, after "from", "since", "released" a start.
When the page names several products, the sentences naming the profile's model designation decide.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from iotbaseline.documents.dates import Period, Precision, TextDate
from iotbaseline.documents.evidence import Contradiction
from iotbaseline.documents.sentences import Quote, Sentence
from iotbaseline.documents.support_phrases import SupportPhrases, default_support_phrases
from iotbaseline.documents.text import DocumentText
from iotbaseline.model import JSONValue
from iotbaseline.profile.model import SupportPeriod

MARKER_REACH = 40
"""Characters before a date in which a marker ("until", "from") still names its role."""
DATED_START_REACH = 20
"""Characters between "the date of first sale" and the date that says which day it was ("... sale on 1 May 2024")."""
SAME_DAY = timedelta(days=1)
"""Ends this close are one end: "5 years from 1 January 2024" may mean 31 December 2028 or 1 January 2029."""
MAX_QUOTES = 3


class PeriodState(StrEnum):
    DEFINED = "defined"
    """An end date, or a period from a dated start."""
    NO_END_DATE = "no-end-date"
    """A period whose start no reader can date (from purchase, from the end of production)."""
    IMPRECISE = "imprecise"
    """An end given as a year only."""
    AMBIGUOUS = "ambiguous"
    """A numeric date with two readings, or several ends and none for the model."""
    VAGUE = "vague"
    """Only promises without a date ("for the lifetime of the product", "regular updates")."""
    NONE = "none"
    """Nothing about a support period."""


@dataclass(frozen=True)
class StatedEnd:
    end: date
    written: str
    """As the statement writes it."""
    quote: Quote
    how: str
    """"end date", or the period and its start ("5 years from 2024-01-01")."""
    start: date | None = None
    start_quote: Quote | None = None
    names_model: bool = False

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "end": self.end.isoformat(),
            "written": self.written,
            "how": self.how,
            "start": self.start.isoformat() if self.start else None,
            "quote": self.quote.to_dict(),
            "start_quote": self.start_quote.to_dict() if self.start_quote else None,
            "names_model": self.names_model,
        }


@dataclass(frozen=True)
class AmbiguousDate:
    written: str
    readings: tuple[date, ...]
    quote: Quote


@dataclass(frozen=True)
class SupportJudgement:
    state: PeriodState
    today: date
    end: StatedEnd | None = None
    """The end judged, when DEFINED."""
    candidates: tuple[StatedEnd, ...] = ()
    """Every end read in sentences about support."""
    vague: tuple[Quote, ...] = ()
    undated: tuple[Quote, ...] = ()
    imprecise: tuple[Quote, ...] = ()
    ambiguous: tuple[AmbiguousDate, ...] = ()
    unread: tuple[Quote, ...] = ()
    """Sentences that state the support period with figures this reader did not understand as a date."""
    model: str | None = None
    contradictions: tuple[Contradiction, ...] = ()
    questions: tuple[str, ...] = ()

    @property
    def expired(self) -> bool:
        return self.end is not None and self.end.end < self.today

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "state": self.state.value,
            "today": self.today.isoformat(),
            "end": self.end.to_dict() if self.end else None,
            "expired": self.expired,
            "candidates": [c.to_dict() for c in self.candidates[:10]],
            "vague": [q.to_dict() for q in self.vague],
            "undated": [q.to_dict() for q in self.undated],
            "imprecise": [q.to_dict() for q in self.imprecise],
            "ambiguous": [
                {"written": a.written, "readings": [r.isoformat() for r in a.readings], "quote": a.quote.to_dict()}
                for a in self.ambiguous
            ],
            "unread": [q.to_dict() for q in self.unread],
            "model": self.model,
            "contradictions": [c.to_dict() for c in self.contradictions],
            "questions": list(self.questions),
        }


@dataclass
class _Reading:
    """What the sentences said, gathered before the judgement."""

    candidates: list[StatedEnd] = field(default_factory=list)
    vague: list[Quote] = field(default_factory=list)
    undated: list[Quote] = field(default_factory=list)
    imprecise: list[Quote] = field(default_factory=list)
    ambiguous: list[AmbiguousDate] = field(default_factory=list)
    unread: list[Quote] = field(default_factory=list)
    page_starts: list[tuple[date, Quote]] = field(default_factory=list)
    pending: list[tuple[Period, Sentence]] = field(default_factory=list)


def judge_support_period(
    text: DocumentText,
    today: date,
    declared: SupportPeriod | None = None,
    model: str | None = None,
    phrases: SupportPhrases | None = None,
) -> SupportJudgement:
    phrases = phrases or default_support_phrases()
    model_pattern = _model_pattern(model)
    reading = _Reading()
    for sentence in text.sentences:
        _read_sentence(sentence, phrases, model_pattern, reading)
    _date_pending_periods(reading, model_pattern)
    judgement = _judge(reading)
    contradictions = _contradictions(declared, judgement.end)
    return SupportJudgement(
        judgement.state,
        today,
        judgement.end,
        tuple(reading.candidates),
        tuple(reading.vague[:MAX_QUOTES]),
        tuple(reading.undated[:MAX_QUOTES]),
        tuple(reading.imprecise[:MAX_QUOTES]),
        tuple(reading.ambiguous[:MAX_QUOTES]),
        tuple(reading.unread[:MAX_QUOTES]),
        model,
        contradictions,
        _questions(judgement, reading, model, today),
    )


def _read_sentence(
    sentence: Sentence, phrases: SupportPhrases, model: re.Pattern[str] | None, reading: _Reading
) -> None:
    text = sentence.text
    dates = phrases.dates.find(text)
    roles = _roles(text, dates, phrases)
    about_support = bool(phrases.support_cues.search(text) or phrases.support_cues.search(sentence.section))
    start_dates = [d for d, r in zip(dates, roles, strict=True) if _start(d, r)]
    starts = [_first_day(d) for d in start_dates]
    quote = sentence.quote()
    if not about_support:
        reading.page_starts += [(start, quote) for start in starts]
        return
    states_period = bool(phrases.period_cues.search(text) or phrases.period_cues.search(sentence.section))
    vague = bool(phrases.vague.search(text))
    if vague:
        reading.vague.append(quote)
    ends: list[TextDate] = []
    read_before = len(reading.ambiguous) + len(reading.imprecise)
    for found, role in zip(dates, roles, strict=True):
        unmarked_end = role is None and states_period and found.precision is not Precision.YEAR
        if role != "end" and not unmarked_end:
            continue
        if found.ambiguous:
            reading.ambiguous.append(AmbiguousDate(found.text, found.readings, quote))
        elif found.precision is Precision.YEAR and not phrases.end_of_year.search(text, 0, found.start):
            reading.imprecise.append(quote)
        else:
            ends.append(found)
    names_model = model is not None and bool(model.search(text) or model.search(sentence.section))
    for end in _for_model(ends, text, model):
        value = end.readings[0]
        reading.candidates.append(StatedEnd(value, end.text, quote, "end date", names_model=names_model))
    periods = phrases.periods.find(text)
    undeterminable = phrases.undeterminable_start.search(text)
    if undeterminable:  # "from the date of first sale on 1 January 2024" dates it; a release date elsewhere does not
        starts = [_first_day(d) for d in start_dates if 0 <= d.start - undeterminable.end() <= DATED_START_REACH]
    for period in periods:
        if starts:
            start = starts[0]
            reading.candidates.append(
                StatedEnd(
                    period.last_day_from(start), f"{period.text} from {start.isoformat()}", quote,
                    f"{period.text} from {start.isoformat()}", start, quote, names_model,
                )
            )  # fmt: skip
        elif ends:
            continue  # the sentence also names its end: the period adds nothing
        elif undeterminable:
            reading.undated.append(quote)
        else:
            reading.pending.append((period, sentence))
    understood = ends or periods or len(reading.ambiguous) + len(reading.imprecise) > read_before
    if states_period and not understood and not vague and re.search(r"\d", text):
        reading.unread.append(quote)


def _roles(text: str, dates: Sequence[TextDate], phrases: SupportPhrases) -> list[str | None]:
    """Each date's role by the marker nearest before it (not reaching back past the date before)."""
    roles: list[str | None] = []
    previous_end = 0
    for found in dates:
        window_start = max(previous_end, found.start - MARKER_REACH)
        best: tuple[int, int, str] | None = None
        for kind, pattern in (
            ("end", phrases.end_markers),
            ("start", phrases.start_markers),
            ("other", phrases.other_markers),
        ):
            for match in pattern.finditer(text, window_start, found.start):
                rank = (match.end(), match.end() - match.start(), kind)
                if best is None or rank[:2] > best[:2]:
                    best = rank
        if best is None and phrases.end_of_year.search(text, window_start, found.start):
            best = (found.start, 0, "end")
        role: str | None = best[2] if best else None
        if roles and previous_end and phrases.range_between.fullmatch(text, previous_end, found.start):
            roles[-1] = roles[-1] if roles[-1] == "other" else "start"
            role = "end"
        roles.append(role)
        previous_end = found.end
    return roles


def _start(found: TextDate, role: str | None) -> bool:
    return role == "start" and not found.ambiguous and found.precision is not Precision.YEAR


def _first_day(found: TextDate) -> date:
    day = found.readings[0]
    return day.replace(day=1) if found.precision is Precision.MONTH else day


def _for_model(ends: list[TextDate], text: str, model: re.Pattern[str] | None) -> list[TextDate]:
    """In a sentence that names the model among others ("X: until 2026-12-31, Y: until 2028-12-31"), the first
    end after the model's name."""
    if model is None or len(ends) < 2:
        return ends
    mention = model.search(text)
    if mention is None:
        return ends
    after = [e for e in ends if e.start >= mention.end()]
    return after[:1] or ends


def _date_pending_periods(reading: _Reading, model: re.Pattern[str] | None) -> None:
    """A period stated without its start ("for 5 years") is dated by the one start the page states elsewhere
    ("first placed on the market on 1 March 2024"); with none, or several, it has no end date."""
    starts = list(dict.fromkeys(start for start, _ in reading.page_starts))
    for period, sentence in reading.pending:
        if len(starts) == 1:
            start, start_quote = reading.page_starts[0]
            names_model = model is not None and bool(model.search(sentence.text) or model.search(sentence.section))
            how = f"{period.text} from {start.isoformat()}"
            reading.candidates.append(
                StatedEnd(period.last_day_from(start), how, sentence.quote(), how, start, start_quote, names_model)
            )
        else:
            reading.undated.append(sentence.quote())


@dataclass(frozen=True)
class _Judged:
    state: PeriodState
    end: StatedEnd | None = None
    competing: tuple[StatedEnd, ...] = ()


def _judge(reading: _Reading) -> _Judged:
    named = [c for c in reading.candidates if c.names_model]
    pool = named or reading.candidates
    if pool:
        distinct = _distinct(pool)
        if len(distinct) == 1:
            return _Judged(PeriodState.DEFINED, distinct[0])
        return _Judged(PeriodState.AMBIGUOUS, competing=tuple(distinct))
    if reading.ambiguous:
        return _Judged(PeriodState.AMBIGUOUS)
    if reading.imprecise:
        return _Judged(PeriodState.IMPRECISE)
    if reading.undated:
        return _Judged(PeriodState.NO_END_DATE)
    if reading.vague:
        return _Judged(PeriodState.VAGUE)
    return _Judged(PeriodState.NONE)


def _distinct(candidates: Sequence[StatedEnd]) -> list[StatedEnd]:
    """One candidate per end (ends a day apart are one), in the order the page states them."""
    kept: list[StatedEnd] = []
    for candidate in candidates:
        if not any(abs(candidate.end - k.end) <= SAME_DAY for k in kept):
            kept.append(candidate)
    return kept


def _contradictions(declared: SupportPeriod | None, end: StatedEnd | None) -> tuple[Contradiction, ...]:
    if declared is None or end is None:
        return ()
    found = []
    if declared.end_date is not None and abs(declared.end_date - end.end) > SAME_DAY:
        found.append(
            Contradiction(
                "support_period.end_date",
                declared.end_date.isoformat(),
                f"{end.written} ({end.end.isoformat()})",
                end.quote,
                weaker=end.end < declared.end_date,
            )
        )
    if declared.start_date is not None and end.start is not None and abs(declared.start_date - end.start) > SAME_DAY:
        found.append(
            Contradiction(
                "support_period.start_date", declared.start_date.isoformat(), end.start.isoformat(), end.quote, False
            )
        )
    return tuple(found)


def _questions(judged: _Judged, reading: _Reading, model: str | None, today: date) -> tuple[str, ...]:
    product = model or "the product"
    until = f"Until what date does {product} get security updates?"
    end = judged.end
    if end is not None and end.end < today:
        return (f"The published support period ended on {end.end.isoformat()}: has it been extended?",)
    if end is not None and model and not end.names_model:
        return (f"The statement does not name {model}: does its period apply to it?",)
    match judged.state:
        case PeriodState.DEFINED:
            return ()
        case PeriodState.AMBIGUOUS if judged.competing:
            listed = "; ".join(f"{c.end.isoformat()} ({c.quote.text!r})" for c in judged.competing[:4])
            return (f"The statement gives several end dates: {listed}. Which one applies to {product}?",)
        case PeriodState.AMBIGUOUS:
            item = reading.ambiguous[0]
            readings = " or ".join(r.strftime("%d %B %Y") for r in item.readings)
            return (f"{item.written!r} reads as {readings} (day or month first): which is meant?",)
        case PeriodState.IMPRECISE:
            return (f"The statement names a year without a day ({reading.imprecise[0].text!r}): {until}",)
        case PeriodState.NO_END_DATE:
            return (
                f"The statement gives a period without a date it starts from ({reading.undated[0].text!r}); "
                f"PSTI asks for the period with its end date. {until}",
            )
        case PeriodState.VAGUE:
            return (f"The statement promises updates without an end date ({reading.vague[0].text!r}). {until}",)
    return (f"The statement names no support period. {until}",)


def _model_pattern(model: str | None) -> re.Pattern[str] | None:
    """The model designation with its separators optional ("ACME Cam-200" finds "acme cam 200", "ACME-CAM200")."""
    chunks = re.findall(r"[A-Za-z0-9]+", model or "")
    if not chunks:
        return None
    return re.compile(
        r"(?<![A-Za-z0-9])" + r"[\s_./-]*".join(map(re.escape, chunks)) + r"(?![A-Za-z0-9])", re.IGNORECASE
    )

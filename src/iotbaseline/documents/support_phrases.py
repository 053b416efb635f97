"""The support-period phrases (`data/documents/support_period.yaml`), every language merged, compiled once."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.documents.dates import DateReader, PeriodReader
from iotbaseline.documents.phrasebook import (
    alternation,
    compiling,
    load_data,
    merged_list,
    merged_mapping,
    phrase_languages,
    phrase_pattern,
)


@dataclass(frozen=True)
class SupportPhrases:
    support_cues: re.Pattern[str]
    period_cues: re.Pattern[str]
    end_markers: re.Pattern[str]
    start_markers: re.Pattern[str]
    other_markers: re.Pattern[str]
    range_between: re.Pattern[str]
    """The whole text between two dates of a range."""
    undeterminable_start: re.Pattern[str]
    end_of_year: re.Pattern[str]
    """Matches at the end of the text before a year: "until the end of 2028"."""
    vague: re.Pattern[str]
    dates: DateReader
    periods: PeriodReader
    languages: frozenset[str]


@functools.cache
def default_support_phrases() -> SupportPhrases:
    return support_phrases(load_data("support_period"))


def support_phrases(data: Mapping[str, Any]) -> SupportPhrases:
    with compiling("support period phrases"):
        return SupportPhrases(
            support_cues=phrase_pattern(merged_list(data, "support_cues")),
            period_cues=phrase_pattern(merged_list(data, "period_cues")),
            end_markers=phrase_pattern(merged_list(data, "end_markers")),
            start_markers=phrase_pattern(merged_list(data, "start_markers")),
            other_markers=phrase_pattern(merged_list(data, "other_markers")),
            range_between=re.compile(
                rf"\s*,?\s*{alternation(re.escape(str(w)) for w in merged_list(data, 'range_between'))}\s*$",
                re.IGNORECASE,
            ),
            undeterminable_start=phrase_pattern(merged_list(data, "undeterminable_start")),
            end_of_year=re.compile(rf"(?<!\w){alternation(merged_list(data, 'end_of_year'))}\s*$", re.IGNORECASE),
            vague=phrase_pattern(merged_list(data, "vague")),
            dates=DateReader({str(k): int(v) for k, v in merged_mapping(data, "months").items()}),
            periods=PeriodReader(
                {unit: merged_list(data, "period", "units", unit) for unit in ("year", "month")},
                {str(k): int(v) for k, v in merged_mapping(data, "period", "number_words").items()},
            ),
            languages=phrase_languages(data),
        )

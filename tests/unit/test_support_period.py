"""Dates in text, and judging a published support period: an end date, or a period from a dated start."""

from datetime import date
from pathlib import Path

import pytest

from iotbaseline.documents.dates import Precision
from iotbaseline.documents.model import FetchedDocument
from iotbaseline.documents.support_period import PeriodState, SupportJudgement, judge_support_period
from iotbaseline.documents.support_phrases import default_support_phrases
from iotbaseline.documents.text import DocumentText, read_text
from iotbaseline.profile.model import SupportPeriod

FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents"
URL = "https://acme.example/support-period"
TODAY = date(2026, 1, 1)
DATES = default_support_phrases().dates


def statement(text: str, content_type: str = "text/plain") -> DocumentText:
    return read_text(FetchedDocument(URL, URL, 200, content_type, "utf-8", text.encode()))


def fixture(name: str) -> DocumentText:
    content_type = "text/plain" if name.endswith(".txt") else "text/html"
    return read_text(FetchedDocument(URL, URL, 200, content_type, None, (FIXTURES / name).read_bytes()))


def judged(
    text: str | DocumentText, model: str | None = None, declared: SupportPeriod | None = None, today: date = TODAY
) -> SupportJudgement:
    document = statement(text) if isinstance(text, str) else text
    return judge_support_period(document, today, declared, model)


# --- dates ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "day", "precision"),
    [
        ("2028-12-31", date(2028, 12, 31), Precision.DAY),
        ("31 December 2028", date(2028, 12, 31), Precision.DAY),
        ("31st Dec. 2028", date(2028, 12, 31), Precision.DAY),
        ("31-Dec-2028", date(2028, 12, 31), Precision.DAY),
        ("December 31, 2028", date(2028, 12, 31), Precision.DAY),
        ("31/12/2028", date(2028, 12, 31), Precision.DAY),
        ("12/31/2028", date(2028, 12, 31), Precision.DAY),
        ("31.12.2028", date(2028, 12, 31), Precision.DAY),
        ("December 2028", date(2028, 12, 31), Precision.MONTH),
        ("Feb 2028", date(2028, 2, 29), Precision.MONTH),
        ("12/2028", date(2028, 12, 31), Precision.MONTH),
        ("Q3 2028", date(2028, 9, 30), Precision.MONTH),
        ("2028", date(2028, 12, 31), Precision.YEAR),
    ],
)
def test_dates_in_the_formats_statements_use(written: str, day: date, precision: Precision) -> None:
    [found] = DATES.find(f"Security updates until {written}.")
    assert (found.text, found.value, found.precision) == (written, day, precision)


def test_a_numeric_date_that_reads_two_ways_is_ambiguous_and_never_guessed() -> None:
    [found] = DATES.find("until 04/05/2028")
    assert found.ambiguous and found.value is None
    assert found.readings == (date(2028, 5, 4), date(2028, 4, 5))
    [same] = DATES.find("until 05/05/2028")
    assert not same.ambiguous and same.value == date(2028, 5, 5)


def test_may_the_verb_is_not_a_month_and_impossible_dates_are_not_dates() -> None:
    assert [d.precision for d in DATES.find("Updates may 2028 arrive.")] == [Precision.YEAR]
    assert DATES.find("until 31 February 2028 or 2024-13-01") == []


def test_a_year_range_is_not_read_as_a_month() -> None:
    assert DATES.find("the 2024-2028 range") == []


# --- the judgement -------------------------------------------------------------------------------------------------


def test_an_end_date_on_a_product_page_is_found_among_other_dates() -> None:
    result = judged(fixture("support_dated.html"), model="ACME Cam 200")
    assert result.state is PeriodState.DEFINED and result.end is not None
    assert result.end.end == date(2028, 12, 31) and result.end.names_model
    assert result.end.quote.text == "We will provide security updates for the ACME Cam 200 until 31 December 2028."
    assert [c.end for c in result.candidates] == [date(2028, 12, 31)]  # not "last updated", not "released"
    assert not result.expired and result.questions == ()


def test_a_month_and_year_end_means_the_last_day_of_the_month() -> None:
    result = judged("We will provide security updates at least until March 2029.")
    assert result.end is not None and result.end.end == date(2029, 3, 31)


def test_the_end_of_a_year_is_its_last_day_but_a_bare_year_is_imprecise() -> None:
    assert judged("Security updates until the end of 2028.").end is not None
    imprecise = judged("Security updates until 2028.")
    assert imprecise.state is PeriodState.IMPRECISE and imprecise.end is None
    assert "year without a day" in imprecise.questions[0]


def test_a_period_from_a_dated_start_ends_on_its_last_day() -> None:
    result = judged(fixture("support_period_from_start.txt"))
    assert result.state is PeriodState.DEFINED and result.end is not None
    assert (result.end.end, result.end.start) == (date(2028, 12, 31), date(2024, 1, 1))
    assert result.end.how == "5 years from 2024-01-01"


def test_a_period_from_the_date_of_purchase_has_no_end_date() -> None:
    result = judged("Security updates are provided for 5 years from the date of purchase.")
    assert result.state is PeriodState.NO_END_DATE and result.end is None
    assert "end date" in result.questions[0]


def test_a_release_date_does_not_date_a_period_that_runs_from_each_purchase() -> None:
    result = judged("Updates are provided for 5 years from the date of purchase; the Cam was released on 1 March 2024.")
    assert result.state is PeriodState.NO_END_DATE and result.candidates == ()


def test_a_period_is_dated_by_the_one_start_the_page_states_elsewhere() -> None:
    result = judged(
        "The Plug 10 was first placed on the market on 1 March 2024.\n\nWe provide security updates for 3 years."
    )
    assert result.end is not None and result.end.end == date(2027, 2, 28)
    assert result.end.start_quote is not None and "1 March 2024" in result.end.start_quote.text


def test_a_range_gives_its_start_and_its_end() -> None:
    for text in ("Support period: 1 January 2024 to 31 December 2028.", "Support period: 2024-01-01 – 2028-12-31."):
        result = judged(text)
        assert result.state is PeriodState.DEFINED and result.end is not None, text
        assert result.end.end == date(2028, 12, 31)


def test_an_end_of_sale_date_beside_the_end_of_updates_is_not_an_end_of_support() -> None:
    result = judged("Model: ACME Cam 200; End of sale: 2025-12-31; End of security updates: 2030-12-31")
    assert result.end is not None and result.end.end == date(2030, 12, 31)


def test_promises_for_the_lifetime_of_the_product_are_vague() -> None:
    result = judged(fixture("support_lifetime.html"))
    assert result.state is PeriodState.VAGUE and result.end is None
    assert result.vague[0].text == "We provide regular security updates for the lifetime of the product."


def test_a_numeric_end_that_reads_two_ways_asks_which() -> None:
    result = judged("Security updates until 04/05/2028.")
    assert result.state is PeriodState.AMBIGUOUS
    assert "04 May 2028 or 05 April 2028" in result.questions[0]


def test_a_past_end_is_expired_on_the_day_given() -> None:
    result = judged(fixture("support_expired.html"))
    assert result.state is PeriodState.DEFINED and result.expired
    assert not judged(fixture("support_expired.html"), today=date(2022, 6, 30)).expired


def test_the_row_of_the_profiles_model_decides_among_several_products() -> None:
    result = judged(fixture("support_several_products.html"), model="ACME Cam 200")
    assert result.end is not None and result.end.end == date(2028, 12, 31)
    assert result.end.quote.text.startswith("Model: ACME Cam 200;")
    other = judged(fixture("support_several_products.html"), model="acme-cam-2000")
    assert other.end is not None and other.end.end == date(2031, 1, 31)


def test_several_products_and_no_model_named_is_ambiguous() -> None:
    result = judged(fixture("support_several_products.html"), model="ACME Hub 9")
    assert result.state is PeriodState.AMBIGUOUS and "ACME Hub 9" in result.questions[0]
    assert len(result.candidates) == 3


def test_a_sentence_naming_several_models_gives_the_date_after_the_model() -> None:
    text = "Security updates: ACME Cam 100 until 31 December 2026, ACME Cam 200 until 31 December 2028."
    end = judged(text, model="ACME Cam 200").end
    assert end is not None and end.end == date(2028, 12, 31)


def test_a_statement_that_does_not_name_the_model_still_gives_its_period_and_asks() -> None:
    result = judged("Security updates until 31 December 2028.", model="ACME Cam 200")
    assert result.state is PeriodState.DEFINED
    assert result.questions == ("The statement does not name ACME Cam 200: does its period apply to it?",)


def test_an_earlier_published_end_than_declared_is_a_weaker_contradiction() -> None:
    declared = SupportPeriod(end_date=date(2030, 12, 31), start_date=date(2024, 1, 1))
    result = judged("Security updates until 31 December 2028.", declared=declared)
    [contradiction] = result.contradictions
    assert contradiction.field == "support_period.end_date" and contradiction.weaker
    later = judged("Security updates until 31 December 2031.", declared=declared)
    assert [c.weaker for c in later.contradictions] == [False]
    a_day_apart = judged("Security updates until 1 January 2031.", declared=declared)
    assert a_day_apart.contradictions == ()


def test_nothing_about_support_is_none_and_figures_not_read_as_a_date_are_kept() -> None:
    assert judged("Welcome to our shop. Free delivery on orders over 20 pounds.").state is PeriodState.NONE
    unread = judged("Security updates: see table 2 below.")
    assert unread.state is PeriodState.NONE and unread.unread

"""The support period check (EN 303 645 5.3-13; UK PSTI Schedule 1 paragraph 3, judged through its route onto
5.3-13): the statement the profile's `support_period.statement_url` names, read and judged by `support_period`.

PASS: public, readable, a defined end (a date, or a period from a dated start) for the profile's model, not past,
and not earlier than the end the profile declares. FAIL: the period has ended; or the statement, read in full and
in a known language, states no defined period at all (nothing, or only "for the lifetime of the product"); or it
gives a period without any date to count from, which PSTI's defined support period (a time stated with an end
date) cannot be (EN 303 645 may read a period alone differently: a hint there). A year without a day, a date
that reads two ways, several ends and none for the model, figures not understood as a date: hints.
"""

from datetime import UTC, date, datetime
from typing import ClassVar

from iotbaseline.checks.base import CheckSettings
from iotbaseline.documents.published_check import PublishedDocumentCheck
from iotbaseline.documents.support_period import PeriodState, SupportJudgement, judge_support_period
from iotbaseline.documents.support_phrases import default_support_phrases
from iotbaseline.documents.text import DocumentText
from iotbaseline.model import Finding, JSONValue, Outcome, Severity
from iotbaseline.profile.model import ProductProfile

SUPPORT_PERIOD = "EN303645:5.3-13"
PSTI_SUPPORT_PERIOD = "PSTI:3"


class SupportPeriodCheck(PublishedDocumentCheck):
    id: ClassVar[str] = "documents.support-period"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Published support period"
    provisions: ClassVar[tuple[str, ...]] = (SUPPORT_PERIOD, PSTI_SUPPORT_PERIOD)
    url_field: ClassVar[str] = "support_period.statement_url"
    document: ClassVar[str] = "support period statement"
    judged: ClassVar[tuple[str, ...]] = (SUPPORT_PERIOD,)
    failed: ClassVar[tuple[str, ...]] = (SUPPORT_PERIOD, PSTI_SUPPORT_PERIOD)
    time_budget: ClassVar[float] = 120.0

    def __init__(self, settings: CheckSettings | None = None, today: date | None = None) -> None:
        super().__init__(settings)
        self.today = today
        """The day expiry is judged on; today (UTC) unless a test fixes it."""

    def address(self, profile: ProductProfile) -> str | None:
        return profile.support_period.statement_url

    def judge(self, text: DocumentText, profile: ProductProfile) -> list[Finding]:
        today = self.today or datetime.now(UTC).date()
        judgement = judge_support_period(text, today, profile.support_period, profile.product.model_designation)
        evidence = self.document_evidence(text) | {"support_period": judgement.to_dict()}
        disagreements = self.disagreements(
            text,
            judgement.contradictions,
            "The profile must declare the period the statement publishes.",
            "Buyers are told of a shorter period than declared.",
        )
        return disagreements + self._verdict(text, judgement, evidence)

    def _verdict(
        self, text: DocumentText, judgement: SupportJudgement, evidence: dict[str, JSONValue]
    ) -> list[Finding]:
        question = " ".join(judgement.questions)
        end = judgement.end
        if judgement.state is PeriodState.DEFINED and end is not None:
            if judgement.expired:
                return [
                    self.finding(
                        Outcome.FAIL,
                        f"The published support period ended on {end.end.isoformat()}",
                        text.url,
                        line=end.quote.sentence,
                        severity=Severity.HIGH,
                        detail=f"{end.quote.text!r} (judged on {judgement.today.isoformat()}). {question}",
                        evidence=evidence,
                        discriminator="expired",
                    )
                ]
            if any(c.weaker for c in judgement.contradictions):
                return [
                    self.finding(
                        Outcome.INFO,
                        f"Support period published until {end.end.isoformat()}, earlier than the profile declares",
                        text.url,
                        line=end.quote.sentence,
                        severity=Severity.MEDIUM,
                        detail=f"{end.quote.text!r}. Which end is right: the published one or the declared one?",
                        evidence=evidence,
                        discriminator="period",
                    )
                ]
            return [
                self.finding(
                    Outcome.PASS,
                    f"Support period published: security updates until {end.end.isoformat()} ({end.how})",
                    text.url,
                    line=end.quote.sentence,
                    detail=f"Quoted: [{end.quote.sentence}] {end.quote.text}" + (f" {question}" if question else ""),
                    evidence=evidence,
                    discriminator="period",
                )
            ]
        if judgement.state is PeriodState.NO_END_DATE and self._may_fail(text, judgement):
            line = judgement.undated[0].sentence
            title = "The support period is stated without an end date"
            # PSTI defines the period by its end date; EN 303 645 may accept a period alone: a hint there.
            return [
                self.finding(
                    Outcome.FAIL, title, text.url, provisions=(PSTI_SUPPORT_PERIOD,), line=line,
                    severity=Severity.HIGH, detail=question, evidence=evidence, discriminator="period",
                ),
                self.finding(
                    Outcome.INFO, title, text.url, line=line, severity=Severity.MEDIUM,
                    detail=question, evidence=evidence, discriminator="period-hint",
                ),
            ]  # fmt: skip
        if judgement.state in (PeriodState.NONE, PeriodState.VAGUE) and self._may_fail(text, judgement):
            vague = judgement.state is PeriodState.VAGUE
            return [
                self.finding(
                    Outcome.FAIL,
                    "The statement promises updates without a defined support period"
                    if vague
                    else f"The {self.document} states no support period",
                    text.url,
                    line=judgement.vague[0].sentence if vague else None,
                    severity=Severity.HIGH,
                    detail=f"{question} A defined support period is a minimum time with an end date.",
                    evidence=evidence,
                    discriminator="period",
                )
            ]
        return [
            self.finding(
                Outcome.INFO,
                _hint_title(judgement, text),
                text.url,
                line=_first_line(judgement),
                severity=Severity.MEDIUM,
                detail=question,
                evidence=evidence,
                discriminator="period",
            )
        ]

    def _may_fail(self, text: DocumentText, judgement: SupportJudgement) -> bool:
        """Absence is evidence only on a statement read in full, in a known language, with no figures left unread."""
        unknown_language = bool(text.language) and text.language not in default_support_phrases().languages
        return not (text.truncated or unknown_language or judgement.unread)


def _hint_title(judgement: SupportJudgement, text: DocumentText) -> str:
    match judgement.state:
        case PeriodState.AMBIGUOUS:
            return "The support period's end cannot be told apart: several dates, or a date that reads two ways"
        case PeriodState.IMPRECISE:
            return "The support period ends in a year without a day"
        case PeriodState.NO_END_DATE:
            return "The support period is stated without an end date"
    if judgement.unread:
        return f"The support period is stated in words this tool did not read as a date: {judgement.unread[0].text!r}"
    if text.truncated:
        return "No support period in the part of the statement that could be read"
    return f"No support period found, but the page is in {text.language!r}, whose phrasings are not in the data"


def _first_line(judgement: SupportJudgement) -> int | None:
    for quotes in (
        [a.quote for a in judgement.ambiguous],
        judgement.imprecise,
        judgement.undated,
        judgement.unread,
        [c.quote for c in judgement.candidates],
    ):
        if quotes:
            return quotes[0].sentence
    return None

"""What the label says, in plain words, from the assessment and the manufacturer's profile.

The overall result and the password answer come ONLY from the PSTI verdicts: a buyer's label may not be kinder
than the evidence. The profile supplies what only the manufacturer can declare: how a password is set, the end
of security updates, where to report a problem.
"""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from iotbaseline.catalogue import Catalogue
from iotbaseline.errors import InputError
from iotbaseline.label.wording import LabelWording, State
from iotbaseline.model import Assessment, Verdict, VerdictValue
from iotbaseline.profile.model import ProductProfile
from iotbaseline.report.view import PSTI, qualified_provision, view_of
from iotbaseline.statement.content import long_date

PASSWORD_REQUIREMENT = "PSTI:1"  # noqa: S105 (a provision id, not a password)
MAX_URL_CHARS = 300
"""Longer addresses make a QR code too dense to scan from a printed label."""


@dataclass(frozen=True)
class Answer:
    label: str
    answer: str
    state: State
    detail: str = ""


@dataclass(frozen=True)
class LabelFacts:
    product: str
    maker: str
    """Product type and manufacturer in words, e.g. `Indoor camera by Acme Ltd`; may be empty."""
    password: Answer
    updates: Answer
    report: Answer
    result: State
    headline: str
    result_detail: str
    checked: str
    tool: str
    report_url: str | None

    @property
    def answers(self) -> tuple[Answer, Answer, Answer]:
        return (self.password, self.updates, self.report)


def check_report_url(url: str) -> str:
    """The full report's address as a QR code may carry it: http(s), a host, no spaces or controls, short."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        raise InputError(f"--url {url!r}: give the full report's address as https://...")
    if any(character.isspace() or ord(character) < 0x20 or ord(character) == 0x7F for character in url):
        raise InputError("--url: the address holds spaces or control characters; percent-encode them")
    if len(url) > MAX_URL_CHARS:
        raise InputError(f"--url: longer than {MAX_URL_CHARS} characters; too dense a QR code to scan from a label")
    return url


def label_facts(
    assessment: Assessment,
    catalogue: Catalogue,
    wording: LabelWording,
    profile: ProductProfile | None = None,
    report_url: str | None = None,
    today: date | None = None,
) -> LabelFacts:
    view = view_of(assessment, catalogue)
    overall = _overall(view.psti_overall)
    headline, detail = wording.result[overall]
    footer = wording.footer
    return LabelFacts(
        product=_product_name(assessment, profile, view.product_name),
        maker=_maker(assessment, profile),
        password=_password(assessment, profile, wording),
        updates=_updates(profile, wording, today or date.today()),
        report=_report(profile, wording),
        result=overall,
        headline=headline,
        result_detail=detail,
        checked=footer["checked"].replace("{date}", _day(assessment.created)),
        tool=footer["tool"].replace("{version}", str(assessment.tool_version)),
        report_url=check_report_url(report_url) if report_url is not None else None,
    )


def _overall(value: VerdictValue | None) -> State:
    """FAIL anywhere: bad; all three met (or not applicable): good; anything else, or not judged: unknown."""
    if value is VerdictValue.FAIL:
        return State.BAD
    if value is VerdictValue.PASS:
        return State.GOOD
    return State.UNKNOWN


def _password(assessment: Assessment, profile: ProductProfile | None, wording: LabelWording) -> Answer:
    row = wording.rows["password"]
    answers, details = row["answers"], row["details"]
    verdict = _verdict(assessment, PASSWORD_REQUIREMENT)
    value = verdict.verdict if verdict is not None else None
    if value is VerdictValue.FAIL:
        return Answer(row["label"], answers["bad"], State.BAD, details["failed"])
    if value not in {VerdictValue.PASS, VerdictValue.NOT_APPLICABLE}:
        return Answer(row["label"], answers["unknown"], State.UNKNOWN, details["unknown"])
    return Answer(row["label"], answers["good"], State.GOOD, _how_set(profile, details))


def _how_set(profile: ProductProfile | None, details: dict[str, str]) -> str:
    """How a buyer gets a password, as the manufacturer declares it; nothing when the profile does not say."""
    if profile is None:
        return ""
    uses, preinstalled = profile.feature("uses_passwords"), profile.feature("preinstalled_passwords")
    if uses is False:
        return details["no_passwords"]
    if preinstalled is True:
        return details["unique_per_unit"]
    if preinstalled is False and uses is True:
        return details["user_sets"]
    return ""


def _updates(profile: ProductProfile | None, wording: LabelWording, today: date) -> Answer:
    row = wording.rows["updates"]
    end = profile.support_period.end_date if profile is not None else None
    if end is None:
        return Answer(row["label"], row["not_stated"], State.UNKNOWN)
    if end < today:
        return Answer(row["label"], long_date(end), State.BAD, row["ended"])
    return Answer(row["label"], long_date(end), State.GOOD)


def _report(profile: ProductProfile | None, wording: LabelWording) -> Answer:
    row = wording.rows["report"]
    disclosure = profile.vulnerability_disclosure if profile is not None else None
    contact = disclosure.contact or disclosure.policy_url if disclosure is not None else None
    if not contact:
        return Answer(row["label"], row["not_stated"], State.UNKNOWN)
    return Answer(row["label"], contact, State.GOOD)


def _verdict(assessment: Assessment, qualified_id: str) -> Verdict | None:
    return next(
        (v for v in assessment.verdicts_for(PSTI) if qualified_provision(v) == qualified_id),
        None,
    )


def _product_name(assessment: Assessment, profile: ProductProfile | None, fallback: str) -> str:
    declared = profile.product.model_designation if profile is not None else None
    assessed = assessment.product.get("model_designation")
    for name in (declared, assessed):
        if isinstance(name, str) and name.strip():
            return name
    return fallback.rsplit("/", 1)[-1]


def _maker(assessment: Assessment, profile: ProductProfile | None) -> str:
    if profile is not None:
        kind, maker = profile.product.product_type, profile.manufacturer.name
    else:
        kind, maker = assessment.product.get("product_type"), None
    kind_text = kind.strip() if isinstance(kind, str) else ""
    kind_text = kind_text[:1].upper() + kind_text[1:]
    if kind_text and maker:
        return f"{kind_text} by {maker}"
    return kind_text or (f"By {maker}" if maker else "")


def _day(created: object) -> str:
    try:
        return long_date(datetime.fromisoformat(str(created)).date())
    except ValueError:
        return str(created)

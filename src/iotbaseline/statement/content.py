"""The content of a draft statement of compliance, worked out once from the profile and the assessment; the
Markdown and HTML renderings (`render.py`) only lay it out.

Text is a sequence of runs: our wording, values from the profile, blanks for the signatory to fill, and
placeholders for what the profile does not say (listed in `missing`, so the CLI can name them). A draft never
claims what the evidence contradicts: any PSTI requirement the assessment found FAILED puts a warning on top.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from iotbaseline.model import Assessment, Verdict, VerdictValue
from iotbaseline.profile.model import ProductProfile
from iotbaseline.statement.items import StatementRequirements

REGULATIONS = (
    "the Product Security and Telecommunications Infrastructure (Security Requirements for Relevant Connectable "
    "Products) Regulations 2023"
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
PSTI = "PSTI"
PSTI_HEADINGS = {"1": "Passwords", "2": "How to report security issues", "3": "Minimum security update period"}
"""Schedule 1's paragraphs in a few words, as the draft names them."""


class RunKind(StrEnum):
    TEXT = "text"
    VALUE = "value"
    """From the profile or the assessment: escaped as hostile text by every rendering."""
    MISSING = "missing"
    """A profile item not given: a visible placeholder."""
    BLANK = "blank"
    """For the signatory to fill in by hand."""


@dataclass(frozen=True)
class Run:
    text: str
    kind: RunKind = RunKind.TEXT


Runs = tuple[Run, ...]
ValueMaker = Callable[[str | None, str, str], Run]
"""A profile value as a run, or its placeholder (recorded as missing): (text, profile path, what it is)."""


@dataclass(frozen=True)
class Field:
    label: str
    """Ends with a colon, so a statement check finds label and value on one line in every rendering."""
    runs: Runs


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[Runs, ...] = ()
    fields: tuple[Field, ...] = ()


@dataclass(frozen=True)
class MissingItem:
    path: str
    """Dotted field of the profile file, e.g. `manufacturer.address`."""
    what: str


@dataclass(frozen=True)
class RequirementNote:
    """A PSTI requirement the assessment did not find met."""

    provision: str
    heading: str
    verdict: VerdictValue
    reason: str


@dataclass(frozen=True)
class AssessmentSummary:
    created: str
    tool_version: str
    inputs: tuple[str, ...]
    failed: tuple[RequirementNote, ...]
    undecided: tuple[RequirementNote, ...]
    judged: bool
    """False when the assessment holds no PSTI verdict at all."""
    product_mismatch: str = ""


@dataclass(frozen=True)
class DraftStatement:
    title: str
    basis: str
    sections: tuple[Section, ...]
    signatory: tuple[Field, ...]
    missing: tuple[MissingItem, ...]
    assessment: AssessmentSummary | None
    unconfirmed_note: str

    @property
    def warning(self) -> bool:
        """The assessment found a PSTI requirement not met: the draft must not be signed as it stands."""
        return self.assessment is not None and bool(self.assessment.failed)


def long_date(day: date) -> str:
    """`31 December 2028`, whatever the locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def draft_statement(
    profile: ProductProfile, assessment: Assessment | None, requirements: StatementRequirements
) -> DraftStatement:
    missing: list[MissingItem] = []

    def value(text: str | None, path: str, what: str) -> Run:
        if text is None or not text.strip():
            missing.append(MissingItem(path, what))
            return Run(f"[TO FILL: {what}]", RunKind.MISSING)
        return Run(text, RunKind.VALUE)

    maker = value(profile.manufacturer.name, "manufacturer.name", "manufacturer's name")
    product = profile.product
    sections = (
        Section(
            "Product",
            fields=(
                Field("Product type:", (value(product.product_type, "product.product_type", "product type"),)),
                Field(
                    "Model designation:",
                    (value(product.model_designation, "product.model_designation", "model designation"),),
                ),
                Field("Batch:", (value(product.batch, "product.batch", "batch or production lot"),)),
                *_optional_field("Hardware version:", product.hardware_version),
                *_optional_field("Firmware version:", product.firmware_version),
            ),
        ),
        Section(
            "Manufacturer",
            fields=(
                Field("Manufacturer:", (maker,)),
                Field("Address:", (value(profile.manufacturer.address, "manufacturer.address", "postal address"),)),
            ),
        ),
        Section(
            "Declaration",
            paragraphs=(
                (
                    Run("This statement of compliance is prepared by or on behalf of the manufacturer, "),
                    maker,
                    Run("."),
                ),
                (
                    Run("In the opinion of the manufacturer, "),
                    maker,
                    Run(
                        ", the security requirements in Schedule 1 to "
                        f"{REGULATIONS} have been complied with in relation to the product identified above."
                    ),
                ),
            ),
        ),
        _support_period(profile, value),
    )
    return DraftStatement(
        title="Statement of compliance",
        basis=f"Product Security and Telecommunications Infrastructure Act 2022, section 9; {REGULATIONS}.",
        sections=sections,
        signatory=(
            Field("Signature:", (Run("", RunKind.BLANK),)),
            Field("Name of signatory:", (Run("", RunKind.BLANK),)),
            Field("Function of signatory:", (Run("", RunKind.BLANK),)),
            Field("Place of issue:", (Run("", RunKind.BLANK),)),
            Field("Date of issue:", (Run("", RunKind.BLANK),)),
        ),
        missing=tuple(missing),
        assessment=_summary(assessment, profile) if assessment is not None else None,
        unconfirmed_note=_unconfirmed_note(requirements),
    )


def _optional_field(label: str, text: str | None) -> tuple[Field, ...]:
    return (Field(label, (Run(text, RunKind.VALUE),)),) if text else ()


def _support_period(profile: ProductProfile, value: ValueMaker) -> Section:
    period = profile.support_period
    end = value(long_date(period.end_date) if period.end_date else None, "support_period.end_date", "end date")
    fields = [Field("Security updates provided until:", (end,))]
    if period.start_date is not None:
        fields.insert(0, Field("Support period starts:", (Run(long_date(period.start_date), RunKind.VALUE),)))
    paragraph = [Run("This is the end of the defined support period as it stands at the date of issue.")]
    if period.statement_url:
        paragraph += [Run(" The support period is published at "), Run(period.statement_url, RunKind.VALUE), Run(".")]
    return Section("Defined support period", paragraphs=(tuple(paragraph),), fields=tuple(fields))


def _summary(assessment: Assessment, profile: ProductProfile) -> AssessmentSummary:
    verdicts = assessment.verdicts_for(PSTI)

    def notes(value: VerdictValue) -> tuple[RequirementNote, ...]:
        return tuple(_note(verdict) for verdict in verdicts if verdict.verdict is value)

    return AssessmentSummary(
        created=_day_of(assessment.created),
        tool_version=str(assessment.tool_version),
        inputs=tuple(str(item.path) for item in assessment.inputs),
        failed=notes(VerdictValue.FAIL),
        undecided=notes(VerdictValue.INCONCLUSIVE),
        judged=bool(verdicts),
        product_mismatch=_mismatch(assessment, profile),
    )


def _note(verdict: Verdict) -> RequirementNote:
    local = verdict.provision.removeprefix(f"{PSTI}:")
    return RequirementNote(
        provision=local,
        heading=PSTI_HEADINGS.get(local, f"Requirement {local}"),
        verdict=verdict.verdict,
        reason=str(verdict.reason),
    )


def _mismatch(assessment: Assessment, profile: ProductProfile) -> str:
    """The assessment was of another product: its model (from the profile it ran with) differs from this one's."""
    assessed = assessment.product.get("model_designation")
    declared = profile.product.model_designation
    if isinstance(assessed, str) and assessed and declared and assessed.strip() != declared.strip():
        return f"The assessment is of model {assessed}, this statement of model {declared}."
    return ""


def _day_of(created: object) -> str:
    try:
        return long_date(datetime.fromisoformat(str(created)).date())
    except ValueError:
        return str(created)


def _unconfirmed_note(requirements: StatementRequirements) -> str:
    if not requirements.unconfirmed:
        return ""
    return (
        f"{len(requirements.unconfirmed)} of the {len(requirements.items)} items a statement of compliance must "
        f"contain come from secondary sources, not confirmed against {requirements.source}; check them at "
        f"{requirements.verify_at} before issuing. The declarations' wording follows those sources, not the "
        "Regulations' own text."
    )

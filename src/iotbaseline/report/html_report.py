"""The HTML report: one self-contained page a non-expert can read, print and keep.

Summary first (the three PSTI requirements in words, the counts per standard), then every verdict grouped by
clause with the findings that decided it and, for INCONCLUSIVE, what is still needed; then the problems found with
where they are, the evidence and what to do. No script, no external asset, no web font: a Content Security Policy
in the page forbids them, as a second wall behind escaping, since every finding comes from hostile firmware.
"""

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import markupsafe

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import Assessment, JSONValue, Outcome, VerdictValue
from iotbaseline.report.interface import ReportFormat
from iotbaseline.report.locations import location_fields, location_text
from iotbaseline.report.text import visible
from iotbaseline.report.view import VERDICT_LABELS, VERDICT_ORDER, view_of

if TYPE_CHECKING:
    import jinja2

TEMPLATE = "report.html.j2"

VERDICT_CSS: Mapping[VerdictValue, str] = {
    VerdictValue.PASS: "v-pass",
    VerdictValue.FAIL: "v-fail",
    VerdictValue.INCONCLUSIVE: "v-inc",
    VerdictValue.NOT_APPLICABLE: "v-na",
}
VERDICT_SYMBOLS: Mapping[VerdictValue, str] = {
    VerdictValue.PASS: "✔",
    VerdictValue.FAIL: "✘",
    VerdictValue.INCONCLUSIVE: "?",
    VerdictValue.NOT_APPLICABLE: "–",
}
LEGEND: Mapping[VerdictValue, str] = {
    VerdictValue.FAIL: "not met: the evidence shows a breach",
    VerdictValue.INCONCLUSIVE: "not decided: evidence is missing (see what is needed)",
    VerdictValue.PASS: "met on the evidence examined",
    VerdictValue.NOT_APPLICABLE: "does not apply to this product",
}
PSTI_HEADLINES: Mapping[VerdictValue, str] = {
    VerdictValue.FAIL: "Does not meet the UK PSTI security requirements.",
    VerdictValue.INCONCLUSIVE: "Not decided yet: evidence is missing for some UK PSTI security requirements.",
    VerdictValue.PASS: "Meets the three UK PSTI security requirements on the evidence examined.",
    VerdictValue.NOT_APPLICABLE: "The UK PSTI security requirements do not apply.",
}
PSTI_NOTES: Mapping[VerdictValue, str] = {
    VerdictValue.FAIL: "A connectable product sold to UK consumers must meet all three.",
    VerdictValue.INCONCLUSIVE: "None failed on what was examined; the evidence listed below is still needed.",
    VerdictValue.PASS: "",
    VerdictValue.NOT_APPLICABLE: "",
}
OUTCOME_LABELS: Mapping[Outcome, str] = {
    Outcome.FAIL: "Problem",
    Outcome.ERROR: "Check error",
    Outcome.INFO: "Info",
    Outcome.PASS: "Passed",
}


class HtmlReport(ReportFormat):
    name = "html"
    file_name = "report.html"
    media_type = "text/html"
    description = "A self-contained page for people: PSTI summary, verdicts by clause, problems and what to do."

    def render(self, assessment: Assessment, catalogue: Catalogue) -> str:
        view = view_of(assessment, catalogue)
        return (
            _environment()
            .get_template(TEMPLATE)
            .render(
                assessment=assessment,
                view=view,
                product_facts=product_facts(assessment.product, skip=view.product_name_key),
                created=time_text(assessment.created),
                order=VERDICT_ORDER,
                labels=VERDICT_LABELS,
                css=VERDICT_CSS,
                symbols=VERDICT_SYMBOLS,
                legend=LEGEND,
                headlines=PSTI_HEADLINES,
                headline_notes=PSTI_NOTES,
                outcome_labels=OUTCOME_LABELS,
                VerdictValue=VerdictValue,
            )
        )


@cache
def _environment() -> "jinja2.Environment":
    import jinja2  # here, not at the top: only the HTML report needs it, and the CLI's start-up counts

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("iotbaseline.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_visible_value,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals.update(
        location_text=location_text,
        location_fields=location_fields,
        evidence_items=evidence_items,
        size_text=size_text,
        anchor=anchor,
    )
    return environment


def _visible_value(value: Any) -> Any:
    """Applied to every `{{ ... }}` before autoescaping: hostile control characters become visible escapes.
    Markup (what macros produce) is already escaped and passes as it is."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value)
    return value


def product_facts(product: Mapping[str, JSONValue], skip: str | None = None) -> tuple[tuple[str, str], ...]:
    """The profile's product fields as label and text, e.g. ("Manufacturer", "Acme"), less the one in the title."""
    return tuple(
        (key.replace("_", " ").capitalize(), _scalar_text(value)) for key, value in product.items() if key != skip
    )


def time_text(iso_time: str) -> str:
    """`2026-11-26 08:00 UTC` for an ISO 8601 UTC time; any other text as it is."""
    try:
        moment = datetime.fromisoformat(iso_time)
    except ValueError:
        return iso_time
    if moment.utcoffset() != timedelta(0):
        return iso_time
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def evidence_items(evidence: Mapping[str, JSONValue]) -> tuple[tuple[str, str, bool], ...]:
    """(key, text, is_block): scalars and lists of scalars inline, anything nested as indented JSON."""
    items = []
    for key, value in evidence.items():
        if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
            items.append((key, ", ".join(_scalar_text(item) for item in value), False))
        elif isinstance(value, dict | list):
            items.append((key, json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True), True))
        else:
            items.append((key, _scalar_text(value), False))
    return tuple(items)


def _scalar_text(value: JSONValue) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def size_text(size: int) -> str:
    """`812 bytes`, `4.2 MiB`; `—` for an input without a size (a live host)."""
    if size <= 0:
        return "—"
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def anchor(qualified_id: str) -> str:
    """The part of an element id naming a provision or standard: `EN303645:5.1-1` -> `EN303645-5.1-1`."""
    return "".join(c if c.isascii() and (c.isalnum() or c in ".-_") else "-" for c in qualified_id)

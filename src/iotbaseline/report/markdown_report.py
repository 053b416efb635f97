"""The Markdown report, for a pull-request comment: the PSTI table, counts per standard, what failed and where,
and the INCONCLUSIVE items folded away. Short on purpose: the HTML report has the rest.

Every value from the assessment is escaped so that GitHub-flavoured Markdown shows it as text: no HTML, no
Markdown links or emphasis, no table-breaking pipes or line breaks, and no @mentions or #references (GitHub finds
those in the rendered text, so escaping does not stop them: an invisible word joiner after `@` and `#` does).
"""

import re

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import Assessment, VerdictValue
from iotbaseline.report.interface import ReportFormat
from iotbaseline.report.locations import location_text
from iotbaseline.report.text import one_line
from iotbaseline.report.view import VERDICT_LABELS, VERDICT_ORDER, AssessmentView, JudgedProvision, view_of

MAX_FAILURES = 30
MAX_INCONCLUSIVE = 50
MAX_FINDINGS_PER_FAILURE = 5

EMOJI = {
    VerdictValue.PASS: "✅",
    VerdictValue.FAIL: "❌",
    VerdictValue.INCONCLUSIVE: "❔",
    VerdictValue.NOT_APPLICABLE: "➖",
}

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
"""What can start emphasis, code, a link or strikethrough, or end a table cell, anywhere in a line. Values never
start a line here, so block markers (#, -, 1.) need no escape."""
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
WORD_JOINER = "\u2060"


def md(text: str) -> str:
    """Text shown as itself, on one line, in GitHub-flavoured Markdown (also inside a table cell)."""
    escaped = "".join(_HTML_SPECIAL.get(c, c) for c in one_line(text))
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)
    return escaped.replace("@", "@" + WORD_JOINER).replace("#", "#" + WORD_JOINER)


class MarkdownReport(ReportFormat):
    name = "markdown"
    file_name = "report.md"
    media_type = "text/markdown"
    description = "A short Markdown summary for pull-request comments."

    def render(self, assessment: Assessment, catalogue: Catalogue) -> str:
        view = view_of(assessment, catalogue)
        parts = [
            f"## iotbaseline: {md(view.product_name)}",
            _contradictions(view),
            _psti_table(view),
            _counts_table(view),
            _failures(view),
            _inconclusive(view),
            f"<sub>iotbaseline {md(assessment.tool_version)} · {md(assessment.created)} · details in report.html</sub>",
        ]
        return "\n\n".join(part for part in parts if part) + "\n"


def _badge(value: VerdictValue) -> str:
    return f"{EMOJI[value]} **{VERDICT_LABELS[value]}**"


def _contradictions(view: AssessmentView) -> str:
    contradicted = view.contradictions
    if not contradicted:
        return ""
    lines = [f"### {EMOJI[VerdictValue.FAIL]} Declarations contradicted by the evidence ({len(contradicted)})", ""]
    lines.extend(f"- {_provision_line(judged)}: {md(judged.verdict.contradiction)}" for judged in contradicted)
    return "\n".join(lines)


def _psti_table(view: AssessmentView) -> str:
    if view.psti_overall is None:
        return "UK PSTI requirements: not judged in this assessment."
    rows = ["| UK PSTI requirement | Verdict | Why |", "|---|---|---|"]
    for requirement in view.psti:
        judged = requirement.judged
        verdict = _badge(judged.value) if judged else "not judged"
        reason = md(judged.verdict.reason) if judged else ""
        rows.append(f"| {requirement.provision.id}. {md(requirement.heading)} | {verdict} | {reason} |")
    return "\n".join(rows)


def _counts_table(view: AssessmentView) -> str:
    if not view.standards:
        return ""
    header = "| Standard | " + " | ".join(_badge(v) for v in VERDICT_ORDER) + " |"
    rows = [header, "|---|" + "---:|" * len(VERDICT_ORDER)]
    for section in view.standards:
        counts = section.counts
        rows.append(f"| {md(section.title)} | " + " | ".join(str(counts[v]) for v in VERDICT_ORDER) + " |")
    return "\n".join(rows)


def _provision_line(judged: JudgedProvision) -> str:
    title = f" {md(judged.title)}" if judged.title else ""
    return f"**{md(judged.verdict.standard)} {md(judged.local_id)}**{title}"


def _failures(view: AssessmentView) -> str:
    failed = view.with_verdict(VerdictValue.FAIL)
    if not failed:
        return "No provision failed."
    lines = [f"### {EMOJI[VerdictValue.FAIL]} Failed ({len(failed)})", ""]
    for judged in failed[:MAX_FAILURES]:
        lines.append(f"- {_provision_line(judged)}: {md(judged.verdict.reason)}")
        for finding in judged.findings[:MAX_FINDINGS_PER_FAILURE]:
            where = location_text(finding.location)
            lines.append(f"  - {md(finding.title)}" + (f" at {md(where)}" if where else ""))
        if len(judged.findings) > MAX_FINDINGS_PER_FAILURE:
            lines.append(f"  - and {len(judged.findings) - MAX_FINDINGS_PER_FAILURE} more findings")
    if len(failed) > MAX_FAILURES:
        lines.append(f"- and {len(failed) - MAX_FAILURES} more failed provisions (see report.html)")
    return "\n".join(lines)


def _inconclusive(view: AssessmentView) -> str:
    pending = view.with_verdict(VerdictValue.INCONCLUSIVE)
    if not pending:
        return ""
    lines = [
        f"<details><summary>{EMOJI[VerdictValue.INCONCLUSIVE]} Inconclusive ({len(pending)}): "
        "evidence still needed</summary>",
        "",
    ]
    for judged in pending[:MAX_INCONCLUSIVE]:
        needs = "; ".join(md(item) for item in judged.verdict.missing_evidence) or md(judged.verdict.reason)
        lines.append(f"- {_provision_line(judged)}: {needs}")
    if len(pending) > MAX_INCONCLUSIVE:
        lines.append(f"- and {len(pending) - MAX_INCONCLUSIVE} more (see report.html)")
    lines.extend(["", "</details>"])
    return "\n".join(lines)

"""The Markdown view of a diff, for a release's pull-request comment: the gate, fixed and introduced findings
first, then changed findings, verdicts and components; unchanged findings folded away.

Values are escaped with the Markdown report's `md` (no HTML, links, emphasis, mentions or broken tables).
"""

from collections.abc import Sequence

from iotbaseline.diff.model import AssessmentDiff, ComponentDiff, FindingChange, VerdictChange
from iotbaseline.model import Finding
from iotbaseline.report.locations import location_text
from iotbaseline.report.markdown_report import md

MAX_ROWS = 50


def render_markdown(diff: AssessmentDiff) -> str:
    found = diff.findings
    parts = [
        f"## iotbaseline diff: {md(diff.old.label)} → {md(diff.new.label)}",
        _gate(diff),
        _findings("Fixed", "✅", found.fixed),
        _findings("Introduced", "❌", found.introduced),
        _changed(found.changed),
        _verdicts(diff.verdicts),
        _components(diff.components),
        _unchanged(found.unchanged),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _gate(diff: AssessmentDiff) -> str:
    found = diff.findings
    counts = (
        f"{len(found.fixed)} fixed · {len(found.introduced)} introduced · {len(found.changed)} changed · "
        f"{len(found.unchanged)} unchanged · {len(diff.verdicts)} verdicts changed"
    )
    if not diff.regressions:
        return f"{counts}\n\nRelease gate (`--fail-on-new`): ✅ nothing new fails."
    lines = [counts, "", f"Release gate (`--fail-on-new`): ❌ {len(diff.regressions)} regressions", ""]
    lines += [f"- {md(r.text)}" for r in diff.regressions[:MAX_ROWS]]
    return "\n".join(lines + _more(len(diff.regressions)))


def _findings(title: str, mark: str, findings: Sequence[Finding]) -> str:
    if not findings:
        return f"### {title}: none"
    rows = [f"### {mark} {title} ({len(findings)})", "", "| Outcome | Finding | Where | Check |", "|---|---|---|---|"]
    rows += [
        f"| {f.outcome.value.upper()} | {md(f.title)} | {md(location_text(f.location))} | {md(f.check)} |"
        for f in findings[:MAX_ROWS]
    ]
    return "\n".join(rows + _more(len(findings)))


def _changed(changes: Sequence[FindingChange]) -> str:
    if not changes:
        return ""
    rows = [
        f"### Same weakness, other component version ({len(changes)})",
        "",
        "| Outcome | Before | Now | Vulnerabilities fixed | Newly named |",
        "|---|---|---|---|---|",
    ]
    rows += [
        f"| {c.new.outcome.value.upper()} | {md(c.old.title)} | {md(c.new.title)} | "
        f"{md(', '.join(c.fixed_vulnerabilities))} | {md(', '.join(c.new_vulnerabilities))} |"
        for c in changes[:MAX_ROWS]
    ]
    return "\n".join(rows + _more(len(changes)))


def _verdicts(changes: Sequence[VerdictChange]) -> str:
    if not changes:
        return "### Verdicts: none changed"
    rows = [
        f"### Verdicts changed ({len(changes)})",
        "",
        "| Standard | Provision | Before | Now |",
        "|---|---|---|---|",
    ]
    rows += [
        f"| {md(v.standard)} | {md(v.provision)} | {v.old.verdict.value if v.old else 'not judged'} | "
        f"{v.new.verdict.value if v.new else 'not judged'} |"
        for v in changes[:MAX_ROWS]
    ]
    return "\n".join(rows + _more(len(changes)))


def _components(components: ComponentDiff) -> str:
    entries = [
        f"| {md(c.name)} | {md(c.old_version or '?')} | {md(c.new_version or '?')} | {c.change.value} |"
        for c in components.changed
    ]
    entries += [f"| {md(c.name)} | | {md(c.version or '?')} | added |" for c in components.added]
    entries += [f"| {md(c.name)} | {md(c.version or '?')} | | removed |" for c in components.removed]
    if not entries:
        return "### Components: none changed"
    rows = [f"### Components ({len(entries)})", "", "| Component | Before | Now | Change |", "|---|---|---|---|"]
    return "\n".join(rows + entries[:MAX_ROWS] + _more(len(entries)))


def _unchanged(findings: Sequence[Finding]) -> str:
    if not findings:
        return ""
    lines = [f"<details><summary>Unchanged findings ({len(findings)})</summary>", ""]
    lines += [
        f"- {f.outcome.value.upper()} {md(f.title)} ({md(location_text(f.location))})" for f in findings[:MAX_ROWS]
    ]
    return "\n".join([*lines, *_more(len(findings)), "", "</details>"])


def _more(count: int) -> list[str]:
    return [f"\n… and {count - MAX_ROWS} more (diff.json lists all)"] if count > MAX_ROWS else []

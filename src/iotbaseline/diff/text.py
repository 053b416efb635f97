"""The terminal view of a diff: the gate's answer, then fixed and introduced findings first, then what
changed around them. Plain lines; every value from the reports made showable (`report.text.one_line`)."""

from collections.abc import Sequence

from iotbaseline.diff.model import AssessmentDiff, ComponentRef
from iotbaseline.model import Finding
from iotbaseline.report.locations import location_text
from iotbaseline.report.text import one_line

MAX_LISTED = 50


def render_text(diff: AssessmentDiff) -> str:
    found = diff.findings
    lines = [
        f"iotbaseline diff: {one_line(diff.old.label)} -> {one_line(diff.new.label)}",
        f"{len(found.fixed)} fixed, {len(found.introduced)} introduced, {len(found.changed)} changed, "
        f"{len(found.unchanged)} unchanged findings; {len(diff.verdicts)} verdicts changed",
        _gate_line(diff),
    ]
    lines += _section("Fixed", [_finding(f) for f in found.fixed])
    lines += _section("Introduced", [_finding(f) for f in found.introduced])
    lines += _section(
        "Changed with a component version",
        [
            f"  {c.new.outcome.value.upper():<5} {one_line(c.old.title)}\n        now: {one_line(c.new.title)}"
            + (f"\n        fixed: {', '.join(c.fixed_vulnerabilities)}" if c.fixed_vulnerabilities else "")
            + (f"\n        new: {', '.join(c.new_vulnerabilities)}" if c.new_vulnerabilities else "")
            for c in found.changed
        ],
    )
    lines += _section(
        "Verdicts changed",
        [
            f"  {one_line(v.standard)} {one_line(v.provision)}: "
            f"{v.old.verdict.value if v.old else 'not judged'} -> {v.new.verdict.value if v.new else 'not judged'}"
            for v in diff.verdicts
        ],
    )
    components = diff.components
    lines += _section(
        "Components",
        [
            f"  {one_line(c.name)} {one_line(c.old_version or '?')} -> {one_line(c.new_version or '?')} ({c.change})"
            for c in components.changed
        ]
        + [f"  added {_component(c)}" for c in components.added]
        + [f"  removed {_component(c)}" for c in components.removed],
    )
    if diff.checks.only_old or diff.checks.only_new:
        lines += _section(
            "Not compared (the check ran on one side only)",
            [f"  old only: {one_line(c)}" for c in diff.checks.only_old]
            + [f"  new only: {one_line(c)}" for c in diff.checks.only_new],
        )
    return "\n".join(lines) + "\n"


def _gate_line(diff: AssessmentDiff) -> str:
    if not diff.regressions:
        return "Release gate (--fail-on-new): nothing new fails"
    shown = "; ".join(one_line(r.text) for r in diff.regressions[:5])
    more = f"; and {len(diff.regressions) - 5} more" if len(diff.regressions) > 5 else ""
    return f"Release gate (--fail-on-new): {len(diff.regressions)} regressions: {shown}{more}"


def _section(title: str, entries: Sequence[str]) -> list[str]:
    lines = ["", f"{title} ({len(entries)})"]
    lines += entries[:MAX_LISTED] if entries else ["  none"]
    if len(entries) > MAX_LISTED:
        lines.append(f"  ... and {len(entries) - MAX_LISTED} more (--json lists all)")
    return lines


def _finding(finding: Finding) -> str:
    where = location_text(finding.location)
    detail = "  ".join(part for part in (one_line(where), f"[{one_line(finding.check)}]") if part)
    return f"  {finding.outcome.value.upper():<5} {one_line(finding.title)}\n        {detail}"


def _component(component: ComponentRef) -> str:
    return f"{one_line(component.name)} {one_line(component.version or '(version unknown)')}"

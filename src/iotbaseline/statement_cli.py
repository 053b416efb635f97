"""`iotbaseline statement`: draft a UK PSTI statement of compliance, or check an existing one for its items."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from iotbaseline.cli_support import profile_option, report_option, user_errors

if TYPE_CHECKING:
    from iotbaseline.statement.check import StatementCheck

EXIT_INCOMPLETE = 1


@click.group()
def statement() -> None:
    """The UK PSTI statement of compliance: draft one from the profile, or check an existing one."""


@statement.command()
@profile_option("Product profile (iotbaseline init): manufacturer, product, batch, support period.", required=True)
@report_option("report.json of a scan: the PSTI requirements it did not find met are noted, and a FAIL warned of.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Output folder.")
def draft(profile_path: Path, report_path: Path | None, output: Path) -> None:
    """Write a draft statement of compliance as statement.md and statement.html (print it to PDF) into OUTPUT.

    What the profile does not give is left as a visible [TO FILL: ...] placeholder and listed here; the signatory's
    name, function, place and date of issue are blanks to fill by hand. Exit codes: 0 written, 2 unusable input.
    """
    from iotbaseline.assessment_file import load_assessment
    from iotbaseline.profile.loader import load_profile
    from iotbaseline.statement.content import draft_statement
    from iotbaseline.statement.items import default_requirements
    from iotbaseline.statement.render import write_draft

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    with user_errors():
        profile = load_profile(profile_path)
        assessment = load_assessment(report_path) if report_path is not None else None
        content = draft_statement(profile, assessment, default_requirements())
        written = write_draft(content, output)
    if content.warning and content.assessment is not None:
        failed = ", ".join(f"{note.provision} ({note.heading})" for note in content.assessment.failed)
        err.print(f"[bold red]warning:[/bold red] the assessment found PSTI requirement(s) not met: {escape(failed)}")
    for item in content.missing:
        err.print(f"[yellow]missing in the profile:[/yellow] {escape(item.path)} ({escape(item.what)})")
    err.print("Draft written: " + ", ".join(escape(str(path)) for path in written))


@statement.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(file: Path, as_json: bool) -> None:
    """Check the statement of compliance in FILE (Markdown, HTML, text or PDF) for each item it must contain.

    Each item is present, unfilled (only a blank to fill) or missing, with the lines quoted that decided it; items
    whose legal source is not confirmed are marked so. Exit codes: 0 every item present, 1 some missing or
    unfilled, 2 unusable input.
    """
    from iotbaseline.statement.check import check_statement
    from iotbaseline.statement.items import default_requirements
    from iotbaseline.statement.text import read_statement

    with user_errors():
        result = check_statement(read_statement(file), default_requirements())
    if as_json:
        json.dump(result.to_dict(), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_check(result, Console(highlight=False, soft_wrap=True))
    sys.exit(0 if result.complete else EXIT_INCOMPLETE)


_STATUS_STYLE = {"present": "green", "unfilled": "yellow", "missing": "bold red"}


def _print_check(result: "StatementCheck", console: Console) -> None:
    console.print(f"[bold]Statement of compliance:[/bold] {escape(result.text.source)} ({result.text.format.value})")
    if result.text.truncated:
        console.print("[yellow]only the start of the text was read: it is longer than a statement can be[/yellow]")
    for item in result.items:
        status = item.status.value
        style = _STATUS_STYLE[status]
        unconfirmed = " [dim](unconfirmed requirement)[/dim]" if not item.item.confirmed else ""
        console.print(f"  [{style}]{status.upper():<8}[/{style}] {escape(item.item.description)}{unconfirmed}")
        for part in item.parts:
            if part.status.value != "present" or len(item.parts) > 1:
                reason = f": {escape(part.reason)}" if part.reason else ""
                console.print(f"             - {escape(part.part.name)}: {part.status.value}{reason}")
            for quote in part.evidence:
                console.print(f'               {quote.where}: "{escape(quote.text)}"')
            if part.part.note:
                console.print(f"               [dim]{escape(part.part.note)}[/dim]")
    unconfirmed_count = len(result.requirements.unconfirmed)
    if unconfirmed_count:
        console.print(
            f"[dim]{unconfirmed_count} of {len(result.items)} requirements come from secondary sources, not confirmed "
            f"against {escape(result.requirements.source)}: verify at {escape(result.requirements.verify_at)}[/dim]"
        )
    verdict = "complete" if result.complete else "incomplete"
    console.print(f"[bold]{verdict}[/bold]: the wording of every item was{'' if result.complete else ' not'} found")

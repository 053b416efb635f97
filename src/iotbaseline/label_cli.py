"""`iotbaseline label`: a one-page consumer label (SVG and PNG) from a scan's report and the product profile."""

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from iotbaseline.cli_support import profile_option, report_option, user_errors


@click.command()
@report_option("report.json of a scan: the UK PSTI verdicts give the result and the password answer.", required=True)
@profile_option("Product profile: how a password is set, the end of security updates, where to report a problem.")
@click.option("--url", "report_url", help="Address of the full report, shown as a QR code (https://...).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Output folder.")
def label(report_path: Path, profile_path: Path | None, report_url: str | None, output: Path) -> None:
    """Write label.svg and label.png into OUTPUT: what a buyer needs to know, in plain words.

    No universal default password (yes/no), security updates until (date), where to report a security problem,
    the overall result against the UK legal security baseline, the date and tool version, and a QR code to the
    full report when --url is given. Exit codes: 0 written, 2 unusable input.
    """
    from iotbaseline.assessment_file import load_assessment
    from iotbaseline.catalogue import default_catalogue
    from iotbaseline.label.facts import check_report_url, label_facts
    from iotbaseline.label.layout import lay_out
    from iotbaseline.label.render import write_label
    from iotbaseline.label.wording import default_widths, default_wording
    from iotbaseline.profile.loader import load_profile

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    with user_errors():
        url = check_report_url(report_url) if report_url is not None else None
        assessment = load_assessment(report_path)
        profile = load_profile(profile_path) if profile_path is not None else None
        wording = default_wording()
        facts = label_facts(assessment, default_catalogue(), wording, profile, url)
        written = write_label(lay_out(facts, wording, default_widths()), output)
    if profile is None:
        err.print("[yellow]no --profile:[/yellow] the label says 'Not stated' for security updates and reporting")
    err.print(f"{escape(facts.headline)}. Label written: " + ", ".join(escape(str(path)) for path in written))

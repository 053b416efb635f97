"""`iotbaseline scan`: judge firmware images against the standards and write every report."""

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from iotbaseline.cli_support import extraction_progress, limits_options, user_errors
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.model import Assessment, VerdictValue

if TYPE_CHECKING:
    from iotbaseline.live.probe import ProbeOptions
    from iotbaseline.profile.model import ProductProfile

_STYLE = {
    VerdictValue.PASS: "green",
    VerdictValue.FAIL: "bold red",
    VerdictValue.INCONCLUSIVE: "yellow",
    VerdictValue.NOT_APPLICABLE: "dim",
}


@click.command()
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path), help="Product profile (iotbaseline init).")
@click.option(
    "--fail-on",
    type=click.Choice(["fail", "mandatory", "never"]),
    default="mandatory",
    show_default=True,
    help="Exit 1 on any FAIL, on a FAIL of a mandatory provision or PSTI requirement, or never.",
)
@click.option("--json", "as_json", is_flag=True, help="Print report.json on stdout too.")
@click.option("--force", is_flag=True, help="Replace earlier extractions in the output folder.")
@click.option("--reveal", is_flag=True, help="Show cracked passwords and secrets in clear in the reports.")
@click.option(
    "--vulndb",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Vulnerability database (iotbaseline db update). Default: the downloaded one, else the bundled snapshot.",
)
@click.option(
    "--vex",
    "vex_files",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The manufacturer's 'not affected' statements: CycloneDX VEX JSON or a YAML list (repeatable).",
)
@click.option(
    "--host",
    "host_names",
    multiple=True,
    help="Also probe this device on the network (address or name; repeatable), judged with the images.",
)
@click.option(
    "--i-own-this-device",
    "owner",
    is_flag=True,
    help="With --host: you own the device, so its logins may be tried with known default passwords.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Do not fetch the documents the profile names (disclosure policy, support period, security.txt).",
)
@limits_options
def scan(
    images: tuple[Path, ...],
    output: Path,
    profile_path: Path | None,
    fail_on: str,
    as_json: bool,
    force: bool,
    reveal: bool,
    vulndb: Path | None,
    vex_files: tuple[Path, ...],
    host_names: tuple[str, ...],
    owner: bool,
    offline: bool,
    limits: ExtractionLimits,
) -> None:
    """Scan firmware IMAGES and write report.json, .html, .sarif, .junit.xml and .md into OUTPUT,
    with each image's SBOM and VEX (sbom.cdx.json, sbom.spdx.json, vex.cdx.json: beside the reports
    for one image, in OUTPUT/images/<name>/ for several).

    With --profile, the documents it names are fetched over HTTPS (only those; --offline: none).
    With --host, the device is probed first (as `iotbaseline probe` does, default ports) and its
    services are judged in the same report; probe-log.jsonl lists what was sent.

    Exit codes: 0 the --fail-on policy is met, 1 it is not, 2 unusable input or options.
    """
    from iotbaseline.catalogue import default_catalogue
    from iotbaseline.checks.base import CheckSettings
    from iotbaseline.live.run import run_probe, write_attempt_log
    from iotbaseline.profile.loader import load_profile
    from iotbaseline.report import write_reports
    from iotbaseline.report.exit_policy import exit_code
    from iotbaseline.sbom.writer import write_sboms
    from iotbaseline.scan import ScanOptions
    from iotbaseline.scan import scan as run_scan
    from iotbaseline.vulndb import load_vex
    from iotbaseline.vulndb.lookup import database_for_scan

    catalogue = default_catalogue()
    with user_errors():
        profile = load_profile(profile_path) if profile_path is not None else None
        product = dict(profile.to_dict().get("product") or {}) if profile is not None else None
        vex = tuple(statement for path in vex_files for statement in load_vex(path))
        if vulndb is not None:
            database_for_scan(vulndb).close()  # an unusable database is the user's error, before any work
        settings = CheckSettings(reveal=reveal, vulnerability_db=vulndb, vex=vex)
        probed = (
            run_probe(host_names, _probe_options(owner, profile), allow_large_range=False, shown=not as_json)
            if host_names
            else None
        )
        label = "Scanning " + ", ".join(image.name for image in images)
        with extraction_progress(label, shown=not as_json) as progress:
            options = ScanOptions(limits=limits, force=force, settings=settings, fetch_documents=not offline)
            hosts = probed.hosts if probed is not None else ()
            outcome = run_scan(list(images), output, profile, product, options, catalogue, progress, hosts)
        assessment = outcome.assessment
        written = write_reports(assessment, catalogue, output) + write_sboms(outcome, output)
        if probed is not None:
            written += write_attempt_log(probed, output)
    if as_json:
        json.dump(assessment.to_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print_summary(assessment, written, Console())
    sys.exit(exit_code(assessment, catalogue, fail_on))


def _probe_options(owner: bool, profile: "ProductProfile | None") -> "ProbeOptions":
    """The probe of `scan --host`: the default ports; passwords tried only when the owner confirmed it."""
    from iotbaseline.live.credentials.phase import CredentialOptions, owner_confirmation
    from iotbaseline.live.followup import FollowUpOptions
    from iotbaseline.live.probe import ProbeOptions

    credentials = CredentialOptions(authorised_by=owner_confirmation(owner, profile))
    return ProbeOptions(followup=FollowUpOptions(credentials=credentials))


def print_summary(assessment: Assessment, written: list[Path], console: Console) -> None:
    console.print("[bold]UK PSTI security requirements[/bold]")
    for verdict in assessment.verdicts_for("PSTI"):
        style = _STYLE[verdict.verdict]
        console.print(f"  [{style}]{verdict.verdict.value:<14}[/{style}] {verdict.provision}: {verdict.reason}")
    table = Table(title="Verdicts per standard", title_justify="left")
    table.add_column("standard")
    for value in VerdictValue:
        table.add_column(value.value, justify="right", style=_STYLE[value])
    for standard in dict.fromkeys(v.standard for v in assessment.verdicts):
        counts = Counter(v.verdict for v in assessment.verdicts_for(standard))
        table.add_row(standard, *(str(counts[value]) for value in VerdictValue))
    console.print(table)
    console.print(f"{len(assessment.findings)} findings. Reports: " + ", ".join(str(path) for path in written))

"""`iotbaseline results`: the results store (what `batch` writes): list, show and export scans, and ask
questions across every stored image (universal secrets, components, CVEs, fleet figures).

The store is `--db LOCATION`: a SQLite file path or a SQLAlchemy URL (`postgresql://user@host/db`), by default
`$IOTBASELINE_RESULTS_DB` or `./iotbaseline-results.sqlite`.
"""

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from iotbaseline.cli_support import user_errors
from iotbaseline.model import Assessment, Outcome
from iotbaseline.report.text import one_line
from iotbaseline.store.database import DEFAULT_FILE, URL_VARIABLE
from iotbaseline.store.errors import StoreError
from iotbaseline.store.export import Format, export
from iotbaseline.store.export import Table as ExportTable
from iotbaseline.store.fleet import FleetSummary, GroupFigures, YearOf, fleet_summary
from iotbaseline.store.interface import ScanStatus, StoredScan
from iotbaseline.store.product import product_facts
from iotbaseline.store.queries import (
    Across,
    ComponentHit,
    CveHit,
    ImageInfo,
    UniversalSecret,
    as_dicts,
    images_with_component,
    images_with_cve,
    universal_secrets,
)
from iotbaseline.store.sql_store import SqlResultStore

_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON on stdout instead of a table.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "location",
    envvar=URL_VARIABLE,
    default=DEFAULT_FILE,
    show_default=True,
    metavar="LOCATION",
    help=f"Results database: a SQLite file or a SQLAlchemy URL (postgresql://user@host/db); or ${URL_VARIABLE}.",
)
@click.pass_context
def results(ctx: click.Context, location: str) -> None:
    """Stored scan results: list, show, export, and questions across every stored image."""
    ctx.obj = location


@contextmanager
def _store(ctx: click.Context) -> Iterator[SqlResultStore]:
    """The store of `--db`, for the body of a `with`; a `StoreError` there is one line and exit code 2."""
    with user_errors():
        store = SqlResultStore.open(ctx.obj, create=False)
        try:
            yield store
        finally:
            store.close()


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


def _cell(value: object) -> Text:
    """Firmware chooses these strings: shown as plain text, control characters made visible."""
    return Text("" if value is None else one_line(str(value)))


def _product(image: ImageInfo) -> Text:
    return _cell(" ".join(part for part in (image.vendor, image.model, image.firmware_version or "") if part) or "?")


@results.command(name="list")
@click.option("--status", type=click.Choice([s.value for s in ScanStatus]), help="Only scans in this state.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="How many, newest first.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many of the newest first.")
@_json_option
@click.pass_context
def list_scans(ctx: click.Context, status: str | None, limit: int, offset: int, as_json: bool) -> None:
    """The stored scans, newest first."""
    with _store(ctx) as store:
        scans: Sequence[StoredScan] = store.scans(limit=limit, offset=offset, status=_status(status))
    if as_json:
        _print_json([_scan_dict(scan) for scan in scans])
        return
    table = Table(title=f"Scans in {store.location}", title_justify="left")
    for column in ("Scan", "Status", "Started", "Product", "Image", "SHA-256"):
        table.add_column(column, no_wrap=column != "Image")
    for scan in scans:
        facts = product_facts(scan.product)
        product = " ".join(p for p in (facts.vendor, facts.model, facts.firmware_version or "") if p) or "?"
        status_cell = _cell(scan.status.value + (f": {scan.error}" if scan.error else ""))
        table.add_row(
            str(scan.id), status_cell, scan.started, _cell(product), _cell(scan.image_path), scan.image_sha256[:16]
        )
    Console().print(table)


def _status(value: str | None) -> ScanStatus | None:
    return None if value is None else ScanStatus(value)


def _scan_dict(scan: StoredScan) -> dict[str, Any]:
    return {
        "id": scan.id,
        "status": scan.status.value,
        "started": scan.started,
        "finished": scan.finished,
        "image_sha256": scan.image_sha256,
        "image_path": scan.image_path,
        "product": dict(scan.product),
        "tool_version": scan.tool_version,
        "output": scan.output,
        "error": scan.error,
    }


@results.command()
@click.argument("scan_id", metavar="SCAN", type=int)
@_json_option
@click.pass_context
def show(ctx: click.Context, scan_id: int, as_json: bool) -> None:
    """One scan: its state, PSTI verdicts and failing findings (--json: the stored report.json)."""
    with _store(ctx) as store:
        scan = store.scan(scan_id)
        if scan is None:
            raise StoreError(f"no scan {scan_id} in {store.location} (see `iotbaseline results list`)")
        assessment = store.assessment(scan_id)
    if as_json:
        _print_json(assessment.to_dict() if assessment else {"scan": _scan_dict(scan)})
        return
    console = Console()
    console.print(Text(f"Scan {scan.id}: {scan.status.value}, {scan.image_path} ({scan.image_sha256})"))
    console.print(Text(f"started {scan.started}, finished {scan.finished or '-'}, iotbaseline {scan.tool_version}"))
    if scan.error:
        console.print(_cell(f"error: {scan.error}"))
    if assessment is not None:
        _print_assessment(console, assessment)


def _print_assessment(console: Console, assessment: Assessment) -> None:
    verdicts = Table(title="PSTI", title_justify="left")
    for column in ("Requirement", "Verdict", "Reason"):
        verdicts.add_column(column)
    for verdict in assessment.verdicts_for("PSTI"):
        verdicts.add_row(verdict.provision, verdict.verdict.value, _cell(verdict.reason))
    console.print(verdicts)
    failing = [f for f in assessment.findings if f.outcome is Outcome.FAIL]
    findings = Table(title=f"{len(failing)} failing findings", title_justify="left")
    for column in ("Severity", "Check", "Title", "Where"):
        findings.add_column(column)
    for finding in failing:
        where = ":".join(str(p) for p in (finding.location.path, finding.location.line) if p is not None)
        findings.add_row(finding.severity.value, finding.check, _cell(finding.title), _cell(where))
    console.print(findings)


@results.command(name="export")
@click.option(
    "--table",
    "table",
    type=click.Choice([t.value for t in ExportTable]),
    default=ExportTable.FINDINGS.value,
    show_default=True,
    help="What to export, one row per record.",
)
@click.option("--format", "form", type=click.Choice([f.value for f in Format]), required=True, help="CSV or JSON.")
@click.option("--all-scans", is_flag=True, help="Every scan, not only each image's latest finished one.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not to stdout.")
@click.pass_context
def export_table(ctx: click.Context, table: str, form: str, all_scans: bool, output: Path | None) -> None:
    """Export a table of the store as CSV or JSON (lists and evidence as JSON text in CSV cells)."""
    with _store(ctx) as store:
        if output is None:
            export(store.engine, ExportTable(table), Format(form), sys.stdout, latest_only=not all_scans)
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as out:
                rows = export(store.engine, ExportTable(table), Format(form), out, latest_only=not all_scans)
        except OSError as error:
            raise StoreError(f"cannot write {output}: {error.strerror}") from None
    Console(stderr=True).print(Text(f"{rows:,} {table} rows written to {output}"))


@results.command(name="universal-secrets")
@click.option(
    "--across",
    type=click.Choice([a.value for a in Across]),
    default=Across.IMAGES.value,
    show_default=True,
    help="Shared by this many different images, products or (known) vendors.",
)
@click.option("--min", "minimum", type=click.IntRange(min=2), default=2, show_default=True, help="How many.")
@_json_option
@click.pass_context
def universal_secrets_command(ctx: click.Context, across: str, minimum: int, as_json: bool) -> None:
    """Keys, tokens and hashes found in several images: the same secret on every unit of each (white-label OEM
    firmware shares them across brands)."""
    with _store(ctx) as store:
        found = universal_secrets(store.engine, Across(across), minimum)
    if as_json:
        _print_json(as_dicts(found))
        return
    console = Console()
    if not found:
        console.print(f"no secret shared by {minimum} or more {across} in {store.location}")
    for secret in found:
        _print_secret(console, secret)


def _print_secret(console: Console, secret: UniversalSecret) -> None:
    vendors = ", ".join(secret.vendors) or "vendors not known"
    title = f"{secret.kind} {secret.fingerprint.partition(':')[2][:16]}: {len(secret.images)} images ({vendors})"
    table = Table(title=one_line(title), title_justify="left")
    for column in ("Product", "Image", "Where", "Scan"):
        table.add_column(column)
    for sighting in secret.sightings:
        where = ":".join(str(p) for p in (sighting.path, sighting.line) if p is not None)
        table.add_row(_product(sighting.image), _cell(sighting.image.path), _cell(where), str(sighting.image.scan_id))
    console.print(table)


@results.command(name="components")
@click.argument("name")
@click.option("--below", metavar="VERSION", help="Only versions older than this (e.g. 2.78).")
@click.option("--at-least", metavar="VERSION", help="Only versions this or newer.")
@_json_option
@click.pass_context
def components_command(ctx: click.Context, name: str, below: str | None, at_least: str | None, as_json: bool) -> None:
    """Images that ship the component NAME (e.g. `dnsmasq --below 2.78`). Versions compare as upstream versions
    (1.0.2 < 1.0.2q < 1.0.3); a component whose version is not known is listed apart."""
    with _store(ctx) as store:
        hits = images_with_component(store.engine, name, below=below, at_least=at_least)
    if as_json:
        _print_json(as_dicts(hits))
        return
    known = [hit for hit in hits if hit.version is not None]
    unknown = [hit for hit in hits if hit.version is None]
    bounds = " ".join(p for p in (f">= {at_least}" if at_least else "", f"< {below}" if below else "") if p)
    console = Console()
    console.print(_component_table(f"{len(known)} images ship {name} {bounds}".rstrip(), known))
    if unknown:
        console.print(_component_table(f"{len(unknown)} more ship {name} of a version not known", unknown))


def _component_table(title: str, hits: list[ComponentHit]) -> Table:
    table = Table(title=one_line(title), title_justify="left")
    for column in ("Product", "Image", "Version", "Distribution version", "Scan"):
        table.add_column(column)
    for hit in hits:
        table.add_row(
            _product(hit.image), _cell(hit.image.path), _cell(hit.version or "?"), _cell(hit.distro_version),
            str(hit.image.scan_id),
        )  # fmt: skip
    return table


@results.command(name="cve")
@click.argument("cve_id", metavar="CVE-ID")
@_json_option
@click.pass_context
def cve_command(ctx: click.Context, cve_id: str, as_json: bool) -> None:
    """Images a scan matched CVE-ID to, with the component, KEV and any "not affected" statement."""
    with _store(ctx) as store:
        hits = images_with_cve(store.engine, cve_id)
    if as_json:
        _print_json(as_dicts(hits))
        return
    Console().print(_cve_table(cve_id.upper(), hits))


def _cve_table(cve_id: str, hits: list[CveHit]) -> Table:
    affected = sum(1 for hit in hits if hit.not_affected is None)
    table = Table(title=one_line(f"{cve_id}: {affected} images affected"), title_justify="left")
    for column in ("Product", "Image", "Component", "Status", "KEV", "Severity", "Scan"):
        table.add_column(column)
    for hit in hits:
        status = f"not affected: {hit.not_affected}" if hit.not_affected else hit.status
        table.add_row(
            _product(hit.image), _cell(hit.image.path), _cell(f"{hit.component} {hit.version}"), _cell(status),
            "yes" if hit.kev else "", _cell(hit.severity), str(hit.image.scan_id),
        )  # fmt: skip
    return table


@results.command()
@click.option("--standard", default="PSTI", show_default=True, help="Standard whose requirements to count.")
@click.option(
    "--year-of",
    type=click.Choice([y.value for y in YearOf]),
    default=YearOf.FIRMWARE.value,
    show_default=True,
    help="Group years by the firmware's year (from the product facts) or by the year of the scan.",
)
@_json_option
@click.pass_context
def summary(ctx: click.Context, standard: str, year_of: str, as_json: bool) -> None:
    """Fleet figures: the share of images failing each requirement, overall, by vendor and by year."""
    with _store(ctx) as store:
        figures = fleet_summary(store.engine, standard, YearOf(year_of))
    if as_json:
        _print_json(figures.to_dict())
        return
    console = Console()
    if not figures.overall.images:
        console.print(f"no finished scan in {store.location} has {standard} verdicts")
        return
    _print_summary(console, figures)


def _print_summary(console: Console, figures: FleetSummary) -> None:
    provisions = [r.provision for r in figures.overall.requirements]
    sections = (
        ("", (figures.overall,)),
        ("By vendor", figures.by_vendor),
        (f"By year ({figures.year_of.value})", figures.by_year),
    )
    for heading, groups in sections:
        title = f"{figures.standard}: share of images failing" + (f", {heading.lower()}" if heading else "")
        table = Table(title=title, title_justify="left")
        table.add_column("Group")
        table.add_column("Images", justify="right")
        for provision in provisions:
            table.add_column(f"{figures.standard} {provision}", justify="right")
        table.add_column("Any", justify="right")
        for group in groups:
            table.add_row(_cell(group.group), str(group.images), *_shares(group))
        console.print(table)


def _shares(group: GroupFigures) -> list[str]:
    cells = [f"{r.share_failing:.0%} ({r.failing}/{r.judged})" for r in group.requirements]
    return [*cells, f"{group.failing_any / group.images:.0%} ({group.failing_any})" if group.images else "-"]

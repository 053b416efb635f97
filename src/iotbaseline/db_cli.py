"""`iotbaseline db`: the offline vulnerability database (NVD CVEs, CISA KEV) that scans match components against."""

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, TaskID
from sqlalchemy.exc import SQLAlchemyError

from iotbaseline.errors import EXIT_USAGE_ERROR, IotBaselineError
from iotbaseline.vulndb import DbStatus, ImportResult, SourceKind, VulnDatabase, VulnDbError, import_file, status
from iotbaseline.vulndb.download import (
    KEV_URL,
    LAST_WINDOW_KEY,
    NVD_API_URL,
    RATE_PERIOD,
    NvdUpdater,
    PageProgress,
    UrllibTransport,
)
from iotbaseline.vulndb.errors import DownloadError
from iotbaseline.vulndb.lookup import coverage_gap
from iotbaseline.vulndb.store import UpsertCounts, default_db_path

EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT
_KEYLESS_REQUESTS = 5  # NVD's allowance per rate period without a key; its advice is to wait period/5 between calls

_db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Database file [default: ~/.cache/iotbaseline/vulndb.sqlite, or under $XDG_CACHE_HOME].",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def db() -> None:
    """The offline vulnerability database (NVD CVEs and CISA's Known Exploited Vulnerabilities) scans match against."""


@db.command(short_help="Download NVD CVEs and CISA's KEV catalogue (resumable).")
@_db_option
@click.option("--api-key", envvar="NVD_API_KEY", metavar="KEY", help="NVD API key (or $NVD_API_KEY): 10x the rate.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="DATE",
    help="First download only: CVEs last modified since DATE (YYYY-MM-DD) instead of all of them.",
)
@click.option("--nvd/--no-nvd", default=True, show_default=True, help="Download CVEs from NVD.")
@click.option("--kev/--no-kev", default=True, show_default=True, help="Download CISA's KEV catalogue.")
@click.option("--nvd-url", default=NVD_API_URL, hidden=True, help="NVD CVE API 2.0 endpoint (a mirror).")
@click.option("--kev-url", default=KEV_URL, hidden=True, help="KEV catalogue URL (a mirror).")
@click.option(
    "--rate-period", type=click.FloatRange(min=0), default=RATE_PERIOD, hidden=True, help="Rate-limit window, seconds."
)
def update(
    db_path: Path | None,
    api_key: str | None,
    since: datetime | None,
    nvd: bool,
    kev: bool,
    nvd_url: str,
    kev_url: str,
    rate_period: float,
) -> None:
    """Download CVEs from the NVD API 2.0 and the KEV catalogue from CISA into the database.

    The first run fetches every CVE, in 120-day windows of last modification; later runs fetch only
    what changed since the previous one. Resumable: an interrupted run (Ctrl-C, network failure)
    keeps every finished window, and running the command again continues where it stopped.
    """
    if not (nvd or kev):
        raise click.UsageError("nothing to do: --no-nvd and --no-kev together")
    now = datetime.now(UTC)
    start = since.replace(tzinfo=UTC) if since else None
    if start and start > now:
        raise click.BadParameter("is in the future", param_hint="--since")
    err = Console(stderr=True, highlight=False)
    with _user_errors(err):
        database = VulnDatabase.open(db_path)
        with _nvd_progress(err) as show_page:
            updater = NvdUpdater(
                database,
                UrllibTransport(),
                api_key=api_key or None,
                rate_period=rate_period,
                retry_delay=rate_period / _KEYLESS_REQUESTS,
                nvd_url=nvd_url,
                kev_url=kev_url,
                progress=show_page,
            )
            try:
                if nvd:
                    _update_nvd(updater, now, start, err)
                if kev:
                    err.print("Downloading the CISA KEV catalogue")
                    counts = updater.update_kev()
                    version = _clean(database.get_meta("kev.catalogVersion") or "of unknown version")
                    click.echo(f"KEV: catalogue {version}, {_counts(counts, 'entries')}")
            except KeyboardInterrupt:
                _interrupted(database, err)
        state = status(database)
    click.echo(f"Database {state.location}: {state.cves:,} CVEs, {state.kev:,} KEV entries")


def _update_nvd(updater: NvdUpdater, now: datetime, since: datetime | None, err: Console) -> None:
    resumed = updater.db.get_meta(LAST_WINDOW_KEY)
    if resumed:
        note = " (--since applies to the first download only)" if since else ""
        err.print(f"NVD: continuing from {_day(resumed)}{note}")
    try:
        result = updater.update_nvd(now, since)
    except DownloadError:
        raise  # its message already says where a rerun resumes
    except VulnDbError as error:  # a page that is not NVD JSON: the finished windows stay
        done = updater.db.get_meta(LAST_WINDOW_KEY)
        where = f"completed up to {_day(done)}" if done else "no window completed"
        raise VulnDbError(f"{error}; {where}: run `iotbaseline db update` again to resume") from None
    click.echo(
        f"NVD: {result.windows} windows, {result.pages} pages; CVEs {_counts(result.cves, '')}; "
        f"complete up to {_day(result.completed_until)}"
    )


def _interrupted(database: VulnDatabase, err: Console) -> None:
    done = database.get_meta(LAST_WINDOW_KEY)
    where = f"NVD data is complete up to {_day(done)}" if done else "no NVD window was completed"
    err.print(f"interrupted: {where}; run `iotbaseline db update` again to continue (the database is consistent)")
    sys.exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def _nvd_progress(err: Console) -> Iterator[Callable[[PageProgress], None]]:
    """A bar over the windows on a terminal; one line per page otherwise (CI logs)."""
    if not err.is_terminal:

        def print_line(page: PageProgress) -> None:
            err.print(f"NVD window {page.window}/{page.windows} {_span(page)}: {page.fetched:,}/{page.total:,} CVEs")

        yield print_line
        return
    with Progress(console=err, transient=True) as bar:
        task: TaskID | None = None

        def advance(page: PageProgress) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task("NVD", total=page.windows)
            done = page.window - 1 + (page.fetched / page.total if page.total else 1)
            bar.update(task, completed=done, description=f"NVD {_span(page)} {page.fetched:,}/{page.total:,}")

        yield advance


@db.command(name="import", short_help="Import NVD or KEV files, for sites without internet access.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@_db_option
def import_files(files: tuple[Path, ...], db_path: Path | None) -> None:
    """Import NVD and KEV files downloaded elsewhere, for sites without internet access.

    FILES are NVD CVE JSON 2.0 feeds (nvdcve-2.0-2024.json.gz, nvdcve-2.0-modified.json.gz; gzipped or
    not), saved NVD API 2.0 responses, or CISA's known_exploited_vulnerabilities.json, recognised by
    their content. A stored CVE is replaced only by a newer modification of it: importing a file twice
    changes nothing, and an older file never overwrites newer records.
    """
    err = Console(stderr=True, highlight=False)
    failed = 0
    with _user_errors(err):
        database = VulnDatabase.open(db_path)
        for path in files:
            try:
                click.echo(_describe_import(import_file(database, path)))
            except VulnDbError as error:  # the files before (and after) this one are kept
                _print_error(err, error)
                failed += 1
            except KeyboardInterrupt:
                err.print(f"interrupted while importing {escape(str(path))}; the files before it are imported")
                sys.exit(EXIT_INTERRUPTED)
        state = status(database)
    click.echo(f"Database {state.location}: {state.cves:,} CVEs, {state.kev:,} KEV entries")
    if failed:
        sys.exit(EXIT_USAGE_ERROR)


def _describe_import(result: ImportResult) -> str:
    if result.kind is SourceKind.KEV:
        version = _clean(result.header.get("catalogVersion", "of unknown version"))
        return f"{result.source}: KEV catalogue {version}, {_counts(result.counts, 'entries')}"
    return f"{result.source}: NVD CVEs {_counts(result.counts, '')}"


@db.command(name="status", short_help="What the database holds, how old it is, and what it lacks.")
@_db_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON on stdout.")
def status_command(db_path: Path | None, as_json: bool) -> None:
    """Show where the database is, what it holds, how old it is, and whether it is complete enough for a scan."""
    path = db_path or default_db_path()
    with _user_errors(Console(stderr=True, highlight=False)):
        state = _status(path)
    now = datetime.now(UTC)
    age = state.age(now)
    warnings = [w for w in (coverage_gap(state, now), _unfinished_update(state)) if w]
    if as_json:
        document = {**asdict(state), "age_days": None if age is None else round(age, 2), "warnings": warnings}
        json.dump(document, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    out = Console(highlight=False)
    for label, value in _status_rows(state, age):
        out.print(f"{label:<12} {escape(_clean(value))}", soft_wrap=True)
    for warning in warnings:
        out.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)


def _status(path: Path) -> DbStatus:
    """The database's status; a database that does not exist is reported empty, not created."""
    if path.is_file():
        database = VulnDatabase.open(path)
        try:
            return status(database)
        finally:
            database.close()
    return DbStatus(
        location=str(path),
        cves=0,
        cpe_matches=0,
        kev=0,
        nvd_source=None,
        nvd_updated_at=None,
        nvd_completed_until=None,
        kev_source=None,
        kev_updated_at=None,
        kev_catalog_version=None,
    )


def _status_rows(state: DbStatus, age: float | None) -> list[tuple[str, str]]:
    catalogue = f" (catalogue {state.kev_catalog_version})" if state.kev_catalog_version else ""
    nvd_updated = _moment(state.nvd_updated_at) if state.nvd_updated_at else "never"
    if state.nvd_data_as_of and age is not None:
        nvd_updated += f"; data current to {_moment(state.nvd_data_as_of)}, {age:.1f} days ago"
    rows = [
        ("Database", state.location),
        ("CVEs", f"{state.cves:,} ({state.cpe_matches:,} CPE match entries)"),
        ("KEV entries", f"{state.kev:,}{catalogue}"),
        ("NVD source", state.nvd_source or "none"),
        ("NVD updated", nvd_updated),
    ]
    if state.nvd_completed_until:
        rows.append(("NVD API", f"complete up to {_moment(state.nvd_completed_until)}"))
    rows += [
        ("KEV source", state.kev_source or "none"),
        ("KEV updated", _moment(state.kev_updated_at) if state.kev_updated_at else "never"),
    ]
    return rows


def _unfinished_update(state: DbStatus) -> str | None:
    """An API update that stopped part-way: its pages were imported after the last window it completed."""
    if not (state.nvd_source or "").startswith(("http://", "https://")):
        return None  # the latest NVD data came from a file, or from nowhere
    if not (state.nvd_completed_until and state.nvd_updated_at):
        return None
    if _parse(state.nvd_completed_until) >= _parse(state.nvd_updated_at):
        return None
    return (
        f"the last NVD update stopped part-way: complete only up to {_moment(state.nvd_completed_until)} "
        "(run `iotbaseline db update` to finish it)"
    )


@contextlib.contextmanager
def _user_errors(err: Console) -> Iterator[None]:
    """One line on stderr and exit code 2, never a traceback; SQLite failures while writing (read-only file, full
    disk, locked by another update) included."""
    try:
        yield
    except IotBaselineError as error:
        _print_error(err, error)
        sys.exit(EXIT_USAGE_ERROR)
    except SQLAlchemyError as error:
        _print_error(err, f"vulnerability database: {getattr(error, 'orig', None) or error}")
        sys.exit(EXIT_USAGE_ERROR)


def _print_error(err: Console, error: object) -> None:
    err.print(f"[red]error:[/red] {escape(_clean(str(error)))}", soft_wrap=True)


def _clean(text: str) -> str:
    """Text from downloaded or imported files (parser messages quote the offending bytes) as one line without
    terminal escape sequences."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _counts(counts: UpsertCounts, noun: str) -> str:
    unchanged = f", {counts.unchanged:,} unchanged" if counts.unchanged else ""
    label = f" {noun}" if noun else ""
    return f"{counts.added:,}{label} added, {counts.updated:,} updated{unchanged}"


def _parse(moment: str) -> datetime:
    parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _moment(moment: str) -> str:
    return _parse(moment).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _day(moment: str) -> str:
    return _parse(moment).strftime("%Y-%m-%d")


def _span(page: PageProgress) -> str:
    return f"{page.start:%Y-%m-%d}..{page.end:%Y-%m-%d}"

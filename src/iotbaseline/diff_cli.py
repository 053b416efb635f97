"""`iotbaseline diff OLD NEW`: what a firmware release fixed, introduced and left unchanged, against the last one."""

import json
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from iotbaseline.cli_support import extraction_progress, limits_options, user_errors
from iotbaseline.errors import InputError
from iotbaseline.firmware.limits import ExtractionLimits

if TYPE_CHECKING:
    from iotbaseline.diff.model import Release
    from iotbaseline.diff.sources import Source
    from iotbaseline.profile.model import ProductProfile
    from iotbaseline.scan import ScanOptions
    from iotbaseline.store.interface import ResultStore

DIFF_JSON = "diff.json"
DIFF_MARKDOWN = "diff.md"


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Folder for the scans of firmware images (old/, new/, each with its reports) and diff.json, diff.md. "
    "Default: images are scanned in a temporary folder and nothing is kept.",
)
@click.option("--db", "db_url", help="Results store (SQLAlchemy URL) holding the scans named scan:ID.")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print the diff as Markdown (a pull-request comment).")
@click.option(
    "--fail-on-new",
    is_flag=True,
    help="Exit 1 when NEW does worse than OLD: a new FAIL finding, a verdict that became FAIL, a vulnerability "
    "newly named for a component, or a check that ran on OLD and not on NEW.",
)
@click.option("--profile", "profile_path", type=click.Path(path_type=Path), help="Product profile, for image scans.")
@click.option(
    "--vulndb",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Vulnerability database for image scans (iotbaseline db update).",
)
@click.option(
    "--vex",
    "vex_files",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The manufacturer's 'not affected' statements, for image scans (repeatable).",
)
@click.option("--offline", is_flag=True, help="Image scans: do not fetch the documents the profile names.")
@click.option("--force", is_flag=True, help="Replace earlier extractions in the output folder.")
@limits_options
def diff(
    old: str,
    new: str,
    output: Path | None,
    db_url: str | None,
    as_json: bool,
    as_markdown: bool,
    fail_on_new: bool,
    profile_path: Path | None,
    vulndb: Path | None,
    vex_files: tuple[Path, ...],
    offline: bool,
    force: bool,
    limits: ExtractionLimits,
) -> None:
    """Compare two releases of a product: findings fixed, introduced and unchanged (matched by stable finding
    id), components upgraded, downgraded, added and removed, and verdicts that changed.

    OLD and NEW are each a firmware image (scanned here), a scan's output folder or its report.json, or a
    stored scan `scan:ID` (with --db). A finding is the same in both when its check, place and discriminator
    match, whatever the image file is called and wherever a line moved; a component by its name.

    Exit codes: 0 compared (and, with --fail-on-new, nothing new fails), 1 --fail-on-new and NEW does worse,
    2 unusable input or options.
    """
    from iotbaseline.diff import diff_releases
    from iotbaseline.diff.markdown import render_markdown
    from iotbaseline.diff.sources import SourceKind, classify
    from iotbaseline.diff.text import render_text
    from iotbaseline.output_files import write_rendered

    with user_errors():
        if as_json and as_markdown:
            raise InputError("--json and --markdown: choose one")
        sources = (classify(old), classify(new))
        stored = [s for s in sources if s.kind is SourceKind.STORED]
        if stored and not db_url:
            raise InputError(f"{stored[0].label}: a stored scan needs --db URL")
        with ExitStack() as cleanup:
            scans = output
            if scans is None and any(s.kind is SourceKind.IMAGE for s in sources):
                scans = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="iotbaseline-diff-")))
            loader = _Loader(
                scans,
                output is not None,
                db_url,
                _ScanSettings(profile_path, vulndb, vex_files, offline, force, limits),
                cleanup,
            )
            shown = not (as_json or as_markdown)
            before = loader.load(sources[0], "old", shown=shown)
            after = loader.load(sources[1], "new", shown=shown)
        result = diff_releases(before, after)
        document = json.dumps(result.to_dict(), indent=1) + "\n"
        markdown = render_markdown(result)
        if output is not None:
            write_rendered(output, [(DIFF_JSON, document), (DIFF_MARKDOWN, markdown)], "the diff")
    sys.stdout.write(document if as_json else markdown if as_markdown else render_text(result))
    sys.exit(1 if fail_on_new and result.regressions else 0)


@dataclass(frozen=True)
class _ScanSettings:
    """What image scans are run with: the scan command's options."""

    profile_path: Path | None
    vulndb: Path | None
    vex_files: tuple[Path, ...]
    offline: bool
    force: bool
    limits: ExtractionLimits


class _Loader:
    """Reads each side as a Release; scans images into `scans/old` and `scans/new`, opening the store once."""

    def __init__(
        self, scans: Path | None, keep: bool, db_url: str | None, settings: _ScanSettings, cleanup: ExitStack
    ) -> None:
        self.scans, self.keep, self.db_url, self.settings = scans, keep, db_url, settings
        self._cleanup = cleanup
        self._store: ResultStore | None = None
        self._scan_options: tuple[ProductProfile | None, ScanOptions] | None = None

    def load(self, source: "Source", side: str, *, shown: bool) -> "Release":
        from iotbaseline.diff.sources import SourceKind, load_report, load_stored

        if source.kind is SourceKind.REPORT:
            return load_report(source)
        if source.kind is SourceKind.STORED:
            if self._store is None:
                assert self.db_url is not None  # checked before any work
                self._store = open_store(self.db_url)
                self._cleanup.callback(_close, self._store)
            return load_stored(source, self._store)
        assert self.scans is not None and source.path is not None
        return self._scan(source, self.scans / side, shown)

    def _scan(self, source: "Source", folder: Path, shown: bool) -> "Release":
        from iotbaseline.catalogue import default_catalogue
        from iotbaseline.diff.sources import release_of_scan
        from iotbaseline.report import write_reports
        from iotbaseline.sbom.writer import write_sboms
        from iotbaseline.scan import scan

        assert source.path is not None
        if self._scan_options is None:
            self._scan_options = self._options()
        profile, options = self._scan_options
        product = dict(profile.to_dict().get("product") or {}) if profile is not None else None
        catalogue = default_catalogue()
        with extraction_progress(f"Scanning {source.path.name}", shown=shown) as progress:
            outcome = scan([source.path], folder, profile, product, options, catalogue, progress)
        if self.keep:  # reports and SBOMs beside the scan: the folder can be diffed again later
            write_reports(outcome.assessment, catalogue, folder)
            write_sboms(outcome, folder)
        return release_of_scan(source.label, outcome)

    def _options(self) -> "tuple[ProductProfile | None, ScanOptions]":
        from iotbaseline.checks.base import CheckSettings
        from iotbaseline.profile.loader import load_profile
        from iotbaseline.scan import ScanOptions
        from iotbaseline.vulndb import load_vex
        from iotbaseline.vulndb.lookup import database_for_scan

        s = self.settings
        profile = load_profile(s.profile_path) if s.profile_path is not None else None
        vex = tuple(statement for path in s.vex_files for statement in load_vex(path))
        if s.vulndb is not None:
            database_for_scan(s.vulndb).close()  # an unusable database is the user's error, before any work
        settings = CheckSettings(vulnerability_db=s.vulndb, vex=vex)
        return profile, ScanOptions(limits=s.limits, force=s.force, settings=settings, fetch_documents=not s.offline)


def open_store(url: str) -> "ResultStore":
    """The results store at `url` (a SQLAlchemy URL or a SQLite file); a missing file is an error, not a new,
    empty database."""
    from iotbaseline.store.sql_store import SqlResultStore

    return SqlResultStore.open(url, create=False)


def _close(store: "ResultStore") -> None:
    """Closes the store if it holds resources (the SQL store's engine); the contract does not require it."""
    close = getattr(store, "close", None)
    if callable(close):
        close()

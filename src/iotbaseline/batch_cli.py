"""`iotbaseline batch`: scan many images, on local worker processes or a Dask cluster, resumably."""

import signal
import sys
from pathlib import Path
from types import FrameType

import click
from rich.console import Console

from iotbaseline.batch.isolation import ProcessLimits
from iotbaseline.cli_support import limits_options, process_limits_options, user_errors, vulndb_option
from iotbaseline.firmware.limits import ExtractionLimits

EXIT_SOME_FAILED = 1
EXIT_STOPPED = 3
"""The batch stopped before every image had a result (Ctrl-C, kill, lost workers): rerun it to resume."""


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, file_okay=False), help="Output folder.")
@click.option("--workers", type=click.IntRange(min=1), help="Local worker processes.  [default: the CPU count]")
@click.option(
    "--dask", "dask_address", metavar="ADDRESS", help="Run on a Dask cluster: its scheduler, e.g. tcp://host:8786."
)
@click.option(
    "--db",
    "database",
    metavar="URL",
    help="Results database: a SQLAlchemy URL or a SQLite file.  [default: OUT/results.sqlite]",
)
@click.option("--retry-failed", is_flag=True, help="Scan again the images that failed in an earlier run.")
@process_limits_options("Seconds the whole scan of one image may take (extraction, checks, reports).")
@vulndb_option
@click.option("--reveal", is_flag=True, help="Show cracked passwords and secrets in clear in the reports.")
@limits_options
def batch(
    paths: tuple[str, ...],
    output: Path,
    workers: int | None,
    dask_address: str | None,
    database: str | None,
    retry_failed: bool,
    process: ProcessLimits,
    vulndb: Path | None,
    reveal: bool,
    limits: ExtractionLimits,
) -> None:
    """Scan every image under PATH (files, folders walked recursively, or @LIST: a file naming one image or folder
    per line) and write what `scan` writes for one image into OUTPUT/<image file name>/, the results into the
    database, and OUTPUT/batch.json: per image its status (done or failed), the reason and the seconds it took.

    Folder walks pass over hidden files, links, and documents, checksums and pictures (.txt, .json, .pdf, .sha256,
    .png...). Stopped at any point (Ctrl-C, kill, power loss), the same command resumes: images done stay done,
    the ones in flight are scanned again; failed ones only with --retry-failed. --timeout and the other extraction
    bounds apply to each image's extraction; --image-timeout and --image-memory to its whole scan.

    With --dask, every worker needs the same iotbaseline and the images and OUTPUT at the same paths.

    Exit codes: 0 every image done, 1 some failed, 2 unusable input or options, 3 stopped early (rerun to resume).
    """
    from iotbaseline.batch.discover import discover_images
    from iotbaseline.batch.executors import open_executor
    from iotbaseline.batch.folders import DATABASE_FILE, RESERVED_NAMES, output_lock
    from iotbaseline.batch.progress import BatchProgress
    from iotbaseline.batch.run import BatchSettings, run_batch
    from iotbaseline.checks.base import CheckSettings
    from iotbaseline.store.sql_store import SqlResultStore
    from iotbaseline.vulndb.lookup import database_for_scan

    if workers is not None and dask_address is not None:
        raise click.UsageError("--workers is for the local pool; a Dask cluster's workers decide its size")
    console = Console(stderr=True)
    output = output.absolute()
    signal.signal(signal.SIGTERM, _stop_as_interrupt)
    with user_errors():
        if vulndb is not None:
            database_for_scan(vulndb).close()  # an unusable database is the user's error, before any work
        found = discover_images(paths, output, RESERVED_NAMES)
        if not found.images:
            console.print(f"no images found ({found.passed_over} files passed over as not images)")
            sys.exit(0)
        settings = BatchSettings(
            output=output,
            limits=limits,
            settings=CheckSettings(reveal=reveal, vulnerability_db=vulndb.absolute() if vulndb else None),
            process=process,
            retry_failed=retry_failed,
        )
        # The workers start before the lock and the database are opened, so they do not inherit either.
        with (
            open_executor(workers, dask_address) as executor,
            output_lock(output),
            SqlResultStore.open(database or str(output / DATABASE_FILE)) as store,
        ):
            console.print(
                f"{len(found.images)} images ({found.passed_over} files passed over) on {executor.description}",
                highlight=False,
                soft_wrap=True,
            )
            with BatchProgress(console) as progress:
                summary = run_batch(found.images, settings, store, executor, progress)
    console.print(
        f"{summary.done} done, {summary.failed} failed ({summary.kept} kept from an earlier run); "
        f"results in {output / 'batch.json'}",
        highlight=False,
        soft_wrap=True,
    )
    if summary.stopped is not None:
        console.print(
            f"[yellow]stopped:[/yellow] {summary.stopped}; run the same command again to resume", soft_wrap=True
        )
        sys.exit(EXIT_STOPPED)
    sys.exit(EXIT_SOME_FAILED if summary.failed else 0)


def _stop_as_interrupt(signum: int, frame: FrameType | None) -> None:
    """`kill` stops the batch as Ctrl-C does: the workers are stopped, what was in flight is redone next time."""
    raise KeyboardInterrupt


if __name__ == "__main__":  # `python -m iotbaseline.batch_cli`, until `iotbaseline batch` is registered
    batch(prog_name="iotbaseline batch")

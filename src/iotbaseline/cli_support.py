"""Pieces the commands share: extraction bounds and progress for those that unpack firmware, the report and
profile options, user errors."""

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from iotbaseline.errors import EXIT_USAGE_ERROR, IotBaselineError
from iotbaseline.firmware.limits import MIB, ExtractionLimits

if TYPE_CHECKING:
    from iotbaseline.firmware.supervisor import ProgressCallback
    from iotbaseline.firmware.usage import FolderUsage

_err = Console(stderr=True)
_Command = TypeVar("_Command", bound=Callable[..., Any])


def limits_options(command: Callable[..., None]) -> Callable[..., None]:
    """The extraction bounds, shared by every command that unpacks firmware, passed on as one
    `limits` argument."""

    @functools.wraps(command)
    def with_limits(
        max_output_bytes: int | None,
        max_depth: int,
        max_files: int,
        timeout: float,
        command_timeout: float,
        **kwargs: Any,
    ) -> None:
        limits = ExtractionLimits(
            max_output_bytes=max_output_bytes,
            max_depth=max_depth,
            max_files=max_files,
            total_timeout=timeout,
            command_timeout=command_timeout,
        )
        command(limits=limits, **kwargs)

    options = (
        click.option(
            "--max-output-bytes",
            type=click.IntRange(min=1),
            help="Total bytes extraction may write per image [default: 20 x the image size, at least 512 MiB].",
        ),
        click.option("--max-depth", type=click.IntRange(1, 64), default=12, show_default=True, help="Nesting depth."),
        click.option(
            "--max-files", type=click.IntRange(min=1), default=200_000, show_default=True, help="Entries per image."
        ),
        click.option(
            "--timeout", type=click.FloatRange(min=1), default=1800, show_default=True, help="Seconds per image."
        ),
        click.option(
            "--command-timeout",
            type=click.FloatRange(min=1),
            default=300,
            show_default=True,
            help="Seconds one external extractor may run.",
        ),
    )
    decorated: Callable[..., None] = with_limits
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def process_limits_options(timeout_help: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`--image-timeout` and `--image-memory`, the bounds of one image's whole scan, passed on as one `process`
    argument; `timeout_help` says what the command's scan covers."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def with_process(image_timeout: float, image_memory: int, **kwargs: Any) -> None:
            from iotbaseline.batch.isolation import ProcessLimits  # its multiprocessing only when a command runs

            command(process=ProcessLimits(image_timeout, image_memory * MIB if image_memory else None), **kwargs)

        timeout = click.option(
            "--image-timeout", type=click.FloatRange(min=1), default=3600, show_default=True, help=timeout_help
        )
        memory = click.option(
            "--image-memory",
            type=click.IntRange(min=0),
            default=4096,
            show_default=True,
            help="MiB of address space each process of one image's scan may use; 0: no limit.",
        )
        return timeout(memory(with_process))

    return decorate


def vulndb_option(command: _Command) -> _Command:
    """`--vulndb FILE`: the vulnerability database a scan uses instead of the default one."""
    return click.option(
        "--vulndb",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help="Vulnerability database (iotbaseline db update). Default: the downloaded one, else the bundled snapshot.",
    )(command)


def report_option(help: str, *, required: bool = False) -> Callable[[_Command], _Command]:
    """`--report FILE`: a scan's report.json, passed on as `report_path`; `help` says what the command uses."""
    return click.option("--report", "report_path", required=required, type=click.Path(path_type=Path), help=help)


def profile_option(help: str, *, required: bool = False) -> Callable[[_Command], _Command]:
    """`--profile FILE`: the product profile, passed on as `profile_path`; `help` says what the command uses."""
    return click.option("--profile", "profile_path", required=required, type=click.Path(path_type=Path), help=help)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """An error a user can act on: one line on stderr and exit code 2, never a traceback."""
    try:
        yield
    except IotBaselineError as error:
        _err.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_USAGE_ERROR)


@contextlib.contextmanager
def extraction_progress(label: str, *, shown: bool) -> Iterator["ProgressCallback | None"]:
    """A spinner with the running totals on stderr while images unpack (off for --json)."""
    if not shown:
        yield None
        return
    with _err.status(label, spinner="dots") as status:

        def show(usage: "FolderUsage", seconds: float) -> None:
            status.update(f"{label}: {usage.entries:,} entries, {usage.bytes / MIB:,.1f} MiB, {seconds:.0f} s")

        yield show

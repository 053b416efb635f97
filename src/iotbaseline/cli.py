"""The `iotbaseline` command line: parses options, calls the library, prints with rich.

Errors a user can act on print as one line with exit code 2; nothing here prints a traceback.
"""

import contextlib
import functools
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import click
from rich.console import Console

from iotbaseline import __version__
from iotbaseline.errors import EXIT_USAGE_ERROR, IotBaselineError
from iotbaseline.firmware.limits import MIB, ExtractionLimits

if TYPE_CHECKING:
    from iotbaseline.firmware.supervisor import ProgressCallback
    from iotbaseline.firmware.usage import FolderUsage

_err = Console(stderr=True)


class LazyGroup(click.Group):
    """Subcommands kept in their own modules and imported only when used: start-up time counts
    in CI pipelines that call the tool once per image."""

    LAZY_COMMANDS: ClassVar[dict[str, str]] = {
        "catalogue": "iotbaseline.catalogue_cli:catalogue",
        "init": "iotbaseline.profile_cli:init",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iotbaseline")
def main() -> None:
    """Check a consumer IoT product against the legal security baseline (UK PSTI, ETSI EN 303 645)."""


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


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """An error a user can act on: one line on stderr and exit code 2, never a traceback."""
    try:
        yield
    except IotBaselineError as error:
        _err.print(f"[red]error:[/red] {error}", highlight=False)
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


@main.command()
@click.argument("image", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object on stdout.")
@click.option("--force", is_flag=True, help="Replace an earlier extraction of the same image in the folder.")
@limits_options
def extract(image: Path, output: Path, as_json: bool, force: bool, limits: ExtractionLimits) -> None:
    """Unpack a firmware IMAGE safely into the OUTPUT folder and index what it holds."""
    from iotbaseline.firmware.extract import extract_firmware
    from iotbaseline.firmware.summary import print_summary

    with user_errors(), extraction_progress(f"Extracting {image.name}", shown=not as_json) as progress:
        result = extract_firmware(image, output, limits, force=force, progress=progress)
    if as_json:
        json.dump(result.to_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print_summary(result, Console())


def run() -> NoReturn:
    """The console-script entry: `main`, then an exit that skips the interpreter's teardown.

    Tearing down the modules unblob loads (lief, hyperscan, libmagic) took a quarter of a second,
    a third of a small image's whole run; nothing is left to clean up by then: output is flushed
    here and extraction workers have been joined.
    """
    try:
        main.main(prog_name="iotbaseline")
        code = 0
    except SystemExit as stop:
        code = _exit_status(stop.code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1

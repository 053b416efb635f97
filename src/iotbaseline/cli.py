"""The `iotbaseline` command line: parses options, calls the library, prints with rich.

Errors a user can act on print as one line with exit code 2; nothing here prints a traceback.
"""

import importlib
import os
import sys
import traceback
from typing import ClassVar, NoReturn

import click

from iotbaseline import __version__

EXIT_INTERNAL_ERROR = 70  # sysexits' EX_SOFTWARE


class LazyGroup(click.Group):
    """Subcommands kept in their own modules and imported only when used: start-up time counts
    in CI pipelines that call the tool once per image."""

    LAZY_COMMANDS: ClassVar[dict[str, str]] = {
        "batch": "iotbaseline.batch_cli:batch",
        "catalogue": "iotbaseline.catalogue_cli:catalogue",
        "db": "iotbaseline.db_cli:db",
        "diff": "iotbaseline.diff_cli:diff",
        "discover": "iotbaseline.discover_cli:discover",
        "docs": "iotbaseline.docs_cli:docs",
        "extract": "iotbaseline.extract_cli:extract",
        "init": "iotbaseline.profile_cli:init",
        "label": "iotbaseline.label_cli:label",
        "probe": "iotbaseline.probe_cli:probe",
        "results": "iotbaseline.results_cli:results",
        "sbom": "iotbaseline.sbom_cli:sbom",
        "serve": "iotbaseline.serve_cli:serve",
        "scan": "iotbaseline.scan_cli:scan",
        "statement": "iotbaseline.statement_cli:statement",
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
    except Exception as error:  # a bug of ours: one line for the user, the traceback on request
        if os.environ.get("IOTBASELINE_DEBUG"):
            traceback.print_exc()
        print(f"internal error: {type(error).__name__}: {error}", file=sys.stderr)
        print("this is a bug in iotbaseline; rerun with IOTBASELINE_DEBUG=1 for details", file=sys.stderr)
        code = EXIT_INTERNAL_ERROR
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

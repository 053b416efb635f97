"""`iotbaseline init`: write a commented product profile for the manufacturer to fill in."""

import sys
from pathlib import Path

import click
from rich.console import Console

from iotbaseline.errors import EXIT_USAGE_ERROR
from iotbaseline.profile.template import DEFAULT_PROFILE_NAME, write_template


@click.command()
@click.argument("path", required=False, default=DEFAULT_PROFILE_NAME, type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it already exists.")
def init(path: Path, force: bool) -> None:
    """Write a product profile template to PATH [default: iotbaseline-profile.yaml].

    Answer its questions, fill in your published addresses and dates, and uncomment the claims you make.
    """
    err = Console(stderr=True)
    try:
        write_template(path, force=force)
    except FileExistsError:
        err.print(f"[red]error:[/red] {path} already exists; pass --force to replace it", highlight=False)
        sys.exit(EXIT_USAGE_ERROR)
    except OSError as error:
        err.print(f"[red]error:[/red] cannot write {path}: {error.strerror or error}", highlight=False)
        sys.exit(EXIT_USAGE_ERROR)
    err.print(
        f"Wrote {path}: answer the questions, fill in what you know, and uncomment the claims you make.",
        highlight=False,
        soft_wrap=True,
    )

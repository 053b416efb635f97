"""`iotbaseline extract`: unpack one firmware image safely and index what it holds."""

import json
import sys
from pathlib import Path

import click
from rich.console import Console

from iotbaseline.cli_support import extraction_progress, limits_options, user_errors
from iotbaseline.firmware.limits import ExtractionLimits


@click.command()
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

"""`iotbaseline sbom`: unpack one firmware image and write its SBOM (CycloneDX 1.6 and SPDX 2.3)."""

from pathlib import Path

import click
from rich.console import Console

from iotbaseline.cli_support import extraction_progress, limits_options, user_errors
from iotbaseline.firmware.limits import ExtractionLimits


@click.command()
@click.argument("image", type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--force", is_flag=True, help="Replace an earlier extraction of the same image in the folder.")
@limits_options
def sbom(image: Path, output: Path, force: bool, limits: ExtractionLimits) -> None:
    """Write sbom.cdx.json and sbom.spdx.json for IMAGE into OUTPUT (extraction goes to OUTPUT/images/)."""
    from iotbaseline.components.identify import identify_components
    from iotbaseline.firmware.extract import extract_firmware
    from iotbaseline.sbom import ImageInfo, write_sbom
    from iotbaseline.scan import IMAGES_FOLDER

    with user_errors(), extraction_progress(f"Extracting {image.name}", shown=True) as progress:
        result = extract_firmware(image, output / IMAGES_FOLDER / image.name, limits, force=force, progress=progress)
        components = identify_components(result.tree)
        written = write_sbom(components, ImageInfo(image.name, result.image_sha256, result.image_size), output)
    Console().print(f"{len(components)} components. " + ", ".join(str(path) for path in written))

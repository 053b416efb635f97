"""Writes an image's SBOMs: `sbom.cdx.json` (CycloneDX 1.6) and `sbom.spdx.json` (SPDX 2.3), and with the
vulnerability matches `vex.cdx.json` (CycloneDX 1.6 VEX, joined to the SBOM by bom-ref)."""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from iotbaseline.components.model import Component
from iotbaseline.output_files import write_rendered
from iotbaseline.sbom.cyclonedx_bom import cyclonedx_json
from iotbaseline.sbom.image import ImageInfo
from iotbaseline.sbom.spdx_document import spdx_json

if TYPE_CHECKING:
    from iotbaseline.scan import ScanOutcome
    from iotbaseline.vulndb.match import VulnerabilityMatch

CYCLONEDX_FILE = "sbom.cdx.json"
SPDX_FILE = "sbom.spdx.json"
VEX_FILE = "vex.cdx.json"


def write_sbom(
    components: list[Component],
    image_info: ImageInfo,
    out_dir: Path,
    matches: "Sequence[VulnerabilityMatch] | None" = None,
) -> list[Path]:
    """All documents are rendered before any is written; each is written under a temporary name and renamed into
    place, so a reader never sees half an SBOM. With `matches` (even none: "nothing matched" is a statement too)
    the VEX is written as well, last in the returned paths."""
    rendered = [
        (CYCLONEDX_FILE, cyclonedx_json(components, image_info)),
        (SPDX_FILE, spdx_json(components, image_info)),
    ]
    if matches is not None:
        # Imported here: it pulls in the vulnerability database package, which `iotbaseline sbom` alone never needs.
        from iotbaseline.sbom.cyclonedx_vex import cyclonedx_vex_json

        rendered.append((VEX_FILE, cyclonedx_vex_json(components, matches, image_info)))
    return write_rendered(out_dir, rendered, "the SBOM")


def write_sboms(outcome: "ScanOutcome", output: Path) -> list[Path]:
    """A scan's SBOMs and VEX: beside the reports in `output` for one image, in `output/images/<name>/` for several."""
    from iotbaseline.scan import IMAGES_FOLDER

    written: list[Path] = []
    several = len(outcome.images) > 1
    for image in outcome.images:
        info = ImageInfo(image.name, image.extraction.image_sha256, image.extraction.image_size)
        folder = output / IMAGES_FOLDER / image.name if several else output
        matches = outcome.vulnerabilities.get(image.name)
        written.extend(write_sbom(outcome.components.get(image.name, []), info, folder, matches))
    return written

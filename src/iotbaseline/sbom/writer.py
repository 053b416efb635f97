"""Writes an image's SBOMs: `sbom.cdx.json` (CycloneDX 1.6) and `sbom.spdx.json` (SPDX 2.3)."""

from pathlib import Path

from iotbaseline.components.model import Component
from iotbaseline.output_files import write_rendered
from iotbaseline.sbom.cyclonedx_bom import cyclonedx_json
from iotbaseline.sbom.image import ImageInfo
from iotbaseline.sbom.spdx_document import spdx_json

CYCLONEDX_FILE = "sbom.cdx.json"
SPDX_FILE = "sbom.spdx.json"


def write_sbom(components: list[Component], image_info: ImageInfo, out_dir: Path) -> list[Path]:
    """Both documents are rendered before either is written; each is written under a temporary name
    and renamed into place, so a reader never sees half an SBOM."""
    rendered = [
        (CYCLONEDX_FILE, cyclonedx_json(components, image_info)),
        (SPDX_FILE, spdx_json(components, image_info)),
    ]
    return write_rendered(out_dir, rendered, "the SBOM")

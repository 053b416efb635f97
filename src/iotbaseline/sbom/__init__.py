"""Software bills of materials: CycloneDX 1.6 and SPDX 2.3 JSON for one firmware image, and CycloneDX VEX
(`cyclonedx_vex.cyclonedx_vex_json`, imported from its module: it needs the vulnerability database package)."""

from iotbaseline.sbom.cyclonedx_bom import cyclonedx_json
from iotbaseline.sbom.image import ImageInfo
from iotbaseline.sbom.spdx_document import spdx_json
from iotbaseline.sbom.writer import CYCLONEDX_FILE, SPDX_FILE, VEX_FILE, write_sbom

__all__ = [
    "CYCLONEDX_FILE",
    "SPDX_FILE",
    "VEX_FILE",
    "ImageInfo",
    "cyclonedx_json",
    "spdx_json",
    "write_sbom",
]

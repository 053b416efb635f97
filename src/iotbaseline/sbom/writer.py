"""Writes an image's SBOMs: `sbom.cdx.json` (CycloneDX 1.6) and `sbom.spdx.json` (SPDX 2.3)."""

import os
import tempfile
from pathlib import Path

from iotbaseline.components.model import Component
from iotbaseline.errors import OutputError
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
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return [_write_atomically(out_dir / name, text) for name, text in rendered]
    except OSError as error:
        raise OutputError(f"cannot write the SBOM to {out_dir}: {error.strerror or error}") from error


def _write_atomically(path: Path, text: str) -> Path:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path

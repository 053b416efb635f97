"""The firmware image an SBOM describes: its root component."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageInfo:
    name: str
    """The image's name in the scan (file name without folders)."""
    sha256: str
    size: int
    version: str | None = None
    """The firmware's own version, when the manufacturer's profile or the image states it."""

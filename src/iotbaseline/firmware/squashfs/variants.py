"""Which SquashFS dialect an image is: its magic tells the byte order and the vendor lineage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from iotbaseline.firmware.squashfs.errors import UnsupportedImage

Endian = Literal["little", "big"]


@dataclass(frozen=True)
class Variant:
    magic: bytes
    endian: Endian
    vendor: str

    @property
    def struct_prefix(self) -> str:
        return "<" if self.endian == "little" else ">"

    def swapped(self) -> Variant:
        """The same vendor with the other byte order (some tools wrote the magic in the wrong order)."""
        return Variant(self.magic, "big" if self.endian == "little" else "little", self.vendor)


# The magic is the 32-bit value 0x73717368 ("sqsh") or a vendor's replacement, stored in the image's
# byte order, so each value appears as two byte strings.
_KNOWN: tuple[Variant, ...] = (
    Variant(b"hsqs", "little", "standard"),
    Variant(b"sqsh", "big", "standard"),
    # Broadcom's LZMA patch (SQUASHFS_MAGIC_LZMA 0x71736873).
    Variant(b"shsq", "little", "broadcom"),
    Variant(b"qshs", "big", "broadcom"),
    Variant(b"hsqt", "little", "dd-wrt"),
    Variant(b"tqsh", "big", "dd-wrt"),
    # Realtek and other SDKs' LZMA builds (0x73716c7a).
    Variant(b"zlqs", "little", "sqlz"),
    Variant(b"sqlz", "big", "sqlz"),
)
VARIANTS: dict[bytes, Variant] = {variant.magic: variant for variant in _KNOWN}


def detect_variant(header: bytes) -> Variant:
    variant = VARIANTS.get(header[:4])
    if variant is None:
        raise UnsupportedImage(f"no SquashFS magic at the start of the image: {header[:4]!r}")
    return variant

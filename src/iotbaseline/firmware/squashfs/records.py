"""Fixed-size on-disk records read by field name, bit-packed (2.x, 3.x) or byte-aligned (4.x) alike."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Protocol

from iotbaseline.firmware.squashfs.bitfields import Decoder
from iotbaseline.firmware.squashfs.metadata import MetadataCursor
from iotbaseline.firmware.squashfs.variants import Endian


class Layout(Protocol):
    """A C struct's shape, independent of byte order: a BitStruct or an AlignedStruct."""

    @property
    def names(self) -> tuple[str, ...]: ...

    @property
    def size(self) -> int: ...

    def decoder(self, endian: Endian) -> Decoder: ...


class AlignedStruct:
    """A C struct of whole-byte fields without padding, as 4.x stores everything: (name, struct code) pairs."""

    def __init__(self, fields: Sequence[tuple[str, str]]) -> None:
        self.names = tuple(name for name, _ in fields)
        self._codes = "".join(code for _, code in fields)
        self.size = struct.calcsize("<" + self._codes)

    def decoder(self, endian: Endian) -> Decoder:
        return struct.Struct(("<" if endian == "little" else ">") + self._codes).unpack


class Record:
    """A layout bound to the image's byte order, decoding into a field name -> value mapping."""

    def __init__(self, layout: Layout, endian: Endian) -> None:
        self.names = layout.names
        self.size = layout.size
        self._decode = layout.decoder(endian)

    def decode(self, data: bytes) -> dict[str, int]:
        return dict(zip(self.names, self._decode(data), strict=True))

    def read(self, cursor: MetadataCursor, head: bytes = b"") -> dict[str, int]:
        """The record at the cursor; `head` holds its first bytes when the caller has read them already."""
        return self.decode(head + cursor.read(self.size - len(head)))

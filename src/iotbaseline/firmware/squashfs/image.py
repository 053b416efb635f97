"""Bounds-checked, read-only access to the bytes of an image file."""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from iotbaseline.firmware.squashfs.errors import CorruptImage


class ImageData:
    """The raw image; every read is checked against its real size, never against the superblock's."""

    def __init__(self, data: bytes | mmap.mmap) -> None:
        self._data = data
        self.size = len(data)

    def read(self, offset: int, length: int, what: str) -> bytes:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise CorruptImage(
                f"{what} at 0x{offset:x} (+{length} bytes) lies outside the image (0x{self.size:x} bytes)"
            )
        return self._data[offset : offset + length]


@contextmanager
def open_image(path: Path) -> Iterator[ImageData]:
    """Map the file read-only so that large images are not loaded into memory."""
    with path.open("rb") as file:
        if path.stat().st_size == 0:
            yield ImageData(b"")
            return
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            yield ImageData(mapped)

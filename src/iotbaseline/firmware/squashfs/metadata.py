"""Metadata blocks: the 8 KiB compressed units that hold inodes, directories and lookup tables."""

from __future__ import annotations

import struct
from collections import OrderedDict
from dataclasses import dataclass

from iotbaseline.firmware.squashfs.compression import Decompressor
from iotbaseline.firmware.squashfs.errors import CorruptImage
from iotbaseline.firmware.squashfs.image import ImageData

METADATA_SIZE = 8192
_UNCOMPRESSED = 0x8000
_LENGTH_MASK = 0x7FFF
# 2.x and 3.x images made with -check carry a 0xff marker byte after each header.
_CHECK_MARKER = 0xFF


@dataclass(frozen=True, slots=True)
class MetadataBlock:
    data: bytes
    next_position: int


class MetadataReader:
    """Decodes metadata blocks by absolute position, keeping a bounded cache of recent blocks."""

    def __init__(
        self,
        image: ImageData,
        decompressor: Decompressor,
        *,
        endian_prefix: str,
        check_bytes: bool,
        cache_blocks: int = 1024,
    ) -> None:
        self._image = image
        self._decompressor = decompressor
        self._header = struct.Struct(endian_prefix + "H")
        self._check_bytes = check_bytes
        self._cache: OrderedDict[int, MetadataBlock] = OrderedDict()
        self._cache_blocks = cache_blocks

    def block(self, position: int) -> MetadataBlock:
        cached = self._cache.get(position)
        if cached is not None:
            self._cache.move_to_end(position)
            return cached
        block = self._decode(position)
        self._cache[position] = block
        if len(self._cache) > self._cache_blocks:
            self._cache.popitem(last=False)
        return block

    def cursor(self, position: int, offset: int) -> MetadataCursor:
        return MetadataCursor(self, position, offset)

    def _decode(self, position: int) -> MetadataBlock:
        (header,) = self._header.unpack(self._image.read(position, 2, "metadata block header"))
        length = header & _LENGTH_MASK
        data_start = position + 2
        if self._check_bytes:
            marker = self._image.read(data_start, 1, "metadata check byte")
            if marker[0] != _CHECK_MARKER:
                raise CorruptImage(f"metadata block at 0x{position:x} lacks its check marker")
            data_start += 1
        if length == 0 or length > METADATA_SIZE:
            raise CorruptImage(f"metadata block at 0x{position:x} has impossible length {length}")
        raw = self._image.read(data_start, length, "metadata block")
        if header & _UNCOMPRESSED:
            data = raw
        else:
            try:
                data = self._decompressor.decompress(raw, METADATA_SIZE, exact=False)
            except CorruptImage as error:
                raise CorruptImage(f"metadata block at 0x{position:x}: {error}") from None
        return MetadataBlock(data, data_start + length)


class MetadataCursor:
    """Reads a byte stream that continues from one metadata block into the next."""

    def __init__(self, reader: MetadataReader, position: int, offset: int) -> None:
        self._reader = reader
        self._position = position
        block = reader.block(position)
        if offset > len(block.data):
            raise CorruptImage(f"offset {offset} beyond the {len(block.data)} bytes of metadata block 0x{position:x}")
        self._data = block.data
        self._next = block.next_position
        self._offset = offset

    def read(self, length: int) -> bytes:
        if self._offset + length <= len(self._data):
            start = self._offset
            self._offset += length
            return self._data[start : self._offset]
        parts: list[bytes] = []
        remaining = length
        while remaining:
            available = len(self._data) - self._offset
            if available == 0:
                self._advance()
                continue
            take = min(available, remaining)
            parts.append(self._data[self._offset : self._offset + take])
            self._offset += take
            remaining -= take
        return b"".join(parts)

    def _advance(self) -> None:
        # Positions only grow and every read is bounds-checked, so this cannot loop forever.
        block = self._reader.block(self._next)
        self._position, self._data, self._next, self._offset = self._next, block.data, block.next_position, 0

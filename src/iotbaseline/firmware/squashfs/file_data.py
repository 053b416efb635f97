"""A regular file's content, streamed block by block from data blocks and its fragment."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from iotbaseline.firmware.squashfs.compression import Decompressor
from iotbaseline.firmware.squashfs.errors import CorruptImage
from iotbaseline.firmware.squashfs.image import ImageData
from iotbaseline.firmware.squashfs.model import (
    BLOCK_LENGTH_MASK,
    BLOCK_UNCOMPRESSED,
    FileInode,
    FormatReader,
)


@dataclass(frozen=True, slots=True)
class Hole:
    """A run of zero bytes that is not stored (a sparse block), or that could not be read."""

    length: int


Chunk = bytes | Hole


class FileDataReader:
    def __init__(
        self,
        image: ImageData,
        decompressor: Decompressor,
        fmt: FormatReader,
        block_size: int,
        fragment_cache_blocks: int = 8,
    ) -> None:
        self._image = image
        self._decompressor = decompressor
        self._format = fmt
        self._block_size = block_size
        self._fragment_blocks: OrderedDict[int, bytes] = OrderedDict()
        self._fragment_cache_blocks = fragment_cache_blocks

    def chunks(self, inode: FileInode, errors: list[str]) -> Iterator[Chunk]:
        """Yield the file's content in order; unreadable parts become holes and a line in `errors`."""
        position = inode.blocks_start
        remaining = inode.size
        for number, word in enumerate(inode.block_words):
            expected = min(self._block_size, remaining)
            remaining -= expected
            stored = word & BLOCK_LENGTH_MASK
            if stored == 0:
                yield Hole(expected)
                continue
            try:
                yield self._data_block(position, word, expected)
            except CorruptImage as error:
                errors.append(f"block {number}: {error}")
                yield Hole(expected)
            position += stored
        if inode.fragment is not None and remaining > 0:
            try:
                yield self._fragment_tail(inode.fragment.index, inode.fragment.offset, remaining)
            except CorruptImage as error:
                errors.append(f"fragment {inode.fragment.index}: {error}")
                yield Hole(remaining)
        elif remaining > 0:
            errors.append(f"{remaining} bytes at the end are not stored in any block")
            yield Hole(remaining)

    def _data_block(self, position: int, word: int, expected: int) -> bytes:
        stored = word & BLOCK_LENGTH_MASK
        if stored > self._block_size:
            raise CorruptImage(f"stored block of {stored} bytes exceeds the block size")
        raw = self._image.read(position, stored, "data block")
        data = raw if word & BLOCK_UNCOMPRESSED else self._decompressor.decompress(raw, expected, exact=True)
        if len(data) != expected:
            raise CorruptImage(f"data block at 0x{position:x} holds {len(data)} bytes, expected {expected}")
        return data

    def _fragment_tail(self, index: int, offset: int, length: int) -> bytes:
        block = self._fragment_block(index)
        if offset + length > len(block):
            raise CorruptImage(f"tail of {length} bytes at {offset} overruns the {len(block)}-byte fragment block")
        return block[offset : offset + length]

    def _fragment_block(self, index: int) -> bytes:
        cached = self._fragment_blocks.get(index)
        if cached is not None:
            self._fragment_blocks.move_to_end(index)
            return cached
        location = self._format.fragment(index)
        stored = location.size_word & BLOCK_LENGTH_MASK
        if stored == 0 or stored > self._block_size:
            raise CorruptImage(f"fragment block of impossible size {stored}")
        raw = self._image.read(location.start, stored, "fragment block")
        if location.size_word & BLOCK_UNCOMPRESSED:
            block = raw
        else:
            block = self._decompressor.decompress(raw, self._block_size, exact=False)
        self._fragment_blocks[index] = block
        if len(self._fragment_blocks) > self._fragment_cache_blocks:
            self._fragment_blocks.popitem(last=False)
        return block

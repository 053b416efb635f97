"""An opened SquashFS image of any supported version and variant, read in pure Python."""

from __future__ import annotations

from collections.abc import Iterator

from iotbaseline.firmware.squashfs.compression import decompressor_for
from iotbaseline.firmware.squashfs.file_data import Chunk, FileDataReader
from iotbaseline.firmware.squashfs.format_v2 import V2Format
from iotbaseline.firmware.squashfs.format_v3 import V3Format
from iotbaseline.firmware.squashfs.format_v4 import V4Format
from iotbaseline.firmware.squashfs.image import ImageData
from iotbaseline.firmware.squashfs.limits import ReaderLimits
from iotbaseline.firmware.squashfs.metadata import MetadataReader
from iotbaseline.firmware.squashfs.model import FileInode, FormatReader
from iotbaseline.firmware.squashfs.problems import ProblemLog
from iotbaseline.firmware.squashfs.superblock import read_superblock
from iotbaseline.firmware.squashfs.walk import TreeEntry, walk


class SquashfsImage:
    """Raises SquashfsError only when the superblock is unusable; later problems go to `problems`."""

    def __init__(self, image: ImageData, limits: ReaderLimits | None = None) -> None:
        self.limits = limits or ReaderLimits()
        self.problems = ProblemLog(self.limits.max_problems)
        self.superblock = superblock = read_superblock(image)
        if superblock.bytes_used > image.size:
            self.problems.add(
                f"image is truncated: superblock says {superblock.bytes_used} bytes, file has {image.size}"
            )
        self.decompressor = decompressor_for(superblock)
        metadata = MetadataReader(
            image,
            self.decompressor,
            endian_prefix=superblock.variant.struct_prefix,
            check_bytes=superblock.has_check_bytes,
        )
        self.format: FormatReader
        if superblock.major == 4:
            self.format = V4Format(superblock, image, metadata, self.limits, self.problems)
        elif superblock.major == 3:
            self.format = V3Format(superblock, image, metadata, self.limits, self.problems)
        else:
            self.format = V2Format(superblock, image, metadata, self.limits, self.problems)
        self._data = FileDataReader(image, self.decompressor, self.format, superblock.block_size)

    def entries(self) -> Iterator[TreeEntry]:
        return walk(self.format, self.superblock.root, self.problems, self.limits)

    def file_chunks(self, inode: FileInode, errors: list[str]) -> Iterator[Chunk]:
        return self._data.chunks(inode, errors)

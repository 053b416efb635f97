"""The superblock of SquashFS 2.x, 3.x and 4.x, decoded into one version-neutral record."""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from iotbaseline.firmware.squashfs.errors import CorruptImage, UnsupportedImage
from iotbaseline.firmware.squashfs.image import ImageData
from iotbaseline.firmware.squashfs.model import InodeRef
from iotbaseline.firmware.squashfs.variants import Variant, detect_variant

# Layouts from squashfs_fs.h (4.x) and squashfs_compat.h (3.x), as (field, struct code) pairs. Fields
# named like Superblock's are taken; a table position missing from a version is 0.
_V4_FIELDS = (
    ("magic", "4s"),
    ("inode_count", "I"),
    ("mkfs_time", "I"),
    ("block_size", "I"),
    ("fragment_count", "I"),
    ("compression_id", "H"),
    ("block_log", "H"),
    ("flags", "H"),
    ("id_count", "H"),
    ("major", "H"),
    ("minor", "H"),
    ("root", "Q"),
    ("bytes_used", "Q"),
    ("id_table_start", "Q"),
    ("xattr_table_start", "Q"),
    ("inode_table_start", "Q"),
    ("directory_table_start", "Q"),
    ("fragment_table_start", "Q"),
    ("export_table_start", "Q"),
)
# 2.x: 32-bit table positions and the 32-bit block_size (1.x used the 16-bit block_size_1). 2.x and 3.x
# do not record their compressor, so it is found from the data. id_* is the uid table.
_V2_FIELDS = (
    ("magic", "4s"),
    ("inode_count", "I"),
    ("bytes_used", "I"),
    ("id_table_start", "I"),
    ("guid_table_start", "I"),
    ("inode_table_start", "I"),
    ("directory_table_start", "I"),
    ("major", "H"),
    ("minor", "H"),
    ("block_size_1", "H"),
    ("block_log", "H"),
    ("flags", "B"),
    ("id_count", "B"),
    ("guid_count", "B"),
    ("mkfs_time", "I"),
    ("root", "Q"),
    ("block_size", "I"),
    ("fragment_count", "I"),
    ("fragment_table_start", "I"),
)
# 3.x kept the 2.x superblock as a prefix and appended 64-bit table positions, which supersede the
# 32-bit ones of the same name (the later field wins).
_V3_FIELDS = (
    *_V2_FIELDS,
    ("bytes_used", "Q"),
    ("id_table_start", "Q"),
    ("guid_table_start", "Q"),
    ("inode_table_start", "Q"),
    ("directory_table_start", "Q"),
    ("fragment_table_start", "Q"),
    ("lookup_table_start", "Q"),
)
SUPERBLOCK_READ_SIZE = 128
_MAJOR_OFFSET = 28

# Flag bit of 2.x and 3.x (reserved in 4.x): a marker byte follows each metadata block header.
FLAG_CHECK = 0x04

SUPPORTED_MAJORS = (2, 3, 4)


@dataclass(frozen=True)
class Superblock:
    variant: Variant
    major: int
    minor: int
    inode_count: int
    mkfs_time: int
    block_size: int
    flags: int
    # 4.x stores a compressor id; 2.x and 3.x do not record theirs, so it is found from the data.
    compression_id: int | None
    fragment_count: int
    root: InodeRef
    bytes_used: int
    inode_table_start: int
    directory_table_start: int
    fragment_table_start: int
    # 4.x: the shared uid/gid table; 2.x and 3.x: the uid table.
    id_table_start: int
    id_count: int
    guid_table_start: int
    guid_count: int

    @property
    def has_check_bytes(self) -> bool:
        return bool(self.flags & FLAG_CHECK)


def read_superblock(image: ImageData) -> Superblock:
    header = image.read(0, min(SUPERBLOCK_READ_SIZE, image.size), "superblock")
    if len(header) < _MAJOR_OFFSET + 2:
        raise CorruptImage(f"image too small for a superblock ({image.size} bytes)")
    variant = detect_variant(header)
    major = _major(header, variant)
    if major not in SUPPORTED_MAJORS:
        # Some vendor tools wrote the magic in one byte order and the fields in the other.
        swapped = variant.swapped()
        if _major(header, swapped) in SUPPORTED_MAJORS:
            variant, major = swapped, _major(header, swapped)
        else:
            raise UnsupportedImage(f"SquashFS version {major} is not supported (only 2.x, 3.x and 4.x)")
    fields = {2: _V2_FIELDS, 3: _V3_FIELDS, 4: _V4_FIELDS}[major]
    superblock = _parse(fields, header, variant)
    _check_block_size(superblock)
    return superblock


def _unpack(fields: Sequence[tuple[str, str]], header: bytes, variant: Variant) -> dict[str, Any]:
    layout = struct.Struct(variant.struct_prefix + "".join(code for _, code in fields))
    if len(header) < layout.size:
        raise CorruptImage(f"image too small for its superblock ({len(header)} of {layout.size} bytes)")
    return dict(zip((name for name, _ in fields), layout.unpack_from(header), strict=True))


def _major(header: bytes, variant: Variant) -> int:
    (major,) = struct.unpack_from(variant.struct_prefix + "H", header, _MAJOR_OFFSET)
    return int(major)


def _parse(fields: Sequence[tuple[str, str]], header: bytes, variant: Variant) -> Superblock:
    values = _unpack(fields, header, variant)
    return Superblock(
        variant=variant,
        major=values["major"],
        minor=values["minor"],
        inode_count=values["inode_count"],
        mkfs_time=values["mkfs_time"],
        block_size=values["block_size"],
        flags=values["flags"],
        compression_id=values.get("compression_id"),
        fragment_count=values["fragment_count"],
        root=InodeRef.unpack(values["root"]),
        bytes_used=values["bytes_used"],
        inode_table_start=values["inode_table_start"],
        directory_table_start=values["directory_table_start"],
        fragment_table_start=values["fragment_table_start"],
        id_table_start=values["id_table_start"],
        id_count=values["id_count"],
        guid_table_start=values.get("guid_table_start", 0),
        guid_count=values.get("guid_count", 0),
    )


def _is_power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0


def _check_block_size(superblock: Superblock) -> None:
    # 4.x allows 4 KiB to 1 MiB; 2.x and 3.x images with smaller blocks exist.
    smallest = 4096 if superblock.major == 4 else 1024
    if not _is_power_of_two(superblock.block_size) or not smallest <= superblock.block_size <= 1 << 20:
        raise CorruptImage(f"implausible block size {superblock.block_size} in superblock")

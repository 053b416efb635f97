"""The superblock of SquashFS 2.x, 3.x and 4.x, decoded into one version-neutral record."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from iotbaseline.firmware.squashfs.errors import CorruptImage, UnsupportedImage
from iotbaseline.firmware.squashfs.image import ImageData
from iotbaseline.firmware.squashfs.model import InodeRef
from iotbaseline.firmware.squashfs.variants import Variant, detect_variant

# Layouts from squashfs_fs.h (4.x) and squashfs_compat.h (3.x). The 2.x superblock is the first 63
# bytes of the 3.x one: 3.x kept it as a prefix and appended 64-bit table positions.
_V4_FIELDS = "4sIIIIHHHHHHQQQQQQQQ"
_V3_FIELDS = "4sIIIIIIHHHHBBBIQIIIQQQQQQQ"
_V2_FIELDS = "4sIIIIIIHHHHBBBIQIII"
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
    parse = {2: _parse_v2, 3: _parse_v3, 4: _parse_v4}[major]
    superblock = parse(header, variant)
    _check_block_size(superblock)
    return superblock


def _unpack(fields: str, header: bytes, variant: Variant) -> tuple[Any, ...]:
    layout = struct.Struct(variant.struct_prefix + fields)
    if len(header) < layout.size:
        raise CorruptImage(f"image too small for its superblock ({len(header)} of {layout.size} bytes)")
    return layout.unpack_from(header)


def _major(header: bytes, variant: Variant) -> int:
    (major,) = struct.unpack_from(variant.struct_prefix + "H", header, _MAJOR_OFFSET)
    return int(major)


def _parse_v4(header: bytes, variant: Variant) -> Superblock:
    (
        _magic,
        inode_count,
        mkfs_time,
        block_size,
        fragment_count,
        compression_id,
        _block_log,
        flags,
        id_count,
        major,
        minor,
        root,
        bytes_used,
        id_table_start,
        _xattr_table_start,
        inode_table_start,
        directory_table_start,
        fragment_table_start,
        _export_table_start,
    ) = _unpack(_V4_FIELDS, header, variant)
    return Superblock(
        variant=variant,
        major=major,
        minor=minor,
        inode_count=inode_count,
        mkfs_time=mkfs_time,
        block_size=block_size,
        flags=flags,
        compression_id=compression_id,
        fragment_count=fragment_count,
        root=InodeRef.unpack(root),
        bytes_used=bytes_used,
        inode_table_start=inode_table_start,
        directory_table_start=directory_table_start,
        fragment_table_start=fragment_table_start,
        id_table_start=id_table_start,
        id_count=id_count,
        guid_table_start=0,
        guid_count=0,
    )


def _parse_v3(header: bytes, variant: Variant) -> Superblock:
    (
        _magic,
        inode_count,
        _bytes_used_2,
        _uid_start_2,
        _guid_start_2,
        _inode_table_start_2,
        _directory_table_start_2,
        major,
        minor,
        _block_size_1,
        _block_log,
        flags,
        uid_count,
        guid_count,
        mkfs_time,
        root,
        block_size,
        fragment_count,
        _fragment_table_start_2,
        bytes_used,
        uid_start,
        guid_start,
        inode_table_start,
        directory_table_start,
        fragment_table_start,
        _lookup_table_start,
    ) = _unpack(_V3_FIELDS, header, variant)
    # The 32-bit "_2" fields are 2.x's; 3.x readers use the 64-bit ones.
    return Superblock(
        variant=variant,
        major=major,
        minor=minor,
        inode_count=inode_count,
        mkfs_time=mkfs_time,
        block_size=block_size,
        flags=flags,
        compression_id=None,
        fragment_count=fragment_count,
        root=InodeRef.unpack(root),
        bytes_used=bytes_used,
        inode_table_start=inode_table_start,
        directory_table_start=directory_table_start,
        fragment_table_start=fragment_table_start,
        id_table_start=uid_start,
        id_count=uid_count,
        guid_table_start=guid_start,
        guid_count=guid_count,
    )


def _parse_v2(header: bytes, variant: Variant) -> Superblock:
    (
        _magic,
        inode_count,
        bytes_used,
        uid_start,
        guid_start,
        inode_table_start,
        directory_table_start,
        major,
        minor,
        _block_size_1,
        _block_log,
        flags,
        uid_count,
        guid_count,
        mkfs_time,
        root,
        block_size,
        fragment_count,
        fragment_table_start,
    ) = _unpack(_V2_FIELDS, header, variant)
    # 1.x used the 16-bit block_size_1; 2.x has the 32-bit field, and 32-bit table positions.
    return Superblock(
        variant=variant,
        major=major,
        minor=minor,
        inode_count=inode_count,
        mkfs_time=mkfs_time,
        block_size=block_size,
        flags=flags,
        compression_id=None,
        fragment_count=fragment_count,
        root=InodeRef.unpack(root),
        bytes_used=bytes_used,
        inode_table_start=inode_table_start,
        directory_table_start=directory_table_start,
        fragment_table_start=fragment_table_start,
        id_table_start=uid_start,
        id_count=uid_count,
        guid_table_start=guid_start,
        guid_count=guid_count,
    )


def _is_power_of_two(value: int) -> bool:
    return value > 0 and value & (value - 1) == 0


def _check_block_size(superblock: Superblock) -> None:
    # 4.x allows 4 KiB to 1 MiB; 2.x and 3.x images with smaller blocks exist.
    smallest = 4096 if superblock.major == 4 else 1024
    if not _is_power_of_two(superblock.block_size) or not smallest <= superblock.block_size <= 1 << 20:
        raise CorruptImage(f"implausible block size {superblock.block_size} in superblock")

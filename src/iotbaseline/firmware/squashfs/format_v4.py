"""SquashFS 4.x: inodes, directory listings and lookup tables (squashfs_fs.h), in either byte order."""

from __future__ import annotations

import struct
from functools import cached_property

from iotbaseline.firmware.squashfs.errors import CorruptImage
from iotbaseline.firmware.squashfs.format_common import BaseFormat, FormatLayout, basic_inode_types
from iotbaseline.firmware.squashfs.metadata import METADATA_SIZE
from iotbaseline.firmware.squashfs.records import AlignedStruct

_BASE = (("type", "H"), ("mode", "H"), ("uid", "H"), ("guid", "H"), ("mtime", "I"), ("number", "I"))
BASE_INODE = AlignedStruct(_BASE)
DIR_INODE = AlignedStruct(
    (*_BASE, ("start_block", "I"), ("nlink", "I"), ("file_size", "H"), ("offset", "H"), ("parent", "I"))
)
EXT_DIR_INODE = AlignedStruct(
    (
        *_BASE,
        ("nlink", "I"),
        ("file_size", "I"),
        ("start_block", "I"),
        ("parent", "I"),
        ("i_count", "H"),
        ("offset", "H"),
        ("xattr", "I"),
    )
)
REG_INODE = AlignedStruct((*_BASE, ("start_block", "I"), ("fragment", "I"), ("offset", "I"), ("file_size", "I")))
EXT_REG_INODE = AlignedStruct(
    (
        *_BASE,
        ("start_block", "Q"),
        ("file_size", "Q"),
        ("sparse", "Q"),
        ("nlink", "I"),
        ("fragment", "I"),
        ("offset", "I"),
        ("xattr", "I"),
    )
)
# The extended symlink, device and ipc inodes add an xattr index after these fields, which is not read.
SYMLINK_INODE = AlignedStruct((*_BASE, ("nlink", "I"), ("symlink_size", "I")))
DEV_INODE = AlignedStruct((*_BASE, ("nlink", "I"), ("rdev", "I")))
DIR_HEADER = AlignedStruct((("count", "I"), ("start_block", "I"), ("inode_number", "I")))
DIR_ENTRY = AlignedStruct((("offset", "H"), ("inode_number", "h"), ("type", "H"), ("size", "H")))
FRAGMENT_ENTRY = AlignedStruct((("start_block", "Q"), ("size", "I"), ("unused", "I")))
_EXTENDED = 7  # extended types are the basic ones + 7


class V4Format(BaseFormat):
    # A fifo's or socket's link count is not read: nothing past the base inode is needed.
    LAYOUT = FormatLayout(
        base_inode=BASE_INODE,
        inodes={
            **basic_inode_types(DIR_INODE, REG_INODE, SYMLINK_INODE, DEV_INODE, BASE_INODE),
            **{
                number + _EXTENDED: entry
                for number, entry in basic_inode_types(
                    EXT_DIR_INODE, EXT_REG_INODE, SYMLINK_INODE, DEV_INODE, BASE_INODE
                ).items()
            },
        },
        directory_header=DIR_HEADER,
        directory_entry=DIR_ENTRY,
        fragment_entry=FRAGMENT_ENTRY,
        table_pointer="Q",
        listing_overhead=3,
    )

    def _owners(self, uid_index: int, gid_index: int) -> tuple[int, int]:
        return self._id(uid_index), self._id(gid_index)

    def _id(self, index: int) -> int:
        if index < len(self._ids):
            return self._ids[index]
        if self._ids:
            self._problems.add_once(f"uid/gid index {index} beyond the {len(self._ids)} ids in the table")
        return 0

    @cached_property
    def _ids(self) -> tuple[int, ...]:
        """One table of 32-bit ids shared by uids and gids, in metadata blocks reached through an index."""
        try:
            return self._read_ids()
        except CorruptImage as error:
            self._problems.add(f"uid/gid table unreadable, owners recorded as 0: {error}")
            return ()

    def _read_ids(self) -> tuple[int, ...]:
        count = self._sb.id_count
        per_block = METADATA_SIZE // 4
        ids: list[int] = []
        for block_number in range(-(-count // per_block)):
            data = self._table_block(self._sb.id_table_start, block_number, "id table")
            wanted = min(per_block, count - len(ids))
            if len(data) < 4 * wanted:
                raise CorruptImage("id table block is shorter than its entries")
            ids.extend(struct.unpack_from(f"{self._prefix}{wanted}I", data))
        return tuple(ids)

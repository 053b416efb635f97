"""SquashFS 3.x: packed bitfield inodes and directories (squashfs_compat.h), in either byte order."""

from __future__ import annotations

from iotbaseline.firmware.squashfs.bitfields import BitStruct
from iotbaseline.firmware.squashfs.format_common import FormatLayout, LegacyFormat, basic_inode_types
from iotbaseline.firmware.squashfs.model import InodeKind
from iotbaseline.firmware.squashfs.records import AlignedStruct

_BASE = (("type", 4), ("mode", 12), ("uid", 8), ("guid", 8), ("mtime", 32), ("number", 32))
BASE_INODE = BitStruct(_BASE)
DIR_INODE = BitStruct((*_BASE, ("nlink", 32), ("file_size", 19), ("offset", 13), ("start_block", 32), ("parent", 32)))
LDIR_INODE = BitStruct(
    (
        *_BASE,
        ("nlink", 32),
        ("file_size", 27),
        ("offset", 13),
        ("start_block", 32),
        ("i_count", 16),
        ("parent", 32),
    )
)
REG_INODE = BitStruct((*_BASE, ("start_block", 64), ("fragment", 32), ("offset", 32), ("file_size", 32)))
LREG_INODE = BitStruct(
    (*_BASE, ("nlink", 32), ("start_block", 64), ("fragment", 32), ("offset", 32), ("file_size", 64))
)
SYMLINK_INODE = BitStruct((*_BASE, ("nlink", 32), ("symlink_size", 16)))
DEV_INODE = BitStruct((*_BASE, ("nlink", 32), ("rdev", 16)))
DIR_HEADER = BitStruct((("count", 8), ("start_block", 32), ("inode_number", 32)))
DIR_ENTRY = BitStruct((("offset", 13), ("type", 3), ("size", 8), ("inode_number", 16)))
FRAGMENT_ENTRY = AlignedStruct((("start_block", "Q"), ("size", "I"), ("pending", "I")))


class V3Format(LegacyFormat):
    LAYOUT = FormatLayout(
        base_inode=BASE_INODE,
        # A fifo's or socket's link count is not read: nothing past the base inode is needed.
        inodes={
            **basic_inode_types(DIR_INODE, REG_INODE, SYMLINK_INODE, DEV_INODE, BASE_INODE),
            8: (InodeKind.DIRECTORY, LDIR_INODE),
            9: (InodeKind.FILE, LREG_INODE),
        },
        directory_header=DIR_HEADER,
        directory_entry=DIR_ENTRY,
        fragment_entry=FRAGMENT_ENTRY,
        table_pointer="Q",
        listing_overhead=3,
    )

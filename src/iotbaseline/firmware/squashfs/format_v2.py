"""SquashFS 2.x (2.0 and 2.1): packed bitfield inodes and directories (squashfs_compat.h), in either byte order.

Compared with 3.x, 2.x inodes carry no inode number and no link count; only directories and regular
files carry a modification time (the others take the superblock's mkfs_time); a directory's size is
the exact length of its listing (3.x adds 3 for "." and ".."); directory headers and entries carry
no inode numbers; fragment entries and the fragment index use 32-bit positions. The uid and guid
tables are the same raw arrays of 32-bit ids as in 3.x.
"""

from __future__ import annotations

from iotbaseline.firmware.squashfs.bitfields import BitStruct
from iotbaseline.firmware.squashfs.format_common import FormatLayout, LegacyFormat, basic_inode_types
from iotbaseline.firmware.squashfs.model import InodeKind
from iotbaseline.firmware.squashfs.records import AlignedStruct

_BASE = (("type", 4), ("mode", 12), ("uid", 8), ("guid", 8))
BASE_INODE = BitStruct(_BASE)
DIR_INODE = BitStruct((*_BASE, ("file_size", 19), ("offset", 13), ("mtime", 32), ("start_block", 24)))
# 2.1's large directory; the directory index that follows it is only a lookup aid and is not read.
LDIR_INODE = BitStruct((*_BASE, ("file_size", 27), ("offset", 13), ("mtime", 32), ("start_block", 24), ("i_count", 16)))
REG_INODE = BitStruct((*_BASE, ("mtime", 32), ("start_block", 32), ("fragment", 32), ("offset", 32), ("file_size", 32)))
SYMLINK_INODE = BitStruct((*_BASE, ("symlink_size", 16)))
DEV_INODE = BitStruct((*_BASE, ("rdev", 16)))
DIR_HEADER = BitStruct((("count", 8), ("start_block", 24)))
DIR_ENTRY = BitStruct((("offset", 13), ("type", 3), ("size", 8)))
FRAGMENT_ENTRY = AlignedStruct((("start_block", "I"), ("size", "I")))


class V2Format(LegacyFormat):
    LAYOUT = FormatLayout(
        base_inode=BASE_INODE,
        # 2.x has no long regular file (3.x's type 9).
        inodes={
            **basic_inode_types(DIR_INODE, REG_INODE, SYMLINK_INODE, DEV_INODE, BASE_INODE),
            8: (InodeKind.DIRECTORY, LDIR_INODE),
        },
        directory_header=DIR_HEADER,
        directory_entry=DIR_ENTRY,
        fragment_entry=FRAGMENT_ENTRY,
        table_pointer="I",
        listing_overhead=0,
    )

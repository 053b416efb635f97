"""SquashFS 2.x (2.0 and 2.1): packed bitfield inodes and directories (squashfs_compat.h), in either byte order.

Compared with 3.x, 2.x inodes carry no inode number and no link count; only directories and regular
files carry a modification time (the others take the superblock's mkfs_time); a directory's size is
the exact length of its listing (3.x adds 3 for "." and ".."); directory headers and entries carry
no inode numbers; fragment entries and the fragment index use 32-bit positions. The uid and guid
tables are the same raw arrays of 32-bit ids as in 3.x.
"""

from __future__ import annotations

import struct

from iotbaseline.firmware.squashfs.bitfields import BitStruct
from iotbaseline.firmware.squashfs.errors import CorruptImage
from iotbaseline.firmware.squashfs.image import ImageData
from iotbaseline.firmware.squashfs.limits import ReaderLimits
from iotbaseline.firmware.squashfs.metadata import METADATA_SIZE, MetadataCursor, MetadataReader
from iotbaseline.firmware.squashfs.model import (
    NO_FRAGMENT,
    Attributes,
    DirectoryEntry,
    DirectoryInode,
    DirectoryListing,
    FileInode,
    FragmentLocation,
    FragmentRef,
    Inode,
    InodeKind,
    InodeRef,
    SpecialInode,
    SymlinkInode,
)
from iotbaseline.firmware.squashfs.problems import ProblemLog
from iotbaseline.firmware.squashfs.superblock import Superblock

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

# 2.x has no long regular file (3.x's type 9).
_DIRECTORY, _FILE, _SYMLINK, _BLOCK, _CHAR, _FIFO, _SOCKET, _LDIR = range(1, 9)
_SPECIAL_KINDS = {
    _BLOCK: InodeKind.BLOCK_DEVICE,
    _CHAR: InodeKind.CHAR_DEVICE,
    _FIFO: InodeKind.FIFO,
    _SOCKET: InodeKind.SOCKET,
}
_GUID_SAME_AS_UID = 255
_FRAGMENT_ENTRY_SIZE = 8
_FRAGMENT_POINTER_SIZE = 4


class V2Format:
    def __init__(
        self,
        superblock: Superblock,
        image: ImageData,
        metadata: MetadataReader,
        limits: ReaderLimits,
        problems: ProblemLog,
    ) -> None:
        self._sb = superblock
        self._image = image
        self._metadata = metadata
        self._limits = limits
        self._problems = problems
        endian = superblock.variant.endian
        self._prefix = superblock.variant.struct_prefix
        self._decode_base = BASE_INODE.decoder(endian)
        self._decode_dir = DIR_INODE.decoder(endian)
        self._decode_ldir = LDIR_INODE.decoder(endian)
        self._decode_reg = REG_INODE.decoder(endian)
        self._decode_symlink = SYMLINK_INODE.decoder(endian)
        self._decode_dev = DEV_INODE.decoder(endian)
        self._decode_dir_header = DIR_HEADER.decoder(endian)
        self._decode_dir_entry = DIR_ENTRY.decoder(endian)
        self._tables: dict[str, tuple[int, ...]] = {}

    def read_inode(self, ref: InodeRef) -> Inode:
        cursor = self._metadata.cursor(self._sb.inode_table_start + ref.block, ref.offset)
        base = cursor.read(BASE_INODE.size)
        kind, mode, uid_index, guid_index = self._decode_base(base)
        uid = self._owner(uid_index, "uid")
        gid = uid if guid_index == _GUID_SAME_AS_UID else self._owner(guid_index, "gid")
        if kind == _DIRECTORY:
            size, offset, mtime, block = self._decode_dir(base + cursor.read(DIR_INODE.size - BASE_INODE.size))[4:8]
            return DirectoryInode(Attributes(mode, uid, gid, mtime), block, offset, size)
        if kind == _LDIR:
            fields = self._decode_ldir(base + cursor.read(LDIR_INODE.size - BASE_INODE.size))
            size, offset, mtime, block = fields[4:8]
            return DirectoryInode(Attributes(mode, uid, gid, mtime), block, offset, size)
        if kind == _FILE:
            fields = self._decode_reg(base + cursor.read(REG_INODE.size - BASE_INODE.size))
            mtime, start, fragment, fragment_offset, size = fields[4:9]
            return self._file_inode(cursor, Attributes(mode, uid, gid, mtime), start, size, fragment, fragment_offset)
        # The other inodes record no time of their own; the kernel gives them the image's.
        attributes = Attributes(mode, uid, gid, self._sb.mkfs_time)
        if kind == _SYMLINK:
            target_size = self._decode_symlink(base + cursor.read(SYMLINK_INODE.size - BASE_INODE.size))[4]
            if target_size > self._limits.max_symlink_bytes:
                raise CorruptImage(f"symlink target of {target_size} bytes")
            return SymlinkInode(attributes, cursor.read(target_size))
        if kind in (_BLOCK, _CHAR):
            device = self._decode_dev(base + cursor.read(DEV_INODE.size - BASE_INODE.size))[4]
            return SpecialInode(attributes, _SPECIAL_KINDS[kind], device >> 8, device & 0xFF)
        if kind in (_FIFO, _SOCKET):
            return SpecialInode(attributes, _SPECIAL_KINDS[kind])
        raise CorruptImage(f"unknown inode type {kind}")

    def _file_inode(
        self,
        cursor: MetadataCursor,
        attributes: Attributes,
        start: int,
        size: int,
        fragment: int,
        offset: int,
    ) -> FileInode:
        block_size = self._sb.block_size
        has_fragment = fragment != NO_FRAGMENT
        count = size // block_size if has_fragment else -(-size // block_size)
        if count > self._limits.max_blocks_per_file:
            raise CorruptImage(f"file of {size} bytes needs {count} blocks, more than allowed")
        words = struct.unpack(f"{self._prefix}{count}I", cursor.read(4 * count)) if count else ()
        tail = size % block_size if has_fragment else 0
        return FileInode(
            attributes, size, start, words, FragmentRef(fragment, offset) if has_fragment and tail else None
        )

    def read_directory(self, inode: DirectoryInode) -> DirectoryListing:
        size = inode.listing_size
        if size <= 0:
            return DirectoryListing(())
        if size > self._limits.max_listing_bytes:
            return DirectoryListing((), f"directory listing of {size} bytes exceeds the limit")
        entries: list[DirectoryEntry] = []
        try:
            cursor = self._metadata.cursor(self._sb.directory_table_start + inode.listing_block, inode.listing_offset)
            consumed = 0
            while consumed + DIR_HEADER.size <= size:
                count, start = self._decode_dir_header(cursor.read(DIR_HEADER.size))
                consumed += DIR_HEADER.size
                # count is 8 bits wide: at most 256 entries follow, the format's own limit.
                for _ in range(count + 1):
                    offset, _type, name_size = self._decode_dir_entry(cursor.read(DIR_ENTRY.size))
                    consumed += DIR_ENTRY.size + name_size + 1
                    if consumed > size:
                        raise CorruptImage("directory entries run past the directory's recorded size")
                    entries.append(DirectoryEntry(cursor.read(name_size + 1), InodeRef(start, offset)))
        except CorruptImage as error:
            return DirectoryListing(tuple(entries), str(error))
        return DirectoryListing(tuple(entries))

    def fragment(self, index: int) -> FragmentLocation:
        if index >= self._sb.fragment_count:
            raise CorruptImage(f"fragment {index} beyond the {self._sb.fragment_count} in the table")
        per_block = METADATA_SIZE // _FRAGMENT_ENTRY_SIZE
        pointer_position = self._sb.fragment_table_start + _FRAGMENT_POINTER_SIZE * (index // per_block)
        (pointer,) = struct.unpack(
            self._prefix + "I", self._image.read(pointer_position, _FRAGMENT_POINTER_SIZE, "fragment table index")
        )
        block = self._metadata.block(pointer).data
        position = (index % per_block) * _FRAGMENT_ENTRY_SIZE
        if position + _FRAGMENT_ENTRY_SIZE > len(block):
            raise CorruptImage(f"fragment table block too short for fragment {index}")
        start, size_word = struct.unpack_from(self._prefix + "II", block, position)
        return FragmentLocation(start, size_word)

    def _owner(self, index: int, which: str) -> int:
        table = self._owner_table(which)
        if index < len(table):
            return table[index]
        if table:
            self._problems.add_once(f"{which} index {index} beyond the {len(table)} entries of its table")
        return 0

    def _owner_table(self, which: str) -> tuple[int, ...]:
        cached = self._tables.get(which)
        if cached is not None:
            return cached
        start, count = (
            (self._sb.id_table_start, self._sb.id_count)
            if which == "uid"
            else (self._sb.guid_table_start, self._sb.guid_count)
        )
        try:
            # Stored raw, outside any metadata block, as in 3.x.
            table = struct.unpack(f"{self._prefix}{count}I", self._image.read(start, 4 * count, f"{which} table"))
        except CorruptImage as error:
            self._problems.add(f"{which} table unreadable, recorded as 0: {error}")
            table = ()
        self._tables[which] = table
        return table

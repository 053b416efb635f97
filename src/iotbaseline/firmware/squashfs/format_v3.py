"""SquashFS 3.x: packed bitfield inodes and directories (squashfs_compat.h), in either byte order."""

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
IPC_INODE = BitStruct((*_BASE, ("nlink", 32)))
DIR_HEADER = BitStruct((("count", 8), ("start_block", 32), ("inode_number", 32)))
DIR_ENTRY = BitStruct((("offset", 13), ("type", 3), ("size", 8), ("inode_number", 16)))

_DIRECTORY, _FILE, _SYMLINK, _BLOCK, _CHAR, _FIFO, _SOCKET, _LDIR, _LREG = range(1, 10)
_SPECIAL_KINDS = {
    _BLOCK: InodeKind.BLOCK_DEVICE,
    _CHAR: InodeKind.CHAR_DEVICE,
    _FIFO: InodeKind.FIFO,
    _SOCKET: InodeKind.SOCKET,
}
_GUID_SAME_AS_UID = 255
_LISTING_OVERHEAD = 3
_MAX_ENTRIES_PER_HEADER = 256
_FRAGMENT_ENTRY_SIZE = 16


class V3Format:
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
        self._decode_lreg = LREG_INODE.decoder(endian)
        self._decode_symlink = SYMLINK_INODE.decoder(endian)
        self._decode_dev = DEV_INODE.decoder(endian)
        self._decode_dir_header = DIR_HEADER.decoder(endian)
        self._decode_dir_entry = DIR_ENTRY.decoder(endian)
        self._uids: tuple[int, ...] | None = None
        self._guids: tuple[int, ...] | None = None

    def read_inode(self, ref: InodeRef) -> Inode:
        cursor = self._metadata.cursor(self._sb.inode_table_start + ref.block, ref.offset)
        base = cursor.read(BASE_INODE.size)
        kind, mode, uid_index, guid_index, mtime, _number = self._decode_base(base)
        uid = self._owner(uid_index, "uid")
        gid = uid if guid_index == _GUID_SAME_AS_UID else self._owner(guid_index, "gid")
        attributes = Attributes(mode, uid, gid, mtime)
        if kind == _DIRECTORY:
            fields = self._decode_dir(base + cursor.read(DIR_INODE.size - BASE_INODE.size))
            size, offset, block = fields[7:10]
            return DirectoryInode(attributes, block, offset, size - _LISTING_OVERHEAD)
        if kind == _LDIR:
            fields = self._decode_ldir(base + cursor.read(LDIR_INODE.size - BASE_INODE.size))
            size, offset, block = fields[7:10]
            return DirectoryInode(attributes, block, offset, size - _LISTING_OVERHEAD)
        if kind == _FILE:
            fields = self._decode_reg(base + cursor.read(REG_INODE.size - BASE_INODE.size))
            start, fragment, fragment_offset, size = fields[6:10]
            return self._file_inode(cursor, attributes, start, size, fragment, fragment_offset)
        if kind == _LREG:
            fields = self._decode_lreg(base + cursor.read(LREG_INODE.size - BASE_INODE.size))
            start, fragment, fragment_offset, size = fields[7:11]
            return self._file_inode(cursor, attributes, start, size, fragment, fragment_offset)
        if kind == _SYMLINK:
            target_size = self._decode_symlink(base + cursor.read(SYMLINK_INODE.size - BASE_INODE.size))[7]
            if target_size > self._limits.max_symlink_bytes:
                raise CorruptImage(f"symlink target of {target_size} bytes")
            return SymlinkInode(attributes, cursor.read(target_size))
        if kind in (_BLOCK, _CHAR):
            device = self._decode_dev(base + cursor.read(DEV_INODE.size - BASE_INODE.size))[7]
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
                count, start, _base_number = self._decode_dir_header(cursor.read(DIR_HEADER.size))
                consumed += DIR_HEADER.size
                if count + 1 > _MAX_ENTRIES_PER_HEADER:
                    raise CorruptImage(f"directory header claims {count + 1} entries")
                for _ in range(count + 1):
                    offset, _type, name_size, _number_delta = self._decode_dir_entry(cursor.read(DIR_ENTRY.size))
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
        (pointer,) = struct.unpack(
            self._prefix + "Q",
            self._image.read(self._sb.fragment_table_start + 8 * (index // per_block), 8, "fragment table index"),
        )
        block = self._metadata.block(pointer).data
        position = (index % per_block) * _FRAGMENT_ENTRY_SIZE
        if position + _FRAGMENT_ENTRY_SIZE > len(block):
            raise CorruptImage(f"fragment table block too short for fragment {index}")
        start, size_word, _pending = struct.unpack_from(self._prefix + "QII", block, position)
        return FragmentLocation(start, size_word)

    def _owner(self, index: int, which: str) -> int:
        table = self._owner_table(which)
        if index < len(table):
            return table[index]
        if table:
            self._problems.add_once(f"{which} index {index} beyond the {len(table)} entries of its table")
        return 0

    def _owner_table(self, which: str) -> tuple[int, ...]:
        cached = self._uids if which == "uid" else self._guids
        if cached is not None:
            return cached
        start, count = (
            (self._sb.id_table_start, self._sb.id_count)
            if which == "uid"
            else (self._sb.guid_table_start, self._sb.guid_count)
        )
        try:
            # 3.x stores these small tables raw, outside any metadata block.
            table = struct.unpack(f"{self._prefix}{count}I", self._image.read(start, 4 * count, f"{which} table"))
        except CorruptImage as error:
            self._problems.add(f"{which} table unreadable, recorded as 0: {error}")
            table = ()
        if which == "uid":
            self._uids = table
        else:
            self._guids = table
        return table

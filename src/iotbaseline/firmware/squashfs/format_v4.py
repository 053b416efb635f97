"""SquashFS 4.x: inodes, directory listings and lookup tables (squashfs_fs.h), in either byte order."""

from __future__ import annotations

import struct

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

_DIRECTORY, _FILE, _SYMLINK, _BLOCK, _CHAR, _FIFO, _SOCKET = range(1, 8)
_EXTENDED = 7  # extended types are the basic ones + 7
_SPECIAL_KINDS = {
    _BLOCK: InodeKind.BLOCK_DEVICE,
    _CHAR: InodeKind.CHAR_DEVICE,
    _FIFO: InodeKind.FIFO,
    _SOCKET: InodeKind.SOCKET,
}
_LISTING_OVERHEAD = 3  # a directory's recorded size counts "." and ".." as 3 bytes
_MAX_ENTRIES_PER_HEADER = 256
_MAX_NAME = 256


class V4Format:
    def __init__(
        self,
        superblock: Superblock,
        image: ImageData,
        metadata: MetadataReader,
        limits: ReaderLimits,
        problems: ProblemLog,
    ) -> None:
        self._sb = superblock
        self._problems = problems
        self._image = image
        self._metadata = metadata
        self._limits = limits
        prefix = superblock.variant.struct_prefix
        self._base = struct.Struct(prefix + "HHHHII")
        self._dir = struct.Struct(prefix + "IIHHI")
        self._ext_dir = struct.Struct(prefix + "IIIIHHI")
        self._file = struct.Struct(prefix + "IIII")
        self._ext_file = struct.Struct(prefix + "QQQIIII")
        self._two_words = struct.Struct(prefix + "II")
        self._dir_header = struct.Struct(prefix + "III")
        self._dir_entry = struct.Struct(prefix + "HhHH")
        self._fragment_entry = struct.Struct(prefix + "QII")
        self._prefix = prefix
        self._ids: tuple[int, ...] | None = None

    def read_inode(self, ref: InodeRef) -> Inode:
        cursor = self._metadata.cursor(self._sb.inode_table_start + ref.block, ref.offset)
        kind, permissions, uid_index, gid_index, mtime, _number = self._base.unpack(cursor.read(16))
        attributes = Attributes(permissions & 0o7777, self._id(uid_index), self._id(gid_index), mtime)
        basic = kind - _EXTENDED if kind > _EXTENDED else kind
        if kind == _DIRECTORY:
            block, _links, size, offset, _parent = self._dir.unpack(cursor.read(self._dir.size))
            return DirectoryInode(attributes, block, offset, size - _LISTING_OVERHEAD)
        if kind == _DIRECTORY + _EXTENDED:
            _links, size, block, _parent, _indexes, offset, _xattr = self._ext_dir.unpack(
                cursor.read(self._ext_dir.size)
            )
            return DirectoryInode(attributes, block, offset, size - _LISTING_OVERHEAD)
        if kind == _FILE:
            start, fragment, fragment_offset, size = self._file.unpack(cursor.read(self._file.size))
            return self._file_inode(cursor, attributes, start, size, fragment, fragment_offset)
        if kind == _FILE + _EXTENDED:
            start, size, _sparse, _links, fragment, fragment_offset, _xattr = self._ext_file.unpack(
                cursor.read(self._ext_file.size)
            )
            return self._file_inode(cursor, attributes, start, size, fragment, fragment_offset)
        if basic == _SYMLINK:
            _links, target_size = self._two_words.unpack(cursor.read(8))
            if target_size > self._limits.max_symlink_bytes:
                raise CorruptImage(f"symlink target of {target_size} bytes")
            return SymlinkInode(attributes, cursor.read(target_size))
        if basic in (_BLOCK, _CHAR):
            _links, device = self._two_words.unpack(cursor.read(8))
            major = (device >> 8) & 0xFFF
            minor = (device & 0xFF) | ((device >> 12) & 0xFFF00)
            return SpecialInode(attributes, _SPECIAL_KINDS[basic], major, minor)
        if basic in (_FIFO, _SOCKET):
            return SpecialInode(attributes, _SPECIAL_KINDS[basic])
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
            while consumed + self._dir_header.size <= size:
                count, start, _base_number = self._dir_header.unpack(cursor.read(self._dir_header.size))
                consumed += self._dir_header.size
                if count + 1 > _MAX_ENTRIES_PER_HEADER:
                    raise CorruptImage(f"directory header claims {count + 1} entries")
                for _ in range(count + 1):
                    offset, _number_delta, _type, name_size = self._dir_entry.unpack(cursor.read(8))
                    if name_size + 1 > _MAX_NAME:
                        raise CorruptImage(f"directory entry name of {name_size + 1} bytes")
                    consumed += 8 + name_size + 1
                    if consumed > size:
                        raise CorruptImage("directory entries run past the directory's recorded size")
                    entries.append(DirectoryEntry(cursor.read(name_size + 1), InodeRef(start, offset)))
        except CorruptImage as error:
            return DirectoryListing(tuple(entries), str(error))
        return DirectoryListing(tuple(entries))

    def fragment(self, index: int) -> FragmentLocation:
        if index >= self._sb.fragment_count:
            raise CorruptImage(f"fragment {index} beyond the {self._sb.fragment_count} in the table")
        entry_size = self._fragment_entry.size
        per_block = METADATA_SIZE // entry_size
        block = self._table_block(self._sb.fragment_table_start, index // per_block, "fragment table")
        position = (index % per_block) * entry_size
        if position + entry_size > len(block):
            raise CorruptImage(f"fragment table block too short for fragment {index}")
        start, size_word, _unused = self._fragment_entry.unpack_from(block, position)
        return FragmentLocation(start, size_word)

    def _table_block(self, index_start: int, block_number: int, what: str) -> bytes:
        """One metadata block of a table reached through an index of 64-bit pointers."""
        (pointer,) = struct.unpack(
            self._prefix + "Q", self._image.read(index_start + 8 * block_number, 8, f"{what} index")
        )
        return self._metadata.block(pointer).data

    def _id(self, index: int) -> int:
        if self._ids is None:
            try:
                self._ids = self._read_ids()
            except CorruptImage as error:
                self._problems.add(f"uid/gid table unreadable, owners recorded as 0: {error}")
                self._ids = ()
        if index < len(self._ids):
            return self._ids[index]
        if self._ids:
            self._problems.add_once(f"uid/gid index {index} beyond the {len(self._ids)} ids in the table")
        return 0

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

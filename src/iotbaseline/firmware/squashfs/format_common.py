"""Inodes, directory listings and the fragment table, read the same way for every format version.

The versions differ in their record layouts, which each format module declares as data (a FormatLayout
with fields found by name), and in how owners are stored (`_owners`). Everything else is here.
"""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

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
from iotbaseline.firmware.squashfs.records import Layout, Record
from iotbaseline.firmware.squashfs.superblock import Superblock

# 2.x and 3.x store both counts in 8 bits, so these limits can only be exceeded by a 4.x image.
_MAX_ENTRIES_PER_HEADER = 256
_MAX_NAME = 256


@dataclass(frozen=True)
class FormatLayout:
    """What one format version's records look like. Field names are shared by all versions:

    inodes: type, mode, uid, guid, mtime (absent from most 2.x inodes), start_block, file_size, offset,
    fragment, symlink_size, rdev; directory header: count, start_block; directory entry: offset, size;
    fragment entry: start_block, size.
    """

    base_inode: Layout
    # On-disk inode type -> what it is, and the layout of the whole inode (base included).
    inodes: Mapping[int, tuple[InodeKind, Layout]]
    directory_header: Layout
    directory_entry: Layout
    fragment_entry: Layout
    # Struct code of the pointers in the index in front of a table's metadata blocks.
    table_pointer: str
    # What a directory's recorded size adds to its listing's length ("." and ".." as 3 bytes from 3.x on).
    listing_overhead: int


class BaseFormat(ABC):
    LAYOUT: ClassVar[FormatLayout]

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
        self._prefix = superblock.variant.struct_prefix
        endian = superblock.variant.endian
        layout = self.LAYOUT
        self._base_inode = Record(layout.base_inode, endian)
        self._inodes = {number: (kind, Record(inode, endian)) for number, (kind, inode) in layout.inodes.items()}
        self._directory_header = Record(layout.directory_header, endian)
        self._directory_entry = Record(layout.directory_entry, endian)
        self._fragment_entry = Record(layout.fragment_entry, endian)
        self._table_pointer = struct.Struct(self._prefix + layout.table_pointer)

    @abstractmethod
    def _owners(self, uid_index: int, gid_index: int) -> tuple[int, int]:
        """The uid and gid that an inode's two owner indexes stand for."""

    def read_inode(self, ref: InodeRef) -> Inode:
        cursor = self._metadata.cursor(self._sb.inode_table_start + ref.block, ref.offset)
        head = cursor.read(self._base_inode.size)
        base = self._base_inode.decode(head)
        uid, gid = self._owners(base["uid"], base["guid"])
        known = self._inodes.get(base["type"])
        if known is None:
            raise CorruptImage(f"unknown inode type {base['type']}")
        kind, record = known
        fields = record.read(cursor, head)
        # 2.x records no time for most inodes; the kernel gives them the image's.
        attributes = Attributes(fields["mode"] & 0o7777, uid, gid, fields.get("mtime", self._sb.mkfs_time))
        if kind is InodeKind.DIRECTORY:
            listing_size = fields["file_size"] - self.LAYOUT.listing_overhead
            return DirectoryInode(attributes, fields["start_block"], fields["offset"], listing_size)
        if kind is InodeKind.FILE:
            return self._file_inode(cursor, attributes, fields)
        if kind is InodeKind.SYMLINK:
            return self._symlink_inode(cursor, attributes, fields["symlink_size"])
        if kind in (InodeKind.BLOCK_DEVICE, InodeKind.CHAR_DEVICE):
            return SpecialInode(attributes, kind, *device_numbers(fields["rdev"]))
        return SpecialInode(attributes, kind)

    def _file_inode(self, cursor: MetadataCursor, attributes: Attributes, fields: Mapping[str, int]) -> FileInode:
        size, fragment = fields["file_size"], fields["fragment"]
        block_size = self._sb.block_size
        has_fragment = fragment != NO_FRAGMENT
        count = size // block_size if has_fragment else -(-size // block_size)
        if count > self._limits.max_blocks_per_file:
            raise CorruptImage(f"file of {size} bytes needs {count} blocks, more than allowed")
        words = struct.unpack(f"{self._prefix}{count}I", cursor.read(4 * count)) if count else ()
        tail = size % block_size if has_fragment else 0
        fragment_ref = FragmentRef(fragment, fields["offset"]) if has_fragment and tail else None
        return FileInode(attributes, size, fields["start_block"], words, fragment_ref)

    def _symlink_inode(self, cursor: MetadataCursor, attributes: Attributes, target_size: int) -> SymlinkInode:
        if target_size > self._limits.max_symlink_bytes:
            raise CorruptImage(f"symlink target of {target_size} bytes")
        return SymlinkInode(attributes, cursor.read(target_size))

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
            while consumed + self._directory_header.size <= size:
                header = self._directory_header.read(cursor)
                consumed += self._directory_header.size
                count = header["count"] + 1
                if count > _MAX_ENTRIES_PER_HEADER:
                    raise CorruptImage(f"directory header claims {count} entries")
                for _ in range(count):
                    entry = self._directory_entry.read(cursor)
                    name_size = entry["size"] + 1
                    if name_size > _MAX_NAME:
                        raise CorruptImage(f"directory entry name of {name_size} bytes")
                    consumed += self._directory_entry.size + name_size
                    if consumed > size:
                        raise CorruptImage("directory entries run past the directory's recorded size")
                    ref = InodeRef(header["start_block"], entry["offset"])
                    entries.append(DirectoryEntry(cursor.read(name_size), ref))
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
        entry = self._fragment_entry.decode(block[position : position + entry_size])
        return FragmentLocation(entry["start_block"], entry["size"])

    def _table_block(self, index_start: int, block_number: int, what: str) -> bytes:
        """One metadata block of a table reached through an index of pointers."""
        pointer_size = self._table_pointer.size
        raw = self._image.read(index_start + pointer_size * block_number, pointer_size, f"{what} index")
        (pointer,) = self._table_pointer.unpack(raw)
        return self._metadata.block(pointer).data


def basic_inode_types(
    directory: Layout, file: Layout, symlink: Layout, device: Layout, ipc: Layout
) -> dict[int, tuple[InodeKind, Layout]]:
    """Inode types 1 to 7, numbered alike in every version; `ipc` is the layout of fifos and sockets."""
    return {
        1: (InodeKind.DIRECTORY, directory),
        2: (InodeKind.FILE, file),
        3: (InodeKind.SYMLINK, symlink),
        4: (InodeKind.BLOCK_DEVICE, device),
        5: (InodeKind.CHAR_DEVICE, device),
        6: (InodeKind.FIFO, ipc),
        7: (InodeKind.SOCKET, ipc),
    }


def device_numbers(rdev: int) -> tuple[int, int]:
    """Major and minor from the kernel's device encoding; 2.x and 3.x's 16-bit one is its low part."""
    return (rdev >> 8) & 0xFFF, (rdev & 0xFF) | ((rdev >> 12) & 0xFFF00)


_GUID_SAME_AS_UID = 255


class LegacyFormat(BaseFormat):
    """2.x and 3.x: separate uid and guid tables of 32-bit ids, stored raw, outside any metadata block."""

    def _owners(self, uid_index: int, gid_index: int) -> tuple[int, int]:
        uid = self._owner(self._uids, uid_index, "uid")
        gid = uid if gid_index == _GUID_SAME_AS_UID else self._owner(self._guids, gid_index, "gid")
        return uid, gid

    @cached_property
    def _uids(self) -> tuple[int, ...]:
        return self._owner_table(self._sb.id_table_start, self._sb.id_count, "uid")

    @cached_property
    def _guids(self) -> tuple[int, ...]:
        return self._owner_table(self._sb.guid_table_start, self._sb.guid_count, "gid")

    def _owner(self, table: tuple[int, ...], index: int, which: str) -> int:
        if index < len(table):
            return table[index]
        if table:
            self._problems.add_once(f"{which} index {index} beyond the {len(table)} entries of its table")
        return 0

    def _owner_table(self, start: int, count: int, which: str) -> tuple[int, ...]:
        try:
            table: tuple[int, ...] = struct.unpack(
                f"{self._prefix}{count}I", self._image.read(start, 4 * count, f"{which} table")
            )
        except CorruptImage as error:
            self._problems.add(f"{which} table unreadable, recorded as 0: {error}")
            return ()
        return table

"""Writes SquashFS images as vendor SDKs made them, which Debian's mksquashfs 4.x cannot.

`write_squashfs2` makes 2.1 images and `write_squashfs3` makes 3.1 images (little- or big-endian,
gzip or the old routers' LZMA layouts, optionally a vendor magic); `write_squashfs4` makes 4.0 images
in either byte order (Debian's tools make little-endian only).

Written from the on-disk format (the 3.x structures of Linux 2.6's squashfs_fs.h, as kept in
squashfs-tools' squashfs_compat.h and squashfs_swap.h; 4.x from squashfs_fs.h), deliberately sharing
no code with the reader in iotbaseline.firmware.squashfs, so that the reader is not tested against
its own mistakes. The gzip outputs of every version are checked against Debian's unsquashfs.

3.1 layout, in file order (the order unsquashfs 4.x checks):
  superblock (119 bytes) | data blocks and fragment blocks | inode table | directory table |
  fragment entry blocks | fragment index (u64 each) | uid table (u32 each) | guid table (u32 each)

2.1 layout, in file order (mksquashfs 2.2's; the order unsquashfs 4.x checks for 2.x):
  superblock (63 bytes) | data blocks and fragment blocks | inode table | directory table |
  fragment entry blocks | fragment index (u32 each) | uid table (u32 each) | guid table (u32 each)
The 2.x structures come from the "layout 2.x" part of squashfs-tools' squashfs_compat.h, checked
against Linux 2.6's squashfs_fs.h (CONFIG_SQUASHFS_2_0_COMPATIBILITY) and squashfs 2.0's own
squashfs_fs.h; the conventions (directory sizes, times, fragments) follow mksquashfs 2.2 and the
kernel's squashfs2_0.c.

The 2.x and 3.x structures are packed C bitfields. The compiler that built mksquashfs allocated
bitfields from the least significant bit on little-endian hosts and from the most significant bit on
big-endian hosts, so a struct is one integer, built field by field from one end, then stored in
the host's byte order. squashfs_swap.h states each field's bit position in that same convention.
"""

from __future__ import annotations

import lzma
import os
import stat
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Endian = Literal["little", "big"]
Compression = Literal["gzip", "lzma", "lzma-nosize"]
V4_SUPERBLOCK_SIZE = 96
V4_COMPRESSOR_IDS = {"gzip": 1, "lzma": 2}
V4_NO_XATTRS = 1 << 9
V4_EXTENDED = 7  # an extended inode type is its basic type + 7
NO_XATTR = 0xFFFF_FFFF

MKFS_TIME = 1_167_609_600  # 2007-01-01, a plausible date for a 3.1 image; fixed for reproducibility
SUPERBLOCK_SIZE = 119
METADATA_BLOCK = 8192
METADATA_UNCOMPRESSED_BIT = 1 << 15
DATA_UNCOMPRESSED_BIT = 1 << 24
INVALID_FRAGMENT = 0xFFFF_FFFF
INVALID_BLOCK = 0xFFFF_FFFF_FFFF_FFFF
GUID_SAME_AS_UID = 255
FLAG_INODES_UNCOMPRESSED = 1 << 0
FLAG_FRAGMENTS_UNCOMPRESSED = 1 << 3
PAD_TO = 4096

# Inode types of 3.x; directory entries carry the basic ones only.
DIR_TYPE, FILE_TYPE, SYMLINK_TYPE, BLKDEV_TYPE, CHRDEV_TYPE, FIFO_TYPE, SOCKET_TYPE, LDIR_TYPE, LREG_TYPE = range(1, 10)

MAGIC = {"little": b"hsqs", "big": b"sqsh"}

V2_SUPERBLOCK_SIZE = 63
V2_MINOR = 1
V2_MAX_BLOCK_SIZE = 65536  # mksquashfs 2.x accepts 4 KiB to 64 KiB
V2_DIRECTORY_HEADER_SIZE = 4
V2_DIRECTORY_ENTRY_SIZE = 3
V2_MAX_DIRECTORY_ENTRIES = 256


def write_squashfs3(
    source_dir: Path,
    out: Path,
    *,
    endian: Literal["little", "big"],
    compression: Literal["gzip", "lzma", "lzma-nosize"],
    magic: bytes | None = None,
    block_size: int = 65536,
    uncompressed_metadata: bool = False,
) -> None:
    """Write `source_dir` as a SquashFS 3.1 image.

    `magic` is written verbatim as the first four bytes (default: b"hsqs" little, b"sqsh" big); vendor
    images used e.g. b"sqlz" (big) / b"zlqs" (little). `uncompressed_metadata` stores inode and
    directory blocks raw, like mksquashfs -noI, which lets tests patch names and offsets in place.
    Output is deterministic: sorted entries, a fixed mkfs time, no dependence on the host's inodes.
    """
    if block_size & (block_size - 1) or not 4096 <= block_size <= 1 << 20:
        raise ValueError("block_size must be a power of two between 4 KiB and 1 MiB")
    magic = MAGIC[endian] if magic is None else magic
    if len(magic) != 4:
        raise ValueError("magic must be 4 bytes")
    image = _ImageBuilder(source_dir, endian, _Compressor(compression), block_size, uncompressed_metadata)
    out.write_bytes(image.build(magic))


def write_squashfs4(
    source_dir: Path,
    out: Path,
    *,
    endian: Literal["little", "big"],
    compression: Literal["gzip", "lzma"] = "gzip",
    block_size: int = 65536,
) -> None:
    """Write `source_dir` as a SquashFS 4.0 image, in either byte order.

    Debian's mksquashfs writes 4.x little-endian only; big-endian 4.x comes from vendor builds (and
    AVM's). The little-endian output of this writer is checked against Debian's unsquashfs, and the
    big-endian one differs only in the byte order of every field, as in the vendor images.
    """
    if block_size & (block_size - 1) or not 4096 <= block_size <= 1 << 20:
        raise ValueError("block_size must be a power of two between 4 KiB and 1 MiB")
    image = _V4Builder(source_dir, endian, _Compressor(compression), block_size, uncompressed_metadata=False)
    out.write_bytes(image.build(MAGIC[endian]))


def write_squashfs2(
    source_dir: Path,
    out: Path,
    *,
    endian: Literal["little", "big"],
    compression: Literal["gzip", "lzma"],
    magic: bytes | None = None,
    block_size: int = 32768,
) -> None:
    """Write `source_dir` as a SquashFS 2.1 image, laid out as mksquashfs 2.2 wrote it.

    2.x knew only gzip; vendor builds (e.g. Broadcom's) put LZMA in the same blocks, which "lzma" writes.
    `magic` is written verbatim (default: b"hsqs" little, b"sqsh" big; vendors used e.g. b"sqlz").
    As in mksquashfs 2.x, only files smaller than a block go into fragments; larger files end in a
    short block. A hard link is a second directory entry naming the same inode, which every 2.x reader
    follows (mksquashfs 2.x itself wrote a second inode sharing the data blocks).
    Output is deterministic: sorted entries, a fixed mkfs time, no dependence on the host's inodes.
    """
    if block_size & (block_size - 1) or not 4096 <= block_size <= V2_MAX_BLOCK_SIZE:
        raise ValueError("block_size must be a power of two between 4 KiB and 64 KiB")
    magic = MAGIC[endian] if magic is None else magic
    if len(magic) != 4:
        raise ValueError("magic must be 4 bytes")
    image = _V2Builder(source_dir, endian, _Compressor(compression), block_size)
    out.write_bytes(image.build(magic))


# --- packing ---------------------------------------------------------------------------------------


def pack_bits(fields: Sequence[tuple[int, int]], endian: Endian) -> bytes:
    """Pack (value, width) bitfields as gcc lays out a packed struct on a host of that byte order."""
    total = sum(width for _, width in fields)
    assert total % 8 == 0, "a packed struct fills whole bytes"
    value = 0
    if endian == "little":
        position = 0
        for field_value, width in fields:
            assert 0 <= field_value < 1 << width, (field_value, width)
            value |= field_value << position
            position += width
    else:
        for field_value, width in fields:
            assert 0 <= field_value < 1 << width, (field_value, width)
            value = (value << width) | field_value
    return value.to_bytes(total // 8, endian)


def _base_inode(kind: int, node: _Node, ids: _IdTables) -> list[tuple[int, int]]:
    uid_index, guid_index = ids.indexes(node.uid, node.gid)
    return [
        (kind, 4),
        (node.mode & 0o7777, 12),
        (uid_index, 8),
        (guid_index, 8),
        (MKFS_TIME, 32),
        (node.number, 32),
    ]


# --- compression -----------------------------------------------------------------------------------


class _Compressor:
    def __init__(self, kind: Compression) -> None:
        self.kind = kind

    def compress(self, data: bytes) -> bytes:
        if self.kind == "gzip":
            return zlib.compress(data, 9)
        # LZMA SDK defaults of the era: lc=3, lp=0, pb=2 (properties byte 0x5d).
        dictionary = 1 << max(12, (len(data) - 1).bit_length())
        stream = lzma.compress(
            data,
            format=lzma.FORMAT_ALONE,
            filters=[{"id": lzma.FILTER_LZMA1, "lc": 3, "lp": 0, "pb": 2, "dict_size": dictionary}],
        )
        props, body = stream[:5], stream[13:]
        if self.kind == "lzma-nosize":
            return props + body
        # The squashfs LZMA patches stored the real size where .lzma files may store "unknown".
        return props + struct.pack("<Q", len(data)) + body


# --- the source tree -------------------------------------------------------------------------------


@dataclass
class _Node:
    path: Path
    mode: int
    uid: int
    gid: int
    number: int = 0
    # (name, node): a hard-linked node appears under several names.
    children: list[tuple[bytes, _Node]] = field(default_factory=list)
    target: bytes = b""
    rdev: int = 0
    nlink: int = 1
    # Set once the inode is written, so hard links share it.
    ref: tuple[int, int] | None = None
    data_start: int = 0
    block_words: list[int] = field(default_factory=list)
    fragment: int = INVALID_FRAGMENT
    fragment_offset: int = 0
    size: int = 0


def _scan(path: Path, hard_links: dict[tuple[int, int], _Node]) -> _Node:
    info = path.lstat()
    key = (info.st_dev, info.st_ino)
    if not stat.S_ISDIR(info.st_mode) and info.st_nlink > 1 and key in hard_links:
        return hard_links[key]
    node = _Node(path, info.st_mode, info.st_uid, info.st_gid, nlink=info.st_nlink, rdev=info.st_rdev)
    if stat.S_ISDIR(info.st_mode):
        entries = sorted(path.iterdir(), key=lambda child: os.fsencode(child.name))
        node.children = [(os.fsencode(child.name), _scan(child, hard_links)) for child in entries]
    elif stat.S_ISLNK(info.st_mode):
        node.target = os.fsencode(path.readlink())
    elif stat.S_ISREG(info.st_mode):
        node.size = info.st_size
        if info.st_nlink > 1:
            hard_links[key] = node
    return node


def _number_inodes(root: _Node) -> int:
    """Depth-first numbering from 1; a hard-linked node keeps its first number."""
    counter = 0
    seen: set[int] = set()

    def visit(node: _Node) -> None:
        nonlocal counter
        if id(node) in seen:
            return
        seen.add(id(node))
        counter += 1
        node.number = counter
        for _, child in node.children:
            visit(child)

    visit(root)
    return counter


def _entry_type(node: _Node) -> int:
    fmt = stat.S_IFMT(node.mode)
    return {
        stat.S_IFDIR: DIR_TYPE,
        stat.S_IFREG: FILE_TYPE,
        stat.S_IFLNK: SYMLINK_TYPE,
        stat.S_IFBLK: BLKDEV_TYPE,
        stat.S_IFCHR: CHRDEV_TYPE,
        stat.S_IFIFO: FIFO_TYPE,
        stat.S_IFSOCK: SOCKET_TYPE,
    }[fmt]


# --- tables ----------------------------------------------------------------------------------------


class _IdTables:
    def __init__(self) -> None:
        self.uids: list[int] = []
        self.guids: list[int] = []

    def indexes(self, uid: int, gid: int) -> tuple[int, int]:
        if uid not in self.uids:
            self.uids.append(uid)
        uid_index = self.uids.index(uid)
        if gid == uid:
            return uid_index, GUID_SAME_AS_UID
        if gid not in self.guids:
            self.guids.append(gid)
        return uid_index, self.guids.index(gid)


class _MetadataTable:
    """Inode or directory table: a byte stream cut into 8 KiB blocks, each with a 2-byte header."""

    def __init__(self, compressor: _Compressor, endian: Endian, *, compress: bool) -> None:
        self._compressor = compressor
        self._endian = endian
        self._compress = compress
        self._written = bytearray()
        self._pending = bytearray()

    def position(self) -> tuple[int, int]:
        """(start of the current block relative to the table, offset in its uncompressed bytes)."""
        return len(self._written), len(self._pending)

    def append(self, data: bytes) -> None:
        self._pending += data
        while len(self._pending) >= METADATA_BLOCK:
            self._flush_block(bytes(self._pending[:METADATA_BLOCK]))
            del self._pending[:METADATA_BLOCK]

    def finish(self) -> bytes:
        if self._pending:
            self._flush_block(bytes(self._pending))
            self._pending.clear()
        return bytes(self._written)

    def _flush_block(self, block: bytes) -> None:
        packed = self._compressor.compress(block) if self._compress else block
        if self._compress and len(packed) < len(block):
            header = len(packed)
        else:
            packed, header = block, len(block) | METADATA_UNCOMPRESSED_BIT
        self._written += header.to_bytes(2, self._endian) + packed


# --- the image -------------------------------------------------------------------------------------


class _ImageBuilder:
    superblock_size = SUPERBLOCK_SIZE

    def __init__(
        self,
        source: Path,
        endian: Endian,
        compressor: _Compressor,
        block_size: int,
        uncompressed_metadata: bool,
    ) -> None:
        self._endian = endian
        self._prefix = "<" if endian == "little" else ">"
        self._compressor = compressor
        self._block_size = block_size
        self._uncompressed_metadata = uncompressed_metadata
        self._root = _scan(source, {})
        self._inode_count = _number_inodes(self._root)
        self._ids = _IdTables()
        self._data = bytearray()
        self._fragment_buffer = bytearray()
        self._fragment_entries: list[tuple[int, int]] = []
        compress = not uncompressed_metadata
        self._inodes = _MetadataTable(compressor, endian, compress=compress)
        self._directories = _MetadataTable(compressor, endian, compress=compress)

    def build(self, magic: bytes) -> bytes:
        self._write_file_data(self._root, set())
        self._flush_fragment()
        root_ref = self._write_directory(self._root, parent_number=self._inode_count + 1)
        data_end = self.superblock_size + len(self._data)
        inode_table = self._inodes.finish()
        directory_table = self._directories.finish()
        inode_table_start = data_end
        directory_table_start = inode_table_start + len(inode_table)
        fragment_blocks_start = directory_table_start + len(directory_table)
        fragment_blocks, fragment_index = self._fragment_table(fragment_blocks_start)
        fragment_table_start = fragment_blocks_start + len(fragment_blocks)
        uid_table = struct.pack(f"{self._prefix}{len(self._ids.uids)}I", *self._ids.uids)
        guid_table = struct.pack(f"{self._prefix}{len(self._ids.guids)}I", *self._ids.guids)
        uid_start = fragment_table_start + len(fragment_index)
        guid_start = uid_start + len(uid_table) if self._ids.guids else 0
        bytes_used = uid_start + len(uid_table) + len(guid_table)
        flags = FLAG_INODES_UNCOMPRESSED | FLAG_FRAGMENTS_UNCOMPRESSED if self._uncompressed_metadata else 0
        superblock = struct.pack(
            self._prefix + "4sIIIIIIHHHHBBBIQIIIQQQQQQQ",
            magic,
            self._inode_count,
            bytes_used & 0xFFFF_FFFF,
            uid_start & 0xFFFF_FFFF,
            guid_start & 0xFFFF_FFFF,
            inode_table_start & 0xFFFF_FFFF,
            directory_table_start & 0xFFFF_FFFF,
            3,
            1,
            self._block_size & 0xFFFF,  # the 16-bit 2.x field truncates, as in mksquashfs 3.x
            self._block_size.bit_length() - 1,
            flags,
            len(self._ids.uids),
            len(self._ids.guids),
            MKFS_TIME,
            root_ref[0] << 16 | root_ref[1],
            self._block_size,
            len(self._fragment_entries),
            fragment_table_start & 0xFFFF_FFFF,
            bytes_used,
            uid_start,
            guid_start,
            inode_table_start,
            directory_table_start,
            fragment_table_start,
            INVALID_BLOCK,  # no NFS export (lookup) table
        )
        assert len(superblock) == SUPERBLOCK_SIZE
        image = (
            superblock
            + self._data
            + inode_table
            + directory_table
            + fragment_blocks
            + fragment_index
            + uid_table
            + guid_table
        )
        assert len(image) == bytes_used
        return image + bytes(-len(image) % PAD_TO)

    # File data comes first, in directory order, as mksquashfs writes it.
    def _write_file_data(self, node: _Node, done: set[int]) -> None:
        if id(node) in done:
            return
        done.add(id(node))
        if stat.S_ISREG(node.mode):
            self._store_file(node)
        for _, child in node.children:
            self._write_file_data(child, done)

    def _store_file(self, node: _Node) -> None:
        content = node.path.read_bytes()
        node.size = len(content)
        node.data_start = self.superblock_size + len(self._data)
        full_blocks = len(content) // self._block_size
        for number in range(full_blocks):
            block = content[number * self._block_size : (number + 1) * self._block_size]
            node.block_words.append(self._store_block(block))
        tail = content[full_blocks * self._block_size :]
        if tail:
            if len(self._fragment_buffer) + len(tail) > self._block_size:
                self._flush_fragment()
            node.fragment = len(self._fragment_entries)
            node.fragment_offset = len(self._fragment_buffer)
            self._fragment_buffer += tail

    def _store_block(self, block: bytes) -> int:
        packed = self._compressor.compress(block)
        if len(packed) < len(block):
            self._data += packed
            return len(packed)
        self._data += block
        return len(block) | DATA_UNCOMPRESSED_BIT

    def _flush_fragment(self) -> None:
        if not self._fragment_buffer:
            return
        start = self.superblock_size + len(self._data)
        word = self._store_block(bytes(self._fragment_buffer))
        self._fragment_entries.append((start, word))
        self._fragment_buffer.clear()

    def _fragment_table(self, blocks_start: int) -> tuple[bytes, bytes]:
        table = _MetadataTable(self._compressor, self._endian, compress=not self._uncompressed_metadata)
        pointers: list[int] = []
        for start, word in self._fragment_entries:
            block_start, offset = table.position()
            if offset == 0:
                pointers.append(blocks_start + block_start)
            table.append(struct.pack(self._prefix + "QII", start, word, 0))
        blocks = table.finish()
        return blocks, struct.pack(f"{self._prefix}{len(pointers)}Q", *pointers)

    # Inodes are written children first, so a directory's listing can name its children's inodes.
    def _write_directory(self, node: _Node, parent_number: int) -> tuple[int, int]:
        entries: list[tuple[bytes, tuple[int, int], int, int]] = []
        for name, child in node.children:
            if stat.S_ISDIR(child.mode):
                ref = self._write_directory(child, parent_number=node.number)
            else:
                ref = self._write_leaf(child)
            entries.append((name, ref, _entry_type(child), child.number))
        listing_block, listing_offset = self._directories.position()
        listing = self._listing(entries)
        self._directories.append(listing)
        ref = self._inodes.position()
        size = len(listing) + 3  # "." and ".." are counted though not stored
        links = 2 + sum(1 for _, child in node.children if stat.S_ISDIR(child.mode))
        base = _base_inode(DIR_TYPE, node, self._ids)
        if size < 1 << 19:
            fields = [*base, (links, 32), (size, 19), (listing_offset, 13)]
            fields += [(listing_block, 32), (parent_number, 32)]
        else:
            base[0] = (LDIR_TYPE, 4)
            fields = [*base, (links, 32), (size, 27), (listing_offset, 13)]
            fields += [(listing_block, 32), (0, 16), (parent_number, 32)]
        self._inodes.append(pack_bits(fields, self._endian))
        return ref

    def _listing(self, entries: list[tuple[bytes, tuple[int, int], int, int]]) -> bytes:
        """Directory headers group entries whose inodes share a metadata block (at most 256 each)."""
        listing = bytearray()
        index = 0
        while index < len(entries):
            block, _ = entries[index][1]
            base_number = entries[index][3]
            group: list[tuple[bytes, tuple[int, int], int, int]] = []
            while (
                index < len(entries)
                and len(group) < 256
                and entries[index][1][0] == block
                and -32768 <= entries[index][3] - base_number <= 32767
            ):
                group.append(entries[index])
                index += 1
            listing += pack_bits([(len(group) - 1, 8), (block, 32), (base_number, 32)], self._endian)
            for name, (_, offset), kind, number in group:
                delta = (number - base_number) & 0xFFFF
                listing += pack_bits([(offset, 13), (kind, 3), (len(name) - 1, 8), (delta, 16)], self._endian)
                listing += name
        return bytes(listing)

    def _write_leaf(self, node: _Node) -> tuple[int, int]:
        if node.ref is not None:  # a further hard link to an inode already written
            return node.ref
        node.ref = self._inodes.position()
        kind = _entry_type(node)
        if kind == FILE_TYPE:
            self._inodes.append(self._file_inode(node))
        elif kind == SYMLINK_TYPE:
            fields = [*_base_inode(SYMLINK_TYPE, node, self._ids), (node.nlink, 32), (len(node.target), 16)]
            self._inodes.append(pack_bits(fields, self._endian) + node.target)
        elif kind in (BLKDEV_TYPE, CHRDEV_TYPE):
            device = (os.major(node.rdev) & 0xFF) << 8 | (os.minor(node.rdev) & 0xFF)
            fields = [*_base_inode(kind, node, self._ids), (node.nlink, 32), (device, 16)]
            self._inodes.append(pack_bits(fields, self._endian))
        else:
            self._inodes.append(pack_bits([*_base_inode(kind, node, self._ids), (node.nlink, 32)], self._endian))
        return node.ref

    def _file_inode(self, node: _Node) -> bytes:
        block_list = struct.pack(f"{self._prefix}{len(node.block_words)}I", *node.block_words)
        fragment = node.fragment
        # The short inode has no link count and 32-bit sizes; hard links need the long one.
        if node.nlink == 1 and node.size < 1 << 32:
            fields = [*_base_inode(FILE_TYPE, node, self._ids), (node.data_start, 64), (fragment, 32)]
            fields += [(node.fragment_offset, 32), (node.size, 32)]
        else:
            fields = [*_base_inode(LREG_TYPE, node, self._ids), (node.nlink, 32), (node.data_start, 64)]
            fields += [(fragment, 32), (node.fragment_offset, 32), (node.size, 64)]
        return pack_bits(fields, self._endian) + block_list


class _V4Builder(_ImageBuilder):
    """4.0 layout (squashfs_fs.h): plain little/big-endian structs instead of bitfields, one id table.

    File order: superblock (96 bytes) | data | inode table | directory table | fragment entry blocks |
    fragment index | id blocks | id index (u64 pointers; the superblock points at the index).
    """

    superblock_size = V4_SUPERBLOCK_SIZE

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._id_list: list[int] = []

    def build(self, magic: bytes) -> bytes:
        self._write_file_data(self._root, set())
        self._flush_fragment()
        root_ref = self._write_directory(self._root, parent_number=self._inode_count + 1)
        inode_table_start = self.superblock_size + len(self._data)
        inode_table = self._inodes.finish()
        directory_table_start = inode_table_start + len(inode_table)
        directory_table = self._directories.finish()
        fragment_blocks_start = directory_table_start + len(directory_table)
        fragment_blocks, fragment_index = self._fragment_table(fragment_blocks_start)
        fragment_table_start = fragment_blocks_start + len(fragment_blocks)
        id_blocks_start = fragment_table_start + len(fragment_index)
        id_table = _MetadataTable(self._compressor, self._endian, compress=True)
        id_table.append(struct.pack(f"{self._prefix}{len(self._id_list)}I", *self._id_list))
        id_blocks = id_table.finish()
        id_table_start = id_blocks_start + len(id_blocks)
        # One metadata block holds 2048 ids; more than that would need more pointers.
        assert len(self._id_list) <= METADATA_BLOCK // 4
        id_index = struct.pack(self._prefix + "Q", id_blocks_start)
        bytes_used = id_table_start + len(id_index)
        superblock = struct.pack(
            self._prefix + "4sIIIIHHHHHHQQQQQQQQ",
            magic,
            self._inode_count,
            MKFS_TIME,
            self._block_size,
            len(self._fragment_entries),
            V4_COMPRESSOR_IDS[self._compressor.kind],
            self._block_size.bit_length() - 1,
            V4_NO_XATTRS,
            len(self._id_list),
            4,
            0,
            root_ref[0] << 16 | root_ref[1],
            bytes_used,
            id_table_start,
            INVALID_BLOCK,  # no xattr table
            inode_table_start,
            directory_table_start,
            fragment_table_start if self._fragment_entries else INVALID_BLOCK,
            INVALID_BLOCK,  # no export table
        )
        assert len(superblock) == self.superblock_size
        image = (
            superblock
            + self._data
            + inode_table
            + directory_table
            + fragment_blocks
            + fragment_index
            + id_blocks
            + id_index
        )
        assert len(image) == bytes_used
        return image + bytes(-len(image) % PAD_TO)

    def _id_index(self, value: int) -> int:
        if value not in self._id_list:
            self._id_list.append(value)
        return self._id_list.index(value)

    def _base(self, kind: int, node: _Node) -> bytes:
        return struct.pack(
            self._prefix + "HHHHII",
            kind,
            node.mode & 0o7777,
            self._id_index(node.uid),
            self._id_index(node.gid),
            MKFS_TIME,
            node.number,
        )

    def _write_directory(self, node: _Node, parent_number: int) -> tuple[int, int]:
        entries: list[tuple[bytes, tuple[int, int], int, int]] = []
        for name, child in node.children:
            if stat.S_ISDIR(child.mode):
                ref = self._write_directory(child, parent_number=node.number)
            else:
                ref = self._write_leaf(child)
            entries.append((name, ref, _entry_type(child), child.number))
        listing_block, listing_offset = self._directories.position()
        listing = self._listing(entries)
        self._directories.append(listing)
        ref = self._inodes.position()
        size = len(listing) + 3
        links = 2 + sum(1 for _, child in node.children if stat.S_ISDIR(child.mode))
        if size <= 0xFFFF:
            inode = self._base(DIR_TYPE, node) + struct.pack(
                self._prefix + "IIHHI", listing_block, links, size, listing_offset, parent_number
            )
        else:
            inode = self._base(DIR_TYPE + V4_EXTENDED, node) + struct.pack(
                self._prefix + "IIIIHHI", links, size, listing_block, parent_number, 0, listing_offset, NO_XATTR
            )
        self._inodes.append(inode)
        return ref

    def _listing(self, entries: list[tuple[bytes, tuple[int, int], int, int]]) -> bytes:
        listing = bytearray()
        index = 0
        while index < len(entries):
            block, base_number = entries[index][1][0], entries[index][3]
            group: list[tuple[bytes, tuple[int, int], int, int]] = []
            while (
                index < len(entries)
                and len(group) < 256
                and entries[index][1][0] == block
                and -32768 <= entries[index][3] - base_number <= 32767
            ):
                group.append(entries[index])
                index += 1
            listing += struct.pack(self._prefix + "III", len(group) - 1, block, base_number)
            for name, (_, offset), kind, number in group:
                listing += struct.pack(self._prefix + "HhHH", offset, number - base_number, kind, len(name) - 1)
                listing += name
        return bytes(listing)

    def _write_leaf(self, node: _Node) -> tuple[int, int]:
        if node.ref is not None:
            return node.ref
        node.ref = self._inodes.position()
        kind = _entry_type(node)
        if kind == FILE_TYPE:
            self._inodes.append(self._file_inode(node))
        elif kind == SYMLINK_TYPE:
            fields = struct.pack(self._prefix + "II", node.nlink, len(node.target))
            self._inodes.append(self._base(SYMLINK_TYPE, node) + fields + node.target)
        elif kind in (BLKDEV_TYPE, CHRDEV_TYPE):
            major, minor = os.major(node.rdev), os.minor(node.rdev)
            device = (major & 0xFFF) << 8 | (minor & 0xFF) | (minor & ~0xFF) << 12
            self._inodes.append(self._base(kind, node) + struct.pack(self._prefix + "II", node.nlink, device))
        else:
            self._inodes.append(self._base(kind, node) + struct.pack(self._prefix + "I", node.nlink))
        return node.ref

    def _file_inode(self, node: _Node) -> bytes:
        block_list = struct.pack(f"{self._prefix}{len(node.block_words)}I", *node.block_words)
        if node.nlink == 1 and node.size < 1 << 32 and node.data_start < 1 << 32:
            fields = struct.pack(self._prefix + "IIII", node.data_start, node.fragment, node.fragment_offset, node.size)
            return self._base(FILE_TYPE, node) + fields + block_list
        fields = struct.pack(
            self._prefix + "QQQIIII",
            node.data_start,
            node.size,
            0,
            node.nlink,
            node.fragment,
            node.fragment_offset,
            NO_XATTR,
        )
        return self._base(FILE_TYPE + V4_EXTENDED, node) + fields + block_list


_V2Entry = tuple[bytes, tuple[int, int], int]  # name, inode (block, offset), directory entry type


class _V2Builder:
    """2.1 layout (squashfs_compat.h "layout 2.x"): no inode numbers, link counts or parent inodes;
    32-bit positions throughout; only directories and files record a time.

    Inodes are written as mksquashfs 2.2's directory scan creates them: in sorted order, a
    subdirectory's inodes (its own last) before the next sibling, so a listing can name them.
    """

    def __init__(self, source: Path, endian: Endian, compressor: _Compressor, block_size: int) -> None:
        self._endian = endian
        self._prefix = "<" if endian == "little" else ">"
        self._compressor = compressor
        self._block_size = block_size
        self._root = _scan(source, {})
        self._inode_count = _number_inodes(self._root)
        self._ids = _IdTables()
        self._data = bytearray()
        self._fragment_buffer = bytearray()
        self._fragment_entries: list[tuple[int, int]] = []
        self._inodes = _MetadataTable(compressor, endian, compress=True)
        self._directories = _MetadataTable(compressor, endian, compress=True)

    def build(self, magic: bytes) -> bytes:
        self._write_file_data(self._root, set())
        self._flush_fragment()
        root_ref = self._write_directory(self._root)
        inode_table_start = V2_SUPERBLOCK_SIZE + len(self._data)
        inode_table = self._inodes.finish()
        directory_table_start = inode_table_start + len(inode_table)
        directory_table = self._directories.finish()
        fragment_blocks_start = directory_table_start + len(directory_table)
        fragment_blocks, fragment_index = self._fragment_table(fragment_blocks_start)
        # With no fragments the index is empty and starts where the uid table does.
        fragment_table_start = fragment_blocks_start + len(fragment_blocks)
        uid_start = fragment_table_start + len(fragment_index)
        uid_table = struct.pack(f"{self._prefix}{len(self._ids.uids)}I", *self._ids.uids)
        guid_table = struct.pack(f"{self._prefix}{len(self._ids.guids)}I", *self._ids.guids)
        guid_start = uid_start + len(uid_table) if self._ids.guids else 0
        bytes_used = uid_start + len(uid_table) + len(guid_table)
        assert bytes_used < 1 << 32, "2.x positions are 32-bit"
        superblock = struct.pack(
            self._prefix + "4sIIIIIIHHHHBBBIQIII",
            magic,
            self._inode_count,
            bytes_used,
            uid_start,
            guid_start,
            inode_table_start,
            directory_table_start,
            2,
            V2_MINOR,
            self._block_size & 0xFFFF,  # 1.x's field, not set by mksquashfs 2.x; 0 for 64 KiB here
            self._block_size.bit_length() - 1,
            0,  # flags: compressed inodes, data and fragments; no check data
            len(self._ids.uids),
            len(self._ids.guids),
            MKFS_TIME,
            root_ref[0] << 16 | root_ref[1],
            self._block_size,
            len(self._fragment_entries),
            fragment_table_start,
        )
        assert len(superblock) == V2_SUPERBLOCK_SIZE
        image = (
            superblock
            + self._data
            + inode_table
            + directory_table
            + fragment_blocks
            + fragment_index
            + uid_table
            + guid_table
        )
        assert len(image) == bytes_used
        return image + bytes(-len(image) % PAD_TO)

    # --- data: each file's blocks in directory order, small files packed into fragment blocks ---------

    def _write_file_data(self, node: _Node, done: set[int]) -> None:
        if id(node) in done:
            return
        done.add(id(node))
        if stat.S_ISREG(node.mode):
            self._store_file(node)
        for _, child in node.children:
            self._write_file_data(child, done)

    def _store_file(self, node: _Node) -> None:
        content = node.path.read_bytes()
        node.size = len(content)
        node.data_start = V2_SUPERBLOCK_SIZE + len(self._data)
        if 0 < len(content) < self._block_size:
            if len(self._fragment_buffer) + len(content) > self._block_size:
                self._flush_fragment()
            node.fragment = len(self._fragment_entries)
            node.fragment_offset = len(self._fragment_buffer)
            self._fragment_buffer += content
            return
        for start in range(0, len(content), self._block_size):
            node.block_words.append(self._store_block(content[start : start + self._block_size]))

    def _store_block(self, block: bytes) -> int:
        packed = self._compressor.compress(block)
        if len(packed) < len(block):
            self._data += packed
            return len(packed)
        self._data += block
        return len(block) | DATA_UNCOMPRESSED_BIT

    def _flush_fragment(self) -> None:
        if not self._fragment_buffer:
            return
        start = V2_SUPERBLOCK_SIZE + len(self._data)
        word = self._store_block(bytes(self._fragment_buffer))
        self._fragment_entries.append((start, word))
        self._fragment_buffer.clear()

    def _fragment_table(self, blocks_start: int) -> tuple[bytes, bytes]:
        """squashfs_fragment_entry_2 (start_block u32, size u32) in metadata blocks, and u32 pointers to them."""
        table = _MetadataTable(self._compressor, self._endian, compress=True)
        pointers: list[int] = []
        for start, word in self._fragment_entries:
            block_start, offset = table.position()
            if offset == 0:
                pointers.append(blocks_start + block_start)
            table.append(struct.pack(self._prefix + "II", start, word))
        blocks = table.finish()
        return blocks, struct.pack(f"{self._prefix}{len(pointers)}I", *pointers)

    # --- inodes and directories ------------------------------------------------------------------------

    def _base(self, kind: int, node: _Node) -> list[tuple[int, int]]:
        """squashfs_base_inode_header_2: inode_type:4, mode:12, uid:8, guid:8."""
        uid_index, guid_index = self._ids.indexes(node.uid, node.gid)
        return [(kind, 4), (node.mode & 0o7777, 12), (uid_index, 8), (guid_index, 8)]

    def _write_directory(self, node: _Node) -> tuple[int, int]:
        entries: list[_V2Entry] = []
        for name, child in node.children:
            ref = self._write_directory(child) if stat.S_ISDIR(child.mode) else self._write_leaf(child)
            entries.append((name, ref, _entry_type(child)))
        listing, index_points = self._listing(entries)
        listing_block, listing_offset = self._directories.position()
        index = self._append_listing(listing, index_points)
        ref = self._inodes.position()
        # 2.x records the listing's exact length: no 3 bytes for "." and ".." as in 3.x.
        size = len(listing)
        names_bytes = sum(V2_DIRECTORY_ENTRY_SIZE + len(name) for name, _, _ in entries)
        # mksquashfs 2.1+ makes a directory "long" when it would not fit one metadata block.
        if len(entries) <= V2_MAX_DIRECTORY_ENTRIES and names_bytes < METADATA_BLOCK and size < 1 << 19:
            fields = [*self._base(DIR_TYPE, node), (size, 19), (listing_offset, 13), (MKFS_TIME, 32)]
            self._inodes.append(pack_bits([*fields, (listing_block, 24)], self._endian))
        else:
            fields = [*self._base(LDIR_TYPE, node), (size, 27), (listing_offset, 13), (MKFS_TIME, 32)]
            fields += [(listing_block, 24), (len(index), 16)]
            self._inodes.append(pack_bits(fields, self._endian) + b"".join(index))
        return ref

    def _listing(self, entries: list[_V2Entry]) -> tuple[bytes, list[tuple[int, bytes]]]:
        """squashfs_dir_header_2 (count:8, start_block:24) groups, each of squashfs_dir_entry_2
        (offset:13, type:3, size:8) + name, and the index points of a long directory.

        As mksquashfs 2.2 does, a new header starts for every 256 entries, for an inode in another
        metadata block, and where the listing since the last index point would outgrow a metadata
        block; that header becomes an index point: (its position in the listing, its first name).
        """
        groups: list[tuple[int, list[_V2Entry]]] = []
        index_points: list[tuple[int, bytes]] = []
        length = 0
        window_start = 0
        for entry in entries:
            name, (block, _), _ = entry
            crosses_window = (
                bool(groups) and length + V2_DIRECTORY_ENTRY_SIZE + len(name) - window_start > METADATA_BLOCK
            )
            if not groups or len(groups[-1][1]) == V2_MAX_DIRECTORY_ENTRIES or groups[-1][0] != block or crosses_window:
                if crosses_window:
                    index_points.append((length, name))
                    window_start = length
                groups.append((block, []))
                length += V2_DIRECTORY_HEADER_SIZE
            groups[-1][1].append(entry)
            length += V2_DIRECTORY_ENTRY_SIZE + len(name)
        listing = bytearray()
        for block, group in groups:
            listing += pack_bits([(len(group) - 1, 8), (block, 24)], self._endian)
            for name, (_, offset), kind in group:
                listing += pack_bits([(offset, 13), (kind, 3), (len(name) - 1, 8)], self._endian) + name
        assert len(listing) == length
        return bytes(listing), index_points

    def _append_listing(self, listing: bytes, index_points: list[tuple[int, bytes]]) -> list[bytes]:
        """Append the listing; return squashfs_dir_index_2 entries (index:27, start_block:29, size:8
        + name), each naming the directory table block in which its header lies."""
        index: list[bytes] = []
        written = 0
        for point, name in index_points:
            self._directories.append(listing[written:point])
            written = point
            block_start, _ = self._directories.position()
            index.append(pack_bits([(point, 27), (block_start, 29), (len(name) - 1, 8)], self._endian) + name)
        self._directories.append(listing[written:])
        return index

    def _write_leaf(self, node: _Node) -> tuple[int, int]:
        if node.ref is not None:  # a further hard link to an inode already written
            return node.ref
        node.ref = self._inodes.position()
        kind = _entry_type(node)
        base = self._base(kind, node)
        if kind == FILE_TYPE:
            # squashfs_reg_inode_header_2, then one u32 size word per block.
            fields = [*base, (MKFS_TIME, 32), (node.data_start, 32), (node.fragment, 32)]
            fields += [(node.fragment_offset, 32), (node.size, 32)]
            block_list = struct.pack(f"{self._prefix}{len(node.block_words)}I", *node.block_words)
            self._inodes.append(pack_bits(fields, self._endian) + block_list)
        elif kind == SYMLINK_TYPE:
            self._inodes.append(pack_bits([*base, (len(node.target), 16)], self._endian) + node.target)
        elif kind in (BLKDEV_TYPE, CHRDEV_TYPE):
            device = (os.major(node.rdev) & 0xFF) << 8 | (os.minor(node.rdev) & 0xFF)
            self._inodes.append(pack_bits([*base, (device, 16)], self._endian))
        else:  # fifo, socket: the base header alone
            self._inodes.append(pack_bits(base, self._endian))
        return node.ref

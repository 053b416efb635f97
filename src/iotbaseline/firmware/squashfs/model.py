"""The filesystem objects every SquashFS version decodes into."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

NO_FRAGMENT = 0xFFFF_FFFF
# A data block's size word: the low 24 bits are the stored length, bit 24 means "stored uncompressed".
BLOCK_UNCOMPRESSED = 1 << 24
BLOCK_LENGTH_MASK = BLOCK_UNCOMPRESSED - 1


class InodeKind(Enum):
    DIRECTORY = "directory"
    FILE = "file"
    SYMLINK = "symlink"
    BLOCK_DEVICE = "block device"
    CHAR_DEVICE = "character device"
    FIFO = "fifo"
    SOCKET = "socket"


@dataclass(frozen=True, slots=True)
class InodeRef:
    """Where an inode lives: a metadata block (relative to the inode table) and an offset inside it."""

    block: int
    offset: int

    @classmethod
    def unpack(cls, packed: int) -> InodeRef:
        return cls(packed >> 16, packed & 0xFFFF)


@dataclass(frozen=True, slots=True)
class Attributes:
    permissions: int
    uid: int
    gid: int
    mtime: int


@dataclass(frozen=True, slots=True)
class DirectoryInode:
    attributes: Attributes
    listing_block: int
    listing_offset: int
    listing_size: int

    kind = InodeKind.DIRECTORY


@dataclass(frozen=True, slots=True)
class FragmentRef:
    index: int
    offset: int


@dataclass(frozen=True, slots=True)
class FileInode:
    attributes: Attributes
    size: int
    blocks_start: int
    block_words: tuple[int, ...]
    fragment: FragmentRef | None

    kind = InodeKind.FILE


@dataclass(frozen=True, slots=True)
class SymlinkInode:
    attributes: Attributes
    target: bytes

    kind = InodeKind.SYMLINK


@dataclass(frozen=True, slots=True)
class SpecialInode:
    """A device node, fifo or socket: recorded, never created on the host."""

    attributes: Attributes
    kind: InodeKind
    major: int = 0
    minor: int = 0


Inode = DirectoryInode | FileInode | SymlinkInode | SpecialInode


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    name: bytes
    ref: InodeRef


@dataclass(frozen=True, slots=True)
class DirectoryListing:
    """The entries that could be read; `error` says why the rest could not."""

    entries: tuple[DirectoryEntry, ...]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FragmentLocation:
    start: int
    size_word: int


class FormatReader(Protocol):
    """What one on-disk format version (2.x, 3.x, 4.x) provides to the walker and the data reader."""

    def read_inode(self, ref: InodeRef) -> Inode: ...

    def read_directory(self, inode: DirectoryInode) -> DirectoryListing: ...

    def fragment(self, index: int) -> FragmentLocation: ...

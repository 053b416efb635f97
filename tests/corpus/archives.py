"""Deterministic archive writers: cpio (newc, odc), tar, zip and gzip, from a staged tree or from
hand-made entries (the hostile images need names and links no sane packer would write)."""

from __future__ import annotations

import gzip
import io
import os
import stat
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from tests.corpus.tools import SOURCE_DATE_EPOCH

EntryKind = Literal["file", "dir", "symlink", "hardlink", "char", "block", "fifo"]
_TYPE_BITS = {
    "file": stat.S_IFREG,
    "hardlink": stat.S_IFREG,
    "dir": stat.S_IFDIR,
    "symlink": stat.S_IFLNK,
    "char": stat.S_IFCHR,
    "block": stat.S_IFBLK,
    "fifo": stat.S_IFIFO,
}


@dataclass(frozen=True)
class Entry:
    """One archive member. `source` (a staged file) or `data` holds a file's content; `target` is a
    link's target."""

    name: str
    kind: EntryKind = "file"
    mode: int = 0o644
    data: bytes = b""
    source: Path | None = None
    target: str = ""
    major: int = 0
    minor: int = 0

    def content(self) -> bytes:
        if self.kind == "symlink":
            return self.target.encode()
        return self.source.read_bytes() if self.source else self.data

    @property
    def st_mode(self) -> int:
        return _TYPE_BITS[self.kind] | self.mode


def tree_entries(root: Path) -> Iterator[Entry]:
    """Every path under `root`, sorted, parents before children, as entries with their modes."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        here = Path(dirpath)
        names = sorted([*dirnames, *filenames])
        for name in names:
            path = here / name
            relative = path.relative_to(root).as_posix()
            info = path.lstat()
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                yield Entry(relative, "symlink", 0o777, target=str(path.readlink()))
            elif stat.S_ISDIR(info.st_mode):
                yield Entry(relative, "dir", mode)
            elif stat.S_ISREG(info.st_mode):
                yield Entry(relative, "file", mode, source=path)
            elif stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
                kind: EntryKind = "char" if stat.S_ISCHR(info.st_mode) else "block"
                yield Entry(relative, kind, mode, major=os.major(info.st_rdev), minor=os.minor(info.st_rdev))
            elif stat.S_ISFIFO(info.st_mode):
                yield Entry(relative, "fifo", mode)


def write_cpio(entries: Iterable[Entry], out: BinaryIO, fmt: Literal["newc", "odc"]) -> None:
    """cpio as the kernel's initramfs reader expects it; inode numbers count up, owners are root."""
    for inode, entry in enumerate([*entries, Entry("TRAILER!!!", mode=0)], start=1):
        data = entry.content() if entry.kind in {"file", "symlink"} else b""
        name = entry.name.encode() + b"\0"
        nlink = 2 if entry.kind == "dir" else 1
        mode = entry.st_mode if entry.name != "TRAILER!!!" else 0
        if entry.name == "TRAILER!!!":
            inode, nlink = 0, 1
        if fmt == "newc":
            fields = (inode, mode, 0, 0, nlink, SOURCE_DATE_EPOCH, len(data), 0, 0, entry.major, entry.minor)
            header = b"070701" + b"".join(b"%08X" % f for f in (*fields, len(name), 0))
            out.write(header + name + b"\0" * (-(len(header) + len(name)) % 4))
            out.write(data + b"\0" * (-len(data) % 4))
        else:
            rdev = os.makedev(entry.major, entry.minor)
            header = b"070707" + b"%06o%06o%06o%06o%06o%06o%06o%011o%06o%011o" % (
                0,
                inode & 0o777777,
                mode,
                0,
                0,
                nlink,
                rdev & 0o777777,
                SOURCE_DATE_EPOCH,
                len(name),
                len(data),
            )
            out.write(header + name + data)


def write_tar(entries: Iterable[Entry], out: BinaryIO) -> None:
    """GNU tar as `tar --sort=name --mtime=@EPOCH --owner=0 --group=0 --numeric-owner` writes it."""
    kinds = {
        "file": tarfile.REGTYPE,
        "dir": tarfile.DIRTYPE,
        "symlink": tarfile.SYMTYPE,
        "hardlink": tarfile.LNKTYPE,
        "char": tarfile.CHRTYPE,
        "block": tarfile.BLKTYPE,
        "fifo": tarfile.FIFOTYPE,
    }
    with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for entry in entries:
            info = tarfile.TarInfo(entry.name)
            info.type = kinds[entry.kind]
            info.mode = entry.mode
            info.mtime = SOURCE_DATE_EPOCH
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.linkname = entry.target
            info.devmajor, info.devminor = entry.major, entry.minor
            data = entry.content() if entry.kind == "file" else b""
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data else None)


def write_zip(entries: Iterable[Entry], out: BinaryIO) -> None:
    """A zip with Unix modes in the external attributes and a fixed timestamp on every member."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for entry in entries:
            name = entry.name + "/" if entry.kind == "dir" else entry.name
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = entry.st_mode << 16
            info.compress_type = zipfile.ZIP_STORED if entry.kind == "dir" else zipfile.ZIP_DEFLATED
            archive.writestr(info, b"" if entry.kind == "dir" else entry.content())


def gzip_bytes(data: bytes) -> bytes:
    """gzip -n -9: no name, zero mtime."""
    return gzip.compress(data, compresslevel=9, mtime=0)


@dataclass(frozen=True)
class DeflatedZeros:
    """A raw deflate stream of `size` zero bytes, made without ever holding `size` bytes: one 16 MiB
    block compressed once and repeated (a full flush resets the window, so every copy is identical)."""

    size: int
    stream: bytes
    crc32: int

    @classmethod
    def make(cls, size: int) -> DeflatedZeros:
        block = 16 << 20
        assert size % block == 0
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        piece = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
        crc = 0
        zeros = bytes(block)
        for _ in range(size // block):
            crc = zlib.crc32(zeros, crc)
        tail = compressor.flush(zlib.Z_FINISH)
        return cls(size=size, stream=piece * (size // block) + tail, crc32=crc)

    def gzip(self) -> bytes:
        header = b"\x1f\x8b\x08\x00" + b"\0\0\0\0" + b"\x02\xff"
        return header + self.stream + struct.pack("<II", self.crc32, self.size & 0xFFFFFFFF)


def write_predeflated_zip(members: list[tuple[str, DeflatedZeros]], out: BinaryIO) -> None:
    """A zip whose members are already deflated (zipfile would re-compress gigabytes to write it)."""
    central = b""
    dos_time, dos_date = 0, (2024 - 1980) << 9 | 1 << 5 | 1
    for name, member in members:
        offset = out.tell()
        fixed = struct.pack("<HHHHHIII", 20, 0, 8, dos_time, dos_date, member.crc32, len(member.stream), member.size)
        out.write(b"PK\x03\x04" + fixed + struct.pack("<HH", len(name), 0) + name.encode())
        out.write(member.stream)
        central += (
            b"PK\x01\x02"
            + struct.pack("<HH", 0x031E, 20)
            + fixed[2:]
            + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, (stat.S_IFREG | 0o644) << 16, offset)
            + name.encode()
        )
    start = out.tell()
    out.write(central)
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), start, 0))

"""Inputs for end-to-end extraction tests that are small enough to make inline."""

import gzip
import io
import tarfile
from pathlib import Path

import pytest

MIB = 1024 * 1024


def tar_member(archive: tarfile.TarFile, name: str, data: bytes = b"", **fields: object) -> None:
    info = tarfile.TarInfo(name)
    for key, value in fields.items():
        setattr(info, key, value)
    if info.type == tarfile.REGTYPE:
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    else:
        archive.addfile(info)


def gzip_zeros(path: Path, size: int) -> Path:
    """A decompression bomb: `size` zero bytes, compressed about a thousand times."""
    block = bytes(MIB)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        for _ in range(size // MIB):
            out.write(block)
    return path


@pytest.fixture
def small_rootfs_targz(tmp_path: Path) -> Path:
    path = tmp_path / "update.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        tar_member(archive, "rootfs", type=tarfile.DIRTYPE, mode=0o755)
        tar_member(archive, "rootfs/bin/busybox", b"\x7fELF\x01\x01\x01" + bytes(100), mode=0o755)
        tar_member(archive, "rootfs/bin/sh", type=tarfile.SYMTYPE, linkname="busybox")
        tar_member(archive, "rootfs/usr/bin/wget", type=tarfile.SYMTYPE, linkname="/bin/busybox")
        tar_member(archive, "rootfs/etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        tar_member(archive, "rootfs/etc/inittab", b"::sysinit:/etc/init.d/rcS\n")
    return path

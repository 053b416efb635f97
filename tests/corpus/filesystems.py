"""File-system layout nodes: each packs one staged tree with the tool a vendor SDK would use, pinned
so that two builds write the same bytes (SOURCE_DATE_EPOCH, fixed UUIDs, host times overwritten)."""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from tests.corpus import archives
from tests.corpus.layouts import FileSystem, Job, Node
from tests.corpus.tools import SOURCE_DATE_EPOCH, run


@dataclass(frozen=True)
class SquashFS(FileSystem):
    compression: Literal["gzip", "xz", "lzo", "lz4", "zstd", "lzma"] = "xz"
    block_size: int = 131072
    duplicates: bool = True  # False: store repeated files again (the benchmark wants bulk)
    FORMATS = ("squashfs_v4_le",)
    EXT = ".squashfs"

    def labels(self) -> tuple[str, ...]:
        return (f"squashfs-v4-{self.compression}",)

    def build(self, job: Job) -> Path:
        out = job.output("rootfs.squashfs")
        argv: list[str | Path] = ["mksquashfs", job.tree(self.rootfs), out, "-comp", self.compression]
        # Timestamps come from SOURCE_DATE_EPOCH (mksquashfs refuses it together with -mkfs-time).
        argv += ["-b", str(self.block_size), "-noappend", "-all-root", "-no-progress", "-quiet"]
        if not self.duplicates:
            argv.append("-no-duplicates")
        run(argv)
        return out


@dataclass(frozen=True)
class SquashFS3(FileSystem):
    """SquashFS 3.1 as vendor SDKs wrote it (big-endian, LZMA, odd magics): tests/corpus/squashfs_legacy."""

    endian: Literal["little", "big"] = "little"
    compression: Literal["gzip", "lzma", "lzma-nosize"] = "gzip"
    magic: bytes | None = None
    EXT = ".squashfs"

    def labels(self) -> tuple[str, ...]:
        return (f"squashfs-v3-{self.endian[0]}e-{self.compression}",)

    def formats(self) -> tuple[str, ...]:
        variants = {b"sqlz": "nonstandard", b"zlqs": "nonstandard", b"shsq": "broadcom", b"qshs": "broadcom"}
        variants |= {b"tqsh": "ddwrt", b"hsqt": "ddwrt"}
        variant = variants.get(self.magic or b"")
        return (f"squashfs_v3_{variant}",) if variant else ("squashfs_v3",)

    def build(self, job: Job) -> Path:
        from tests.corpus.squashfs_legacy import write_squashfs3  # optional: see recipes.available

        out = job.output("rootfs.squashfs3")
        write_squashfs3(job.tree(self.rootfs), out, endian=self.endian, compression=self.compression, magic=self.magic)
        return out


@dataclass(frozen=True)
class Jffs2(FileSystem):
    endian: Literal["little", "big"] = "little"
    erase_block: int = 0x10000
    FORMATS = ("jffs2_new",)
    EXT = ".jffs2"

    def labels(self) -> tuple[str, ...]:
        return (f"jffs2-{self.endian[0]}e",)

    def build(self, job: Job) -> Path:
        out = job.output("rootfs.jffs2")
        flag = "-l" if self.endian == "little" else "-b"
        run(["mkfs.jffs2", "-r", job.tree(self.rootfs), "-o", out, "-e", str(self.erase_block), flag, "-U", "-q"])
        return out


@dataclass(frozen=True)
class UbiVolume(FileSystem):
    name: str = "rootfs"
    compression: Literal["lzo", "zlib", "none"] = "lzo"
    LABEL = "ubifs"
    FORMATS = ("ubifs",)
    EXT = ".ubifs"

    # NAND geometry: 2 KiB pages, 128 KiB erase blocks, UBI headers in the first two pages.
    MIN_IO: ClassVar[int] = 2048
    LEB_SIZE: ClassVar[int] = 126976

    def build(self, job: Job) -> Path:
        out = job.output(f"{self.name}.ubifs")
        tree = job.tree(self.rootfs)
        size = sum(p.lstat().st_size for p in tree.rglob("*"))
        max_lebs = 64 + 3 * size // self.LEB_SIZE
        argv: list[str | Path] = ["mkfs.ubifs", "-r", tree, "-o", out, "-m", str(self.MIN_IO)]
        argv += ["-e", str(self.LEB_SIZE), "-c", str(max_lebs), "-x", self.compression, "-U"]
        run(argv)
        _fix_ubifs_uuid(out, uuid.uuid5(uuid.NAMESPACE_URL, f"{job.recipe.name}/{self.name}").bytes)
        _fix_ubifs_times(out)
        return out


UBIFS_MAGIC = b"\x31\x18\x10\x06"


def _ubifs_crc(node: bytes | bytearray) -> int:
    """UBIFS's node CRC32: seeded with 0xFFFFFFFF, no final inversion."""
    return zlib.crc32(node[8:]) ^ 0xFFFFFFFF


def _fix_ubifs_times(image: Path) -> None:
    """mkfs.ubifs copies each inode's access and change times from the host, where the change time is
    whenever the build ran: pin them in every inode node (type 0) and redo that node's CRC."""
    data = bytearray(image.read_bytes())
    offset = 0
    while (offset := data.find(UBIFS_MAGIC, offset)) >= 0:
        length = struct.unpack_from("<I", data, offset + 16)[0] if offset + 24 <= len(data) else 0
        node = data[offset : offset + length]
        valid = offset % 8 == 0 and 24 <= length == len(node)
        if valid and struct.unpack_from("<I", node, 4)[0] == _ubifs_crc(node) and node[20] == 0:
            struct.pack_into("<QQQIII", data, offset + 56, *(SOURCE_DATE_EPOCH,) * 3, 0, 0, 0)
            struct.pack_into("<I", data, offset + 4, _ubifs_crc(data[offset : offset + length]))
        offset += 8 if valid else 1
    image.write_bytes(bytes(data))


def _fix_ubifs_uuid(image: Path, fixed: bytes) -> None:
    """mkfs.ubifs draws a random UUID: overwrite it in the superblock node and redo that node's CRC
    (UBIFS's CRC32 starts at 0xFFFFFFFF and skips the final inversion)."""
    data = bytearray(image.read_bytes())
    length = struct.unpack_from("<I", data, 16)[0]
    data[108:124] = fixed
    struct.pack_into("<I", data, 4, _ubifs_crc(data[:length]))
    image.write_bytes(bytes(data))


@dataclass(frozen=True)
class Ubi(Node):
    volumes: tuple[UbiVolume, ...] = (UbiVolume(),)
    LABEL = "ubi"
    FORMATS = ("ubi",)
    EXT = ".ubi"

    def children(self) -> tuple[Node, ...]:
        return self.volumes

    def build(self, job: Job) -> Path:
        sections = []
        for number, volume in enumerate(self.volumes):
            image = volume.build(job)
            flags = "vol_flags=autoresize\n" if number == len(self.volumes) - 1 else ""
            sections.append(
                f"[{volume.name}]\nmode=ubi\nimage={image}\nvol_id={number}\nvol_type=dynamic\n"
                f"vol_name={volume.name}\n{flags}"
            )
        ini = job.output("ubinize.ini")
        ini.write_text("\n".join(sections))
        out = job.output("flash.ubi")
        sequence = int.from_bytes(hashlib.sha256(job.recipe.name.encode()).digest()[:4]) or 1
        run(["ubinize", "-o", out, "-m", "2048", "-p", "128KiB", "-Q", str(sequence), ini])
        return out


@dataclass(frozen=True)
class Ext(FileSystem):
    version: Literal[2, 4] = 4
    FORMATS = ("extfs",)

    def labels(self) -> tuple[str, ...]:
        return (f"ext{self.version}",)

    def ext(self) -> str:
        return f".ext{self.version}"

    def build(self, job: Job) -> Path:
        out = job.output(f"rootfs.ext{self.version}")
        tree = job.tree(self.rootfs)
        block = 1024 if self.version == 2 else 4096
        entries = list(tree.rglob("*"))
        used = sum(-(-p.lstat().st_size // block) * block + block for p in entries)
        size_kib = (used * 13 // 10) // 1024 + (6144 if self.version == 4 else 1024)
        ids = [uuid.uuid5(uuid.NAMESPACE_URL, f"{job.recipe.name}/{part}") for part in ("fs", "hash")]
        argv: list[str | Path] = ["mke2fs", "-q", "-F", "-t", f"ext{self.version}", "-b", str(block)]
        argv += ["-d", tree, "-U", str(ids[0]), "-E", f"hash_seed={ids[1]},root_owner=0:0"]
        argv += ["-N", str(len(entries) + 64), "-m", "0", "-L", self.rootfs, "-I", "256", out, f"{size_kib}k"]
        run(argv, env={"E2FSPROGS_FAKE_TIME": str(SOURCE_DATE_EPOCH)})
        _fix_ext_times(out, ["/", "/lost+found", *("/" + e.name for e in archives.tree_entries(tree))])
        return out


def _fix_ext_times(image: Path, paths: list[str]) -> None:
    """mke2fs -d copies each inode's access, change and creation times from the host, where the change
    time is whenever the build ran: pin them all with debugfs."""
    commands = [
        f'sif "{path}" {field_} {value}'
        for path in paths
        for field_, value in (
            ("atime", f"@{SOURCE_DATE_EPOCH}"),
            ("ctime", f"@{SOURCE_DATE_EPOCH}"),
            ("crtime", f"@{SOURCE_DATE_EPOCH}"),
            ("atime_extra", "0"),
            ("ctime_extra", "0"),
            ("mtime_extra", "0"),
            ("crtime_extra", "0"),
        )
    ]
    script = image.with_suffix(".debugfs")
    script.write_text("\n".join(commands) + "\n")
    run(["debugfs", "-w", "-f", script, image], env={"E2FSPROGS_FAKE_TIME": str(SOURCE_DATE_EPOCH)})


@dataclass(frozen=True)
class Cramfs(FileSystem):
    LABEL = "cramfs"
    FORMATS = ("cramfs",)
    EXT = ".cramfs"

    def build(self, job: Job) -> Path:
        out = job.output("rootfs.cramfs")
        run(["mkfs.cramfs", "-N", "little", "-n", self.rootfs, job.tree(self.rootfs), out])
        return out


@dataclass(frozen=True)
class Romfs(FileSystem):
    LABEL = "romfs"
    MODES_PRESERVED = False  # romfs keeps a file's type and executable bit, no more
    FORMATS = ("romfs",)
    EXT = ".romfs"

    def build(self, job: Job) -> Path:
        out = job.output("rootfs.romfs")
        run(["genromfs", "-f", out, "-d", job.tree(self.rootfs), "-V", self.rootfs])
        return out


@dataclass(frozen=True)
class Cpio(FileSystem):
    format: Literal["newc", "odc"] = "newc"
    EXT = ".cpio"

    def labels(self) -> tuple[str, ...]:
        return (f"cpio-{self.format}",)

    def formats(self) -> tuple[str, ...]:
        return ("cpio_portable_ascii",) if self.format == "newc" else ("cpio_portable_old_ascii",)

    def build(self, job: Job) -> Path:
        out = job.output("rootfs.cpio")
        with open(out, "wb") as handle:
            archives.write_cpio(archives.tree_entries(job.tree(self.rootfs)), handle, self.format)
        return out


@dataclass(frozen=True)
class Tar(FileSystem):
    LABEL = "tar"
    FORMATS = ("tar",)
    EXT = ".tar"

    def build(self, job: Job) -> Path:
        out = job.output("rootfs.tar")
        with open(out, "wb") as handle:
            archives.write_tar(archives.tree_entries(job.tree(self.rootfs)), handle)
        return out

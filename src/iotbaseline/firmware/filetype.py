"""What a file is, from its first bytes: the classification later checks dispatch on.

Fast and dependency-free on purpose: it runs on every extracted file, and the checks need a few
precise kinds (ELF with its CPU, script, text, key material, container), not libmagic's prose.
"""

import struct
from dataclasses import dataclass, field
from enum import StrEnum

HEAD_SIZE = 4096


class FileKind(StrEnum):
    EMPTY = "empty"
    ELF = "elf"
    SCRIPT = "script"
    TEXT = "text"
    PEM = "pem"
    DER = "der"
    OPENSSH_KEY = "openssh-key"
    ARCHIVE = "archive"
    COMPRESSED = "compressed"
    FILESYSTEM = "filesystem"
    FIRMWARE_HEADER = "firmware-header"
    IMAGE = "image"
    DATA = "data"


CONTAINER_KINDS = frozenset(
    {FileKind.ARCHIVE, FileKind.COMPRESSED, FileKind.FILESYSTEM, FileKind.FIRMWARE_HEADER, FileKind.DATA}
)
# Formats whose magic is long or specific enough that a file starting with it and left unopened
# is worth reporting as damaged (two-byte magics such as ext's or lzma's match random data).
STRONG_MAGIC_FORMATS = frozenset(
    {
        "gzip", "xz", "zstd", "lz4", "bzip2", "lzop", "zip", "7z", "rar", "cpio-newc", "cpio-crc", "cpio-odc",
        "tar", "squashfs", "jffs2", "ubi", "ubifs", "cramfs", "romfs", "uimage", "trx",
    }
)  # fmt: skip


@dataclass(frozen=True)
class FileType:
    kind: FileKind
    detail: dict[str, str | int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, str | int]:
        return {"kind": self.kind.value, **self.detail}


# (offset, magic, kind, format name): checked in order, first match wins.
_MAGICS: tuple[tuple[int, bytes, FileKind, str], ...] = (
    (0, b"\x1f\x8b", FileKind.COMPRESSED, "gzip"),
    (0, b"\xfd7zXZ\x00", FileKind.COMPRESSED, "xz"),
    (0, b"\x28\xb5\x2f\xfd", FileKind.COMPRESSED, "zstd"),
    (0, b"\x04\x22\x4d\x18", FileKind.COMPRESSED, "lz4"),
    (0, b"\x02\x21\x4c\x18", FileKind.COMPRESSED, "lz4-legacy"),
    (0, b"BZh", FileKind.COMPRESSED, "bzip2"),
    (0, b"\x89LZO\x00", FileKind.COMPRESSED, "lzop"),
    (0, b"]\x00\x00", FileKind.COMPRESSED, "lzma"),
    (0, b"PK\x03\x04", FileKind.ARCHIVE, "zip"),
    (0, b"7z\xbc\xaf\x27\x1c", FileKind.ARCHIVE, "7z"),
    (0, b"Rar!", FileKind.ARCHIVE, "rar"),
    (0, b"070701", FileKind.ARCHIVE, "cpio-newc"),
    (0, b"070702", FileKind.ARCHIVE, "cpio-crc"),
    (0, b"070707", FileKind.ARCHIVE, "cpio-odc"),
    (0, b"\xc7\x71", FileKind.ARCHIVE, "cpio-binary"),
    (0, b"\x71\xc7", FileKind.ARCHIVE, "cpio-binary"),
    (257, b"ustar", FileKind.ARCHIVE, "tar"),
    (0, b"!<arch>\n", FileKind.ARCHIVE, "ar"),
    (0, b"hsqs", FileKind.FILESYSTEM, "squashfs"),
    (0, b"sqsh", FileKind.FILESYSTEM, "squashfs"),
    (0, b"shsq", FileKind.FILESYSTEM, "squashfs"),
    (0, b"qshs", FileKind.FILESYSTEM, "squashfs"),
    (0, b"sqlz", FileKind.FILESYSTEM, "squashfs"),
    # JFFS2: node magic 0x1985 then a node type (dirent, inode, cleanmarker, padding), either endian.
    (0, b"\x85\x19\x01\xe0", FileKind.FILESYSTEM, "jffs2"),
    (0, b"\x85\x19\x02\xe0", FileKind.FILESYSTEM, "jffs2"),
    (0, b"\x85\x19\x03\x20", FileKind.FILESYSTEM, "jffs2"),
    (0, b"\x85\x19\x04\x20", FileKind.FILESYSTEM, "jffs2"),
    (0, b"\x19\x85\xe0\x01", FileKind.FILESYSTEM, "jffs2"),
    (0, b"\x19\x85\xe0\x02", FileKind.FILESYSTEM, "jffs2"),
    (0, b"\x19\x85\x20\x03", FileKind.FILESYSTEM, "jffs2"),
    (0, b"\x19\x85\x20\x04", FileKind.FILESYSTEM, "jffs2"),
    (0, b"UBI#", FileKind.FILESYSTEM, "ubi"),
    (0, b"\x31\x18\x10\x06", FileKind.FILESYSTEM, "ubifs"),
    (0, b"E=\xcd\x28", FileKind.FILESYSTEM, "cramfs"),
    (0, b"\x28\xcd=E", FileKind.FILESYSTEM, "cramfs"),
    (0, b"-rom1fs-", FileKind.FILESYSTEM, "romfs"),
    (0x438, b"\x53\xef", FileKind.FILESYSTEM, "ext"),
    (0, b"\x27\x05\x19\x56", FileKind.FIRMWARE_HEADER, "uimage"),
    (0, b"\xd0\x0d\xfe\xed", FileKind.FIRMWARE_HEADER, "fdt"),
    (0, b"HDR0", FileKind.FIRMWARE_HEADER, "trx"),
    (0, b"\x89PNG\r\n\x1a\n", FileKind.IMAGE, "png"),
    (0, b"\xff\xd8\xff", FileKind.IMAGE, "jpeg"),
    (0, b"GIF8", FileKind.IMAGE, "gif"),
)

_ELF_MACHINES = {
    2: "sparc",
    3: "x86",
    8: "mips",
    20: "powerpc",
    21: "powerpc64",
    40: "arm",
    42: "superh",
    62: "x86-64",
    183: "aarch64",
    243: "riscv",
    94: "xtensa",
    164: "hexagon",
    258: "loongarch",
}
_ELF_TYPES = {1: "relocatable", 2: "executable", 3: "shared-object", 4: "core"}
_PRIVATE_KEY_MARKERS = (b"-----BEGIN OPENSSH PRIVATE KEY-----",)


def classify(head: bytes, size: int) -> FileType:
    """Classify a file from its first HEAD_SIZE bytes (`head`) and its full size."""
    if size == 0:
        return FileType(FileKind.EMPTY)
    if head.startswith(b"\x7fELF"):
        return _elf(head)
    if head.startswith(b"#!"):
        interpreter = head[2:].split(b"\n", 1)[0].strip().split(b" ", 1)[0]
        return FileType(FileKind.SCRIPT, {"interpreter": interpreter.decode("latin-1")})
    for marker in _PRIVATE_KEY_MARKERS:
        if head.lstrip().startswith(marker):
            return FileType(FileKind.OPENSSH_KEY)
    for offset, magic, kind, name in _MAGICS:
        if head[offset : offset + len(magic)] == magic:
            return FileType(kind, {"format": name})
    if b"-----BEGIN " in head and _is_text(head):
        return FileType(FileKind.PEM)
    if _looks_like_der(head, size):
        return FileType(FileKind.DER)
    if _is_text(head):
        return FileType(FileKind.TEXT)
    return FileType(FileKind.DATA)


def _elf(head: bytes) -> FileType:
    if len(head) < 20 or head[4] not in (1, 2) or head[5] not in (1, 2):
        return FileType(FileKind.DATA, {"format": "truncated-elf"})
    bits = 32 if head[4] == 1 else 64
    endian = "<" if head[5] == 1 else ">"
    elf_type, machine = struct.unpack_from(endian + "HH", head, 16)
    return FileType(
        FileKind.ELF,
        {
            "arch": _ELF_MACHINES.get(machine, f"machine-{machine}"),
            "bits": bits,
            "endian": "little" if endian == "<" else "big",
            "elf_type": _ELF_TYPES.get(elf_type, f"type-{elf_type}"),
        },
    )


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the head is still text.
        return error.start >= len(head) - 3
    return True


def _looks_like_der(head: bytes, size: int) -> bool:
    """An ASN.1 SEQUENCE whose declared length is exactly the file: keys and certificates."""
    if len(head) < 4 or head[0] != 0x30:
        return False
    first = head[1]
    if first < 0x80:
        return 2 + first == size and size > 16
    count = first & 0x7F
    if count not in (1, 2, 3) or len(head) < 2 + count:
        return False
    length = int.from_bytes(head[2 : 2 + count], "big")
    return 2 + count + length == size

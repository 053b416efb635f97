"""Which extracted files unblob should look into.

unblob examines every extracted file: libmagic twice, three hashes, a multi-pattern scan for
embedded chunks. Inside a root filesystem most files are programs, libraries, scripts and
configuration that hold no container, and that work was most of the extraction time of our 61 MB
benchmark image. A file is handed to unblob when it may hold a container: compressed, archive,
filesystem, firmware header, or unrecognised binary data; and ELF files outside a root filesystem
(a kernel with its initramfs built in). Compressed documentation (man pages, changelogs under
usr/share/doc, man, info) is not unpacked: a Debian-built rootfs holds hundreds of them and they
carry no configuration, credentials or code. Everything else is still extracted, and indexed,
hashed and typed by us; it is only not carved.
"""

import os
from pathlib import Path

from iotbaseline.firmware.filetype import HEAD_SIZE, FileKind, classify

_DOCUMENTATION = (("usr", "share", "doc"), ("usr", "share", "man"), ("usr", "share", "info"))
_NEVER_CONTAINERS = frozenset(
    {
        FileKind.EMPTY,
        FileKind.TEXT,
        FileKind.SCRIPT,
        FileKind.PEM,
        FileKind.DER,
        FileKind.OPENSSH_KEY,
        FileKind.IMAGE,
    }
)


class VisitPolicy:
    def __init__(self, extract_root: Path) -> None:
        self._root = extract_root.resolve()
        self._root_like: dict[Path, bool] = {}

    def worth_carving(self, path: Path) -> bool:
        """Folders always (they are walked); files by what their first bytes say."""
        try:
            if path.is_symlink():
                return False
            if not path.is_file():
                return True
            with path.open("rb") as stream:
                head = stream.read(HEAD_SIZE)
                size = os.fstat(stream.fileno()).st_size
        except OSError:
            return True  # let unblob meet and report the problem
        kind = classify(head, size).kind
        if kind in _NEVER_CONTAINERS or _is_documentation(path):
            return False
        if kind is FileKind.ELF:
            return not self._inside_root_filesystem(path)
        return True

    def _inside_root_filesystem(self, path: Path) -> bool:
        for folder in path.parents:
            if folder == self._root or not folder.is_relative_to(self._root):
                return False
            if self._looks_like_root(folder):
                return True
        return False

    def _looks_like_root(self, folder: Path) -> bool:
        known = self._root_like.get(folder)
        if known is None:
            programs = any((folder / name).is_dir() for name in ("bin", "sbin", "usr", "lib"))
            known = self._root_like[folder] = (folder / "etc").is_dir() and programs
        return known


def _is_documentation(path: Path) -> bool:
    parts = path.parts
    return any(parts[i : i + 3] == marker for marker in _DOCUMENTATION for i in range(len(parts) - 2))

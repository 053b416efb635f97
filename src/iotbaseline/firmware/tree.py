"""FirmwareTree: the index of everything extracted from an image, and the only way checks read it.

Every file appears once, with where it came from (container chain), its size, SHA-256 and kind,
and, when it lies in a Linux root filesystem, its path as the device sees it (`/etc/shadow`).
Reads never leave the output folder, and link resolution never leaves the root filesystem the
link belongs to: `/bin/sh -> busybox` resolves, `/etc/x -> ../../../../host` does not.
"""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from iotbaseline.firmware.filetype import FileType
from iotbaseline.firmware.origin import Layer
from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.secure_walk import EntryKind

MAX_LINK_HOPS = 40


class OutsideTreeError(ValueError):
    """A path that would lead out of the extracted tree."""


@dataclass(frozen=True)
class TreeFile:
    path: str
    """Relative to the output folder."""
    size: int
    sha256: str
    type: FileType
    mode: int
    """Permission, set-ID and sticky bits as the image declares them (`0600`, `04755`), not as the
    extracted file on disk has them (see declared_modes)."""
    origin: tuple[Layer, ...]
    rootfs: str | None = None
    device_path: str | None = None
    """Absolute path on the device, when the file lies in a root filesystem."""


@dataclass(frozen=True)
class TreeLink:
    path: str
    target: str
    """Inside a root filesystem: the absolute path on the device the link leads to (`/bin/sh`
    -> `/bin/busybox`). Outside one: the link text."""
    rootfs: str | None = None
    device_path: str | None = None


@dataclass(frozen=True)
class TreeSpecial:
    path: str
    kind: EntryKind
    device: tuple[int, int] | None
    mode: int
    device_path: str | None = None


class FirmwareTree:
    def __init__(
        self,
        root: Path,
        files: tuple[TreeFile, ...],
        links: tuple[TreeLink, ...],
        special: tuple[TreeSpecial, ...],
        directories: frozenset[str],
        rootfs: tuple[RootFilesystem, ...],
    ) -> None:
        self.root = root.resolve()
        self.files = files
        self.links = links
        self.special = special
        self.directories = directories
        self.rootfs = rootfs
        self._files = {f.path: f for f in files}
        self._links = {link.path: link for link in links}

    def file(self, path: str) -> TreeFile | None:
        return self._files.get(path)

    def files_in(self, rootfs: RootFilesystem) -> Iterator[TreeFile]:
        return (f for f in self.files if f.rootfs == rootfs.path)

    def open(self, path: str) -> BinaryIO:
        """Open an indexed file for streaming reads."""
        if path not in self._files:
            raise OutsideTreeError(f"{path!r} is not a file of this tree")
        full = self.root / path
        real = Path(os.path.realpath(full))
        if not real.is_relative_to(self.root):
            raise OutsideTreeError(f"{path!r} leads out of the tree")
        descriptor = os.open(real, os.O_RDONLY | os.O_NOFOLLOW)
        return os.fdopen(descriptor, "rb")

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        with self.open(path) as stream:
            return stream.read() if limit is None else stream.read(limit)

    def resolve(self, rootfs: RootFilesystem, device_path: str) -> TreeFile | None:
        """The file a program on the device reaches at `device_path`, following links the way
        the device's kernel would, but never outside `rootfs`."""
        parts = list(PurePosixPath("/", device_path).parts[1:])
        current: list[str] = []
        hops = 0
        while parts:
            name = parts.pop(0)
            if name in ("", "."):
                continue
            if name == "..":
                if current:
                    current.pop()
                continue
            candidate = _join(rootfs.path, *current, name)
            link = self._links.get(candidate)
            if link is None:
                current.append(name)
                continue
            hops += 1
            if hops > MAX_LINK_HOPS:
                return None
            target = PurePosixPath(link.target)
            if target.is_absolute():
                current = []
                parts = list(target.parts[1:]) + parts
            else:
                parts = list(target.parts) + parts
        return self._files.get(_join(rootfs.path, *current))


def _join(*parts: str) -> str:
    return "/".join(part for part in parts if part)

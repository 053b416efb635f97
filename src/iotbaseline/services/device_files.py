"""One root filesystem seen as the device sees it: files, links and folders by device path, bounded
text reads, shell globs and PATH look-ups (the `ImageFiles` a static shell run reads). Everything the
boot model reads goes through here, so no read leaves the root filesystem and none is unbounded."""

import fnmatch
import posixpath
from collections import defaultdict
from collections.abc import Sequence

from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree, OutsideTreeError, TreeFile
from iotbaseline.shell.files import has_glob, normalize

MAX_TEXT_BYTES = 512 * 1024
"""Init scripts and configs are small; anything larger is read only this far."""
MAX_GLOB_RESULTS = 512
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "[::]")  # noqa: S104 (recognised in configurations, never bound to)


def is_wildcard(address: str) -> bool:
    """`0.0.0.0`, `::`, `[::]`, with or without a port: every interface."""
    return address in WILDCARD_ADDRESSES or address.rsplit(":", 1)[0] in WILDCARD_ADDRESSES


class DeviceFiles:
    def __init__(self, tree: FirmwareTree, rootfs: RootFilesystem) -> None:
        self.tree = tree
        self.rootfs = rootfs
        self._files: dict[str, TreeFile] = {}
        self._links: dict[str, str] = {}
        self._children: dict[str, set[str]] = defaultdict(set)
        for file in tree.files_in(rootfs):
            if file.device_path:
                self._files[file.device_path] = file
                self._add_child(file.device_path)
        for link in tree.links:
            if link.rootfs == rootfs.path and link.device_path:
                self._links[link.device_path] = link.target
                self._add_child(link.device_path)
        prefix = rootfs.path + "/" if rootfs.path else ""
        nested = tuple(r.path + "/" for r in tree.rootfs if r.path != rootfs.path and r.path.startswith(prefix))
        for folder in tree.directories:
            if folder.startswith(prefix) and not folder.startswith(nested):
                self._add_child("/" + folder[len(prefix) :])
        self._texts: dict[str, str | None] = {}
        self.modes_known = any(f.mode & 0o111 for f in self._files.values())
        """False when the extraction kept no executable bit at all (modes were lost), so a test of
        `-x` would tell nothing."""

    def _add_child(self, device_path: str) -> None:
        parent, name = posixpath.split(device_path)
        while name:
            self._children[parent].add(name)
            parent, name = posixpath.split(parent)

    def file(self, device_path: str) -> TreeFile | None:
        """The regular file reached at `device_path`, links followed inside the root filesystem."""
        return self.tree.resolve(self.rootfs, normalize(device_path))

    def exists(self, device_path: str) -> bool:
        path = normalize(device_path)
        return path in self._files or path in self._links or path in self._children

    def is_dir(self, device_path: str) -> bool:
        return normalize(device_path) in self._children

    def link_target(self, device_path: str) -> str | None:
        """Where a link points (an absolute device path), or None when `device_path` is no link."""
        return self._links.get(normalize(device_path))

    def real_path(self, device_path: str) -> str | None:
        """The device path of the file a path reaches, links followed."""
        found = self.file(device_path)
        return found.device_path if found is not None else None

    def read_text(self, device_path: str) -> str | None:
        """The text of the file at `device_path` (links followed, at most MAX_TEXT_BYTES), or None."""
        path = normalize(device_path)
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    def _read(self, path: str) -> str | None:
        found = self.file(path)
        if found is None:
            return None
        try:
            data = self.tree.read_bytes(found.path, limit=MAX_TEXT_BYTES)
        except (OSError, OutsideTreeError):
            return None
        return data.decode("utf-8", "replace")

    def list_dir(self, device_path: str) -> list[str]:
        """Names in the folder (files, links and folders), sorted as the shell sorts them in C locale."""
        path = normalize(device_path)
        target = self._links.get(path)
        if target is not None and path not in self._children:
            path = normalize(target)
        return sorted(self._children.get(path, ()))

    def glob(self, pattern: str) -> list[str]:
        """Device paths matching a shell pattern (`/etc/rc.d/S??*`); none when nothing matches."""
        if not pattern.startswith("/"):
            return []
        found = ["/"]
        for part in normalize(pattern).split("/")[1:]:
            following: list[str] = []
            for base in found:
                if not has_glob(part):
                    candidate = posixpath.join(base, part)
                    if self.exists(candidate):
                        following.append(candidate)
                    continue
                following.extend(
                    posixpath.join(base, name)
                    for name in self.list_dir(base)
                    if fnmatch.fnmatchcase(name, part) and (part.startswith(".") or not name.startswith("."))
                )
            found = following[:MAX_GLOB_RESULTS]
        return found

    def is_executable(self, device_path: str) -> bool | None:
        """None when the file is missing. When the extraction lost every mode, a file in the image is
        taken as executable: the vendor shipped it so (a boot script is not disabled by a lost bit)."""
        found = self.file(device_path)
        if found is None:
            return None
        return bool(found.mode & 0o111) or not self.modes_known

    def find_program(self, word: str, search: Sequence[str]) -> str | None:
        """The device path a command word runs: itself when it names a path, else the first hit in `search`."""
        if "/" in word:
            path = normalize(word)
            return path if self.exists(path) else None
        for folder in search:
            candidate = f"{folder}/{word}"
            if candidate in self._files or candidate in self._links:
                return candidate
        return None

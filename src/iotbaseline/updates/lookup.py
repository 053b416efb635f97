"""What the update checks look up in an image's tree once its files are seen: a file or folder by
its device path in one root file system, whether a program is installed, the keys a file holds."""

import fnmatch
from pathlib import PurePosixPath

from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from iotbaseline.updates.findings import KeyFacts
from iotbaseline.updates.keys import MAX_KEY_FILE_BYTES, keys_in, weakness
from iotbaseline.updates.rules import UpdateRules

MAX_KEYS_IN_FOLDER = 64


class TreeLookup:
    def __init__(self, tree: FirmwareTree) -> None:
        self.tree = tree
        self._rootfs = {rootfs.path: rootfs for rootfs in tree.rootfs}

    def rootfs(self, name: str | None) -> RootFilesystem | None:
        return None if name is None else self._rootfs.get(name)

    def file(self, rootfs: str | None, device_path: str) -> TreeFile | None:
        found = self.rootfs(rootfs)
        return None if found is None else self.tree.resolve(found, device_path)

    def has_program(self, rootfs: str | None, names: frozenset[str], folders: tuple[str, ...]) -> bool:
        return any(self.file(rootfs, f"{folder}/{name}") is not None for folder in folders for name in sorted(names))

    def files_under(self, rootfs: str | None, folder: str) -> list[TreeFile]:
        prefix = folder.rstrip("/") + "/"
        return [
            f for f in self.tree.files if f.rootfs == rootfs and f.device_path and f.device_path.startswith(prefix)
        ][:MAX_KEYS_IN_FOLDER]

    def read(self, file: TreeFile, limit: int) -> bytes:
        try:
            return self.tree.read_bytes(file.path, limit=limit)
        except (OSError, ValueError):
            return b""

    def key_facts(self, rootfs: str | None, path: str, rules: UpdateRules) -> KeyFacts:
        """The keys at `path` (a file, or a folder of key files) in the root file system `rootfs`."""
        files = [found] if (found := self.file(rootfs, path)) is not None else self.files_under(rootfs, path)
        keys = tuple(key for f in files for key in keys_in(self.read(f, MAX_KEY_FILE_BYTES)))
        weak = next((reason for key in keys if (reason := weakness(key, rules)) is not None), None)
        return KeyFacts(path, bool(keys) or bool(files), keys, weak)


def glob_match(device_path: str, pattern: str) -> bool:
    """`*` within one folder name, as a shell glob of configuration files means."""
    parts, wanted = PurePosixPath(device_path).parts, PurePosixPath(pattern).parts
    return len(parts) == len(wanted) and all(fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True))

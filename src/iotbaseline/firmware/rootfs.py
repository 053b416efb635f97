"""Finding the Linux root filesystems in an extracted image.

An image may hold several (rootfs, recovery initramfs, a second firmware bank). A folder is a
root filesystem when it looks like `/` of a running Linux: an `etc` folder, a folder of programs,
and at least one mark of a booting system. A root filesystem nested in another one counts only
when it came out of a different container (a recovery image stored inside the rootfs), not when
it is just a subfolder of the same extraction (a chroot left in /usr/share).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from iotbaseline.firmware.secure_walk import Entry, EntryKind

_PROGRAM_DIRS = ("bin", "sbin", "usr")
_BOOT_MARKS = (
    "etc/passwd",
    "etc/inittab",
    "etc/init.d",
    "etc/rc.d",
    "etc/config",
    "etc/os-release",
    "etc/openwrt_release",
    "etc/systemd",
    "bin/busybox",
    "sbin/init",
    "lib",
)


@dataclass(frozen=True)
class RootFilesystem:
    path: str
    """Folder relative to the output folder; '' when the output folder itself is the root."""
    marks: tuple[str, ...]
    """The boot marks found, as evidence for the decision."""


def find_root_filesystems(entries: Iterable[Entry], layer_of: dict[str, str]) -> tuple[RootFilesystem, ...]:
    """`layer_of` maps a folder to the extraction folder it belongs to (its nearest `_extract`
    ancestor), to tell a separate container from a mere subfolder."""
    present = {entry.path for entry in entries}
    folders = sorted(
        (e.path for e in entries if e.kind is EntryKind.DIRECTORY),
        key=lambda p: (p.count("/"), p),
    )
    found: list[RootFilesystem] = []
    for folder in folders:
        marks = _boot_marks(folder, present)
        if marks is None:
            continue
        if any(_inside(folder, r.path) and layer_of.get(folder) == layer_of.get(r.path) for r in found):
            continue
        found.append(RootFilesystem(path=folder, marks=marks))
    return tuple(found)


def _boot_marks(folder: str, present: set[str]) -> tuple[str, ...] | None:
    def has(name: str) -> bool:
        return f"{folder}/{name}" in present

    if not has("etc") or not any(has(d) for d in _PROGRAM_DIRS):
        return None
    marks = tuple(mark for mark in _BOOT_MARKS if has(mark))
    return marks or None


def _inside(path: str, ancestor: str) -> bool:
    return PurePosixPath(ancestor) in PurePosixPath(path).parents

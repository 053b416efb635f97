"""Makes the output folder safe to read and lists what it holds, in one walk.

Extractors (ours, unblob's, and external programs) already refuse most tricks, and unblob rewrites
links after each extraction; this walk is the last line, because an extractor killed half-way
never reached that clean-up, and because the folder will be read by people and tools we do not
control. On disk it removes device nodes, FIFOs and sockets (they stay in the index, as image content),
links that lead out of the folder, and hard links shared with files outside it; it clears
set-user-ID and set-group-ID bits; it makes folders and files readable.
"""

import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from iotbaseline.firmware.incomplete import Incomplete, IncompleteKind


class EntryKind(StrEnum):
    FILE = "file"
    DIRECTORY = "directory"
    SYMLINK = "symlink"
    CHAR_DEVICE = "char-device"
    BLOCK_DEVICE = "block-device"
    FIFO = "fifo"
    SOCKET = "socket"


@dataclass(frozen=True)
class Entry:
    path: str
    """Relative to the output folder, with '/' separators."""
    kind: EntryKind
    size: int
    mode: int
    """Permission bits as found here, set-ID bits included, though they were cleared on disk. The
    indexer prefers the mode the image declares where the extraction recorded it (declared_modes):
    by now unblob's clean-up has added 0644 to every file."""
    link_text: str | None = None
    device: tuple[int, int] | None = None


@dataclass(frozen=True)
class WalkResult:
    entries: tuple[Entry, ...]
    incomplete: tuple[Incomplete, ...]


_SPECIAL_KINDS = {
    stat.S_IFCHR: EntryKind.CHAR_DEVICE,
    stat.S_IFBLK: EntryKind.BLOCK_DEVICE,
    stat.S_IFIFO: EntryKind.FIFO,
    stat.S_IFSOCK: EntryKind.SOCKET,
}
_SET_ID_BITS = stat.S_ISUID | stat.S_ISGID


def walk_output(root: Path, start: Path | None = None) -> WalkResult:
    """Walk `start` (by default all of `root`); paths are relative to `root`."""
    root = root.resolve()
    entries: list[Entry] = []
    incomplete: list[Incomplete] = []
    linked_files: dict[tuple[int, int], list[tuple[str, int]]] = {}
    stack = [start.resolve() if start is not None else root]
    if not stack[0].is_dir():
        return WalkResult(entries=(), incomplete=())
    if stack[0] != root and stack[0].is_dir() and not stack[0].is_symlink():
        entries.append(Entry(_relative(stack[0], root), EntryKind.DIRECTORY, 0, 0o755))
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scanner:
                children = sorted(scanner, key=lambda e: e.name)
        except OSError as error:
            incomplete.append(
                Incomplete(IncompleteKind.INTERNAL_ERROR, _relative(folder, root), f"unreadable folder: {error}")
            )
            continue
        for child in children:
            path = Path(child.path)
            relative = _relative(path, root)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            file_type = stat.S_IFMT(info.st_mode)
            mode = stat.S_IMODE(info.st_mode)
            if file_type == stat.S_IFDIR:
                if mode & 0o700 != 0o700:
                    path.chmod(mode | 0o700)
                entries.append(Entry(relative, EntryKind.DIRECTORY, 0, mode))
                stack.append(path)
            elif file_type == stat.S_IFLNK:
                entry, problem = _checked_link(path, relative, root, mode)
                if entry is not None:
                    entries.append(entry)
                if problem is not None:
                    incomplete.append(problem)
            elif file_type == stat.S_IFREG:
                if mode & _SET_ID_BITS or not mode & stat.S_IRUSR:
                    path.chmod((mode & ~_SET_ID_BITS) | stat.S_IRUSR)
                if info.st_nlink > 1:
                    linked_files.setdefault((info.st_dev, info.st_ino), []).append((relative, info.st_nlink))
                entries.append(Entry(relative, EntryKind.FILE, info.st_size, mode))
            else:
                kind = special_kind(info.st_mode)
                device = (os.major(info.st_rdev), os.minor(info.st_rdev)) if info.st_rdev else None
                # Content of the image (every rootfs has /dev/console), so it is indexed, not
                # reported; but a device node on the host would give access to the host's device.
                path.unlink()
                entries.append(Entry(relative, kind, 0, mode, device=device))
    removed = _remove_links_to_outside(root, linked_files)
    incomplete.extend(removed.values())
    kept = tuple(e for e in entries if e.path not in removed)
    return WalkResult(entries=kept, incomplete=tuple(incomplete))


def special_kind(mode: int) -> EntryKind:
    return _SPECIAL_KINDS.get(stat.S_IFMT(mode), EntryKind.SOCKET)


def _checked_link(path: Path, relative: str, root: Path, mode: int) -> tuple[Entry | None, Incomplete | None]:
    text = str(path.readlink())
    landing = None if Path(text).is_absolute() else Path(os.path.normpath(path.parent / text))
    if landing is not None and landing.is_relative_to(root):
        return Entry(relative, EntryKind.SYMLINK, 0, mode, link_text=text), None
    path.unlink()
    problem = Incomplete(
        IncompleteKind.LINK_ESCAPE,
        relative,
        f"symlink to {text!r} leads out of the output folder; removed from disk",
    )
    return None, problem


def _remove_links_to_outside(
    root: Path, linked_files: dict[tuple[int, int], list[tuple[str, int]]]
) -> dict[str, Incomplete]:
    """A file with more names than the folder holds shares its data with a file elsewhere on the
    host (an archive's hard link to /etc/passwd, say): writing to it would write there."""
    removed: dict[str, Incomplete] = {}
    for names in linked_files.values():
        if len(names) >= names[0][1]:
            continue
        for relative, _ in names:
            (root / relative).unlink()
            removed[relative] = Incomplete(
                IncompleteKind.LINK_ESCAPE,
                relative,
                "hard link shared with a file outside the output folder; removed from disk",
            )
    return removed


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()

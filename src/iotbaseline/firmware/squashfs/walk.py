"""Walking the directory tree: iterative, cycle-safe, and refusing names that could escape."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from iotbaseline.firmware.squashfs.errors import SquashfsError
from iotbaseline.firmware.squashfs.limits import ReaderLimits
from iotbaseline.firmware.squashfs.model import DirectoryInode, FormatReader, Inode, InodeRef
from iotbaseline.firmware.squashfs.problems import ProblemLog

ROOT = PurePosixPath(".")


@dataclass(frozen=True, slots=True)
class TreeEntry:
    path: PurePosixPath
    ref: InodeRef
    inode: Inode


def walk(fmt: FormatReader, root: InodeRef, problems: ProblemLog, limits: ReaderLimits) -> Iterator[TreeEntry]:
    """Yield the root, then every reachable entry, parents before children.

    A directory reached twice (a loop or a second link to it) is reported and not entered again, so
    even a hostile image cannot make this run forever; an explicit stack replaces recursion.
    """
    try:
        root_inode = fmt.read_inode(root)
    except SquashfsError as error:
        problems.add(f"root directory unreadable: {error}")
        return
    if not isinstance(root_inode, DirectoryInode):
        problems.add("root inode is not a directory")
        return
    yield TreeEntry(ROOT, root, root_inode)
    visited_directories = {root}
    stack: list[tuple[PurePosixPath, DirectoryInode, int]] = [(ROOT, root_inode, 0)]
    while stack:
        directory_path, directory, depth = stack.pop()
        listing = fmt.read_directory(directory)
        if listing.error:
            problems.add(f"directory listing incomplete: {listing.error}", str(directory_path))
        subdirectories: list[tuple[PurePosixPath, DirectoryInode, int]] = []
        for entry in listing.entries:
            name = _safe_name(entry.name)
            if name is None:
                problems.add(f"unsafe entry name {entry.name!r} skipped", str(directory_path))
                continue
            path = directory_path / name
            try:
                inode = fmt.read_inode(entry.ref)
            except SquashfsError as error:
                problems.add(f"inode unreadable: {error}", str(path))
                continue
            if isinstance(inode, DirectoryInode):
                if entry.ref in visited_directories:
                    problems.add("directory already visited (loop or hard-linked directory) skipped", str(path))
                    continue
                if depth + 1 > limits.max_depth:
                    problems.add(f"directory nesting deeper than {limits.max_depth} skipped", str(path))
                    continue
                visited_directories.add(entry.ref)
                subdirectories.append((path, inode, depth + 1))
            yield TreeEntry(path, entry.ref, inode)
        # Reversed so that the stack pops subdirectories in listing (sorted) order.
        stack.extend(reversed(subdirectories))


def _safe_name(raw: bytes) -> str | None:
    if not raw or b"/" in raw or b"\x00" in raw or raw in (b".", b".."):
        return None
    return os.fsdecode(raw)

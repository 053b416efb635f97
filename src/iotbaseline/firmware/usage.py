"""How much an output folder holds: bytes, entries, and the largest file (the likely bomb)."""

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FolderUsage:
    bytes: int
    entries: int
    largest_path: str
    largest_size: int


def measure_folder(root: Path) -> FolderUsage:
    """Apparent sizes, not allocated blocks: a sparse multi-gigabyte file still costs whoever
    reads it later, so it counts in full. Links are not followed."""
    total = entries = largest = 0
    largest_path = ""
    stack = [str(root)]
    while stack:
        try:
            scanner = os.scandir(stack.pop())
        except OSError:
            continue
        with scanner:
            for entry in scanner:
                entries += 1
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                        continue
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    size = entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
                total += size
                if size > largest:
                    largest, largest_path = size, entry.path
    return FolderUsage(bytes=total, entries=entries, largest_path=largest_path, largest_size=largest)

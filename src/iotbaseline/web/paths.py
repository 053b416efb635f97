"""An image named by its path, accepted only inside a folder allow-listed when the server started (`--allow-path`).

The path is resolved (every symbolic link followed, `..` folded) before the containment test, so a link inside
the folder that points out of it is refused like `../` is. What is scanned is the resolved path of a regular
file: not a folder, a device or a FIFO (which would hang the scan).
"""

import itertools
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_PATH_CHARS = 4096
MAX_LISTED = 200
MAX_SCANNED = 10_000


class PathRefused(Exception):
    """The path may not be scanned; the message says why without revealing what lies outside the folders."""


@dataclass(frozen=True)
class AllowedImage:
    path: Path
    """Resolved, inside an allow-listed folder."""
    size: int


def allowed_image(requested: str, roots: Sequence[Path]) -> AllowedImage:
    """`requested` is absolute, or relative to the first allow-listed folder."""
    if not roots:
        raise PathRefused("scanning by path is off: start the server with --allow-path FOLDER")
    text = requested.strip()
    if not text or len(text) > MAX_PATH_CHARS or "\x00" in text:
        raise PathRefused("give the path of an image inside an allowed folder")
    candidate = Path(text) if Path(text).is_absolute() else roots[0] / text
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):  # missing, a loop of links, unreadable
        raise PathRefused(_outside(roots)) from None
    if not any(resolved.is_relative_to(root) for root in roots):
        raise PathRefused(_outside(roots))
    try:
        info = resolved.stat()
    except OSError:
        raise PathRefused(_outside(roots)) from None
    if not stat.S_ISREG(info.st_mode):
        raise PathRefused(f"{text}: not a regular file")
    if not os.access(resolved, os.R_OK):
        raise PathRefused(f"{text}: not readable by the server")
    return AllowedImage(resolved, info.st_size)


def _outside(roots: Sequence[Path]) -> str:
    return "no such image inside the allowed folders (" + ", ".join(str(root) for root in roots) + ")"


def listed_images(roots: Sequence[Path], limit: int = MAX_LISTED) -> list[Path]:
    """Regular files directly in the allow-listed folders (not hidden, no links), to pick from; at most `limit`."""
    found: list[Path] = []
    for root in roots:
        try:
            with os.scandir(root) as scanner:  # a folder of millions of files is read only so far
                entries = sorted(itertools.islice(scanner, MAX_SCANNED), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if len(found) >= limit:
                return found
            if not entry.name.startswith(".") and entry.is_file(follow_symlinks=False):
                found.append(Path(entry.path))
    return found

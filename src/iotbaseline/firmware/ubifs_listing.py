"""The modes a UBIFS image declares, one JSON line `[path, st_mode]` per file on standard output.

    python -m iotbaseline.firmware.ubifs_listing IMAGE

unblob extracts UBIFS with `ubireader_extract_files`, which writes every file 0644 unless it may
also restore owners (`--keep-permissions`, root only): programs lose their executable and set-ID
bits. This reads the same index with ubireader's own walker and prints each inode's mode under
the path ubireader extracted it to. It runs in a process of its own (handlers/ubifs.py starts
it with a timeout): ubireader prints as it goes and ends the process on a fatal read error, and a
hostile index can keep it walking.
"""

import contextlib
import json
import stat
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from ubireader import settings
from ubireader.ubi_io import ubi_file
from ubireader.ubifs import ubifs, walk
from ubireader.utils import guess_leb_size

_ROOT_INODE = 1
_UNUSABLE_NAMES = ("", ".", "..")


def read_inodes(path: str) -> Mapping[int, Any]:
    leb_size = guess_leb_size(path)
    if not leb_size:
        raise ValueError("no UBIFS superblock")
    # As unblob runs the extractor (-w): a bad block is a warning, not the end of the walk.
    settings.warn_only_block_read_errors = True
    image = ubifs(ubi_file(path, leb_size))
    inodes: dict[int, Any] = {}
    walk.index(image, image.master_node.root_lnum, image.master_node.root_offs, inodes, [])
    return inodes


def declared_modes(inodes: Mapping[int, Any]) -> Iterator[tuple[str, int]]:
    """(path, mode) of every entry that is not a folder, by the names ubireader extracts them as;
    each folder is entered once, so a looping index ends."""
    pending = [(_ROOT_INODE, "")]
    entered = {_ROOT_INODE}
    while pending:
        number, prefix = pending.pop()
        for dent in inodes.get(number, {}).get("dent", []):
            name = dent.name
            inode = inodes.get(dent.inum, {}).get("ino")
            if inode is None or name in _UNUSABLE_NAMES or "/" in name or "\0" in name:
                continue
            if not stat.S_ISDIR(inode.mode):
                yield prefix + name, inode.mode
            elif dent.inum not in entered:
                entered.add(dent.inum)
                pending.append((dent.inum, f"{prefix}{name}/"))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} IMAGE", file=sys.stderr)
        return 2
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # ubireader's own messages
        inodes = read_inodes(argv[1])
    for path, mode in declared_modes(inodes):
        out.write(json.dumps([path, mode]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

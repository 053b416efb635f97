"""Caps that keep a hostile image from exhausting memory, disk or time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReaderLimits:
    # A directory listing is read into memory whole; real ones are far below this.
    max_listing_bytes: int = 32 << 20
    # Linux caps a symlink target at PATH_MAX (4096); SquashFS fields allow more.
    max_symlink_bytes: int = 4096
    # The block list of one file (4 bytes per block) is read into memory whole.
    max_blocks_per_file: int = 1 << 22
    max_depth: int = 256
    # Total bytes written for regular files; sparse holes are not written and do not count.
    max_output_bytes: int = 64 << 30
    # Beyond this many problems only a count is kept.
    max_problems: int = 10_000

"""Layout nodes for hostile images: archives with names and links that escape, bombs, deep nesting.

Every escaping name points at a unique path under /tmp (`/tmp/iotbaseline-pwned-<image>`), so a test
can prove it never appeared; nothing here points a write at a real system file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tests.corpus import archives
from tests.corpus.archives import Entry
from tests.corpus.layouts import Job, Node


def pwned(image: str, suffix: str = "") -> str:
    return f"/tmp/iotbaseline-pwned-{image}{suffix}"


@dataclass(frozen=True)
class EvilArchive(Node):
    """An archive written entry by entry, exactly as listed, however hostile the names."""

    container: Literal["tar", "zip", "cpio"]
    entries: tuple[Entry, ...]

    def labels(self) -> tuple[str, ...]:
        return ("cpio-newc",) if self.container == "cpio" else (self.container,)

    def formats(self) -> tuple[str, ...]:
        return ("cpio_portable_ascii",) if self.container == "cpio" else (self.container,)

    def ext(self) -> str:
        return "." + self.container

    def build(self, job: Job) -> Path:
        out = job.output("hostile." + self.container)
        with open(out, "wb") as handle:
            if self.container == "tar":
                archives.write_tar(self.entries, handle)
            elif self.container == "zip":
                archives.write_zip(self.entries, handle)
            else:
                archives.write_cpio(self.entries, handle, "newc")
        return out


@dataclass(frozen=True)
class GzipBomb(Node):
    """About 1 MiB of gzip that inflates to `size` zero bytes."""

    size: int = 1 << 30
    LABEL = "gzip"
    FORMATS = ("gzip",)
    EXT = ".bin.gz"

    def build(self, job: Job) -> Path:
        out = job.output("bomb.gz")
        out.write_bytes(archives.DeflatedZeros.make(self.size).gzip())
        return out


@dataclass(frozen=True)
class ZipBomb(Node):
    """A zip of `members` entries that each inflate to `member_size` zero bytes."""

    members: int = 16
    member_size: int = 64 << 20
    LABEL = "zip"
    FORMATS = ("zip",)
    EXT = ".zip"

    def build(self, job: Job) -> Path:
        zeros = archives.DeflatedZeros.make(self.member_size)
        out = job.output("bomb.zip")
        with open(out, "wb") as handle:
            archives.write_predeflated_zip(
                [(f"firmware/part{number:02d}.bin", zeros) for number in range(self.members)], handle
            )
        return out


@dataclass(frozen=True)
class Nested(Node):
    """`depth` layers alternating tar and gzip around one small text file; gzip outermost."""

    depth: int = 30
    EXT = ".tar.gz"

    def labels(self) -> tuple[str, ...]:
        return tuple("gzip" if level % 2 == 0 else "tar" for level in range(self.depth))

    def formats(self) -> tuple[str, ...]:
        return ("gzip", "tar")

    def build(self, job: Job) -> Path:
        name, data = "payload.txt", b"the innermost layer\n"
        for level in range(self.depth, 0, -1):
            if (self.depth - level) % 2 == 0:
                buffer = io.BytesIO()
                archives.write_tar([Entry(name, data=data)], buffer)
                name, data = f"level-{level:02d}.tar", buffer.getvalue()
            else:
                name, data = f"{name}.gz", archives.gzip_bytes(data)
        out = job.output("nested.tar.gz")
        out.write_bytes(data)
        return out

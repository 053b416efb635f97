"""How an image is packed: a tree of layout nodes, outermost first, e.g. Trx(UImage(Kernel()), SquashFS()).

Each node class declares its label in the ground truth's `layers`, the unblob handler names that should
see it, and a file extension; one `build` method writes its bytes. File-system nodes (filesystems.py)
pack a staged tree named by `rootfs`; boot nodes (boot.py) make kernels and U-Boot images; container
nodes (containers.py, hostile.py) wrap what their children built.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from tests.corpus.cache import Cache
from tests.corpus.model import Recipe


@dataclass
class Job:
    """One image being built: its recipe, scratch space, staged trees and the payloads seen so far."""

    recipe: Recipe
    cache: Cache
    work: Path
    trees: dict[str, Path]
    payloads: dict[str, str] = field(default_factory=dict)
    kernel: dict[str, str] = field(default_factory=dict)
    _made: int = 0

    def output(self, stem: str) -> Path:
        self._made += 1
        out = self.work / "out" / f"{self._made:02d}-{stem}"
        out.parent.mkdir(parents=True, exist_ok=True)
        return out

    def tree(self, name: str) -> Path:
        return self.trees[name]


class Node(ABC):
    LABEL: ClassVar[str] = ""  # its name in `layers`; "" for parts that are no container (a kernel)
    FORMATS: ClassVar[tuple[str, ...]] = ()  # unblob handler names an extraction reports for it
    EXT: ClassVar[str] = ".bin"
    OPAQUE: ClassVar[bool] = False  # its handler unpacks the children itself: no formats of theirs

    def children(self) -> tuple[Node, ...]:
        return ()

    def labels(self) -> tuple[str, ...]:
        return (self.LABEL,) if self.LABEL else ()

    def formats(self) -> tuple[str, ...]:
        return self.FORMATS

    def ext(self) -> str:
        return self.EXT

    @abstractmethod
    def build(self, job: Job) -> Path: ...


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children():
        yield from walk(child)


def layers(node: Node) -> list[str]:
    """The container chain, outermost first."""
    return [label for n in walk(node) for label in n.labels()]


def formats(node: Node) -> list[str]:
    """The handlers an extraction should report for the whole tree."""
    found = set(node.formats())
    if not node.OPAQUE:
        for child in node.children():
            found.update(formats(child))
    return sorted(found)


def trees(node: Node) -> list[str]:
    return list(dict.fromkeys(n.rootfs for n in walk(node) if isinstance(n, FileSystem)))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileSystem(Node):
    rootfs: str = field(default="rootfs", kw_only=True)  # which staged tree to pack
    MODES_PRESERVED: ClassVar[bool] = True

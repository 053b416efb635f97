"""Where built images live, when they are stale, and how two builders share the cache safely."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BUILDER_DIR = Path(__file__).resolve().parent
DEFAULT_ROOT = BUILDER_DIR / ".cache"
# Builder modules only some recipes use; they enter those recipes' keys instead (see build.recipe_key).
OPTIONAL_MODULES = frozenset({"squashfs_legacy.py"})


@dataclass(frozen=True)
class Cache:
    """Images and their truth under `root`; downloaded packages under `debs` (shareable between caches)."""

    root: Path
    debs: Path

    @classmethod
    def default(cls) -> Cache:
        root = Path(os.environ.get("IOTBASELINE_CORPUS_CACHE") or DEFAULT_ROOT)
        return cls(root=root, debs=root / "debs")

    def image(self, name: str, ext: str) -> Path:
        return self.root / f"{name}{ext}"

    def truth(self, name: str) -> Path:
        return self.root / f"{name}.truth.json"

    def stamp(self, name: str) -> Path:
        return self.root / f"{name}.key"

    def work(self, name: str) -> Path:
        """A private scratch directory for one build (pid-unique, so a crashed build never collides)."""
        return self.root / "work" / f"{name}.{os.getpid()}"

    def lock(self, name: str) -> contextlib.AbstractContextManager[None]:
        """An exclusive lock on building the image `name`, across processes."""
        return _flock(self.root / "locks" / f"{name}.lock")

    def debs_lock(self) -> contextlib.AbstractContextManager[None]:
        """An exclusive lock on the package store, which several caches may share."""
        return _flock(self.debs / ".lock")


@contextlib.contextmanager
def _flock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@functools.cache
def builder_digest() -> str:
    """Hash of every builder source and template: any edit to the builder invalidates every image."""
    digest = hashlib.sha256()
    for path in sorted(BUILDER_DIR.rglob("*")):
        relative = path.relative_to(BUILDER_DIR)
        if relative.parts[0] in {".cache", "__pycache__"} or path.is_dir() or path.suffix == ".pyc":
            continue
        if str(relative) in OPTIONAL_MODULES:
            continue
        digest.update(str(relative).encode() + b"\0")
        if path.is_symlink():
            digest.update(str(path.readlink()).encode())
        else:
            digest.update(path.read_bytes())
        digest.update(b"%o\0" % (path.lstat().st_mode & 0o111))
    return digest.hexdigest()


def cache_key(recipe_repr: str) -> str:
    """The build key of one image: its recipe (a deterministic dataclass repr) plus the builder sources."""
    return hashlib.sha256(f"{builder_digest()}\n{recipe_repr}".encode()).hexdigest()


def replace_atomically(source: Path, destination: Path) -> None:
    """Move a finished file into place so that readers see the old file or the new one, never half."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    source.replace(destination)

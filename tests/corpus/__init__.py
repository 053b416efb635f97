"""The test corpus: realistic firmware images built from real Debian binaries, with ground truth.

    build_image(name) -> Path         the image, built and cached on first use
    ground_truth(name) -> dict        what the image holds (NAME.truth.json beside it)
    IMAGES, HOSTILE                   the names of the normal and the hostile images
    build_all(jobs=2)                 build everything (python -m tests.corpus build)

The cache is tests/corpus/.cache, or $IOTBASELINE_CORPUS_CACHE; an image is rebuilt only when its
recipe or the builder changed. Building may download Debian packages once; nothing else does.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from tests.corpus import build, debs, stage
from tests.corpus.cache import Cache
from tests.corpus.model import Recipe
from tests.corpus.recipes import BY_NAME, DEVICE_IMAGES, HOSTILE_IMAGES, available
from tests.corpus.tools import CorpusError

__all__ = ["HOSTILE", "IMAGES", "CorpusError", "build_all", "build_image", "ground_truth"]

IMAGES: tuple[str, ...] = tuple(r.name for r in DEVICE_IMAGES if available(r))
HOSTILE: tuple[str, ...] = tuple(r.name for r in HOSTILE_IMAGES if available(r))


def recipe(name: str) -> Recipe:
    if name not in BY_NAME:
        raise CorpusError(f"no corpus image named {name!r}; see `python -m tests.corpus list`")
    found = BY_NAME[name]
    if not available(found):
        raise CorpusError(f"{name} needs tests/corpus/{found.requires}.py, which is not there yet")
    return found


def build_image(name: str) -> Path:
    """Path of the image `name`, building it first if it is not cached or is stale."""
    return build.build(recipe(name), Cache.default())


def ground_truth(name: str) -> dict[str, Any]:
    build_image(name)
    truth: dict[str, Any] = json.loads(Cache.default().truth(name).read_text())
    return truth


def build_all(jobs: int = 2, names: tuple[str, ...] | None = None) -> None:
    """Build the given images (default: all) on `jobs` processes, after one round of downloads."""
    chosen = [recipe(name) for name in (names if names is not None else IMAGES + HOSTILE)]
    cache = Cache.default()
    debs.ensure(cache, {pair for r in chosen for pair in stage.packages_needed(r)})
    stale = [r.name for r in chosen if not build.is_fresh(r, cache)]
    stale.sort(key=lambda name: not name.startswith("bench-"))  # the longest build first
    if jobs <= 1 or len(stale) <= 1:
        for name in stale:
            build_image(name)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(build_image, stale))

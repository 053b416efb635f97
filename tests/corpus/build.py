"""Build one image into a cache: stage its trees, pack them, write the truth; skip it when fresh.

A build happens under the image's lock in a private scratch folder; the image, then its truth, then
the stamp holding its key are moved into place, so a concurrent reader never sees half of one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.corpus import debs, layouts, stage, truth
from tests.corpus.cache import BUILDER_DIR, Cache, cache_key
from tests.corpus.model import Recipe
from tests.corpus.tools import CorpusError


def image_path(recipe: Recipe, cache: Cache) -> Path:
    return cache.image(recipe.name, recipe.layout.ext())


def recipe_key(recipe: Recipe) -> str:
    """The recipe's build key. An optional builder module (another engineer's work in progress) counts
    only for the recipes that need it, so that editing it does not rebuild the whole corpus."""
    extra = ""
    if recipe.requires:
        module = BUILDER_DIR / f"{recipe.requires}.py"
        extra = hashlib.sha256(module.read_bytes()).hexdigest() if module.exists() else "absent"
    return cache_key(repr(recipe) + extra)


def is_fresh(recipe: Recipe, cache: Cache) -> bool:
    stamp = cache.stamp(recipe.name)
    return (
        stamp.exists()
        and stamp.read_text() == recipe_key(recipe)
        and image_path(recipe, cache).exists()
        and cache.truth(recipe.name).exists()
    )


def build(recipe: Recipe, cache: Cache) -> Path:
    """The image of `recipe` in `cache`, built first if missing or stale."""
    image = image_path(recipe, cache)
    if is_fresh(recipe, cache):
        return image
    with cache.lock(recipe.name):
        if is_fresh(recipe, cache):  # another process built it while we waited
            return image
        debs.ensure(cache, stage.packages_needed(recipe))
        for stale in cache.work(recipe.name).parent.glob(f"{recipe.name}.*"):  # left by a killed build
            shutil.rmtree(stale, ignore_errors=True)
        work = cache.work(recipe.name)
        try:
            _build_in(recipe, cache, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return image


def stage_trees(recipe: Recipe, cache: Cache, where: Path) -> dict[str, stage.Staged]:
    """Stage every tree the recipe's layout packs (also used by tests to check the truth)."""
    return {name: stage.stage_rootfs(recipe, cache, name, where / name) for name in layouts.trees(recipe.layout)}


def _build_in(recipe: Recipe, cache: Cache, work: Path) -> None:
    staged = stage_trees(recipe, cache, work / "trees")
    job = layouts.Job(recipe, cache, work, {name: tree.root for name, tree in staged.items()})
    built = recipe.layout.build(job)
    image = image_path(recipe, cache)
    finished = work / image.name
    built.replace(finished)
    facts = truth.ground_truth(recipe, job, staged, finished, layouts.sha256_file(finished))
    truth_file = work / "truth.json"
    truth_file.write_text(json.dumps(facts, indent=1, sort_keys=False) + "\n")
    if not recipe.hostile and not facts["rootfs"]:
        raise CorpusError(f"{recipe.name}: no root file system staged")
    cache.stamp(recipe.name).unlink(missing_ok=True)
    finished.replace(image)
    truth_file.replace(cache.truth(recipe.name))
    stamp = work / "key"
    stamp.write_text(recipe_key(recipe))
    stamp.replace(cache.stamp(recipe.name))

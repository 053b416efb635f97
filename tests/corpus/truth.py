"""The ground truth of an image: what was staged, how it was packed, what was planted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.corpus import archives, layouts
from tests.corpus.layouts import Job
from tests.corpus.model import Recipe
from tests.corpus.stage import Staged


def describe_tree(name: str, root: Path, *, modes_preserved: bool = True) -> dict[str, Any]:
    """Every regular file with its hash, size and mode; links, directories and device nodes."""
    files: dict[str, dict[str, Any]] = {}
    symlinks: dict[str, str] = {}
    dirs: list[str] = []
    special: list[dict[str, Any]] = []
    for entry in archives.tree_entries(root):
        if entry.kind == "file":
            assert entry.source is not None
            files[entry.name] = {
                "sha256": layouts.sha256_file(entry.source),
                "size": entry.source.stat().st_size,
                "mode": entry.mode,
            }
        elif entry.kind == "symlink":
            symlinks[entry.name] = entry.target
        elif entry.kind == "dir":
            dirs.append(entry.name)
        else:
            special.append(
                {"path": entry.name, "kind": entry.kind, "mode": entry.mode, "major": entry.major, "minor": entry.minor}
            )
    return {
        "name": name,
        "role": "root" if name == "rootfs" else "data",  # "data": a partition that is not a Linux root
        "modes_preserved": modes_preserved,
        "files": files,
        "symlinks": symlinks,
        "dirs": dirs,
        "special": special,
    }


def ground_truth(recipe: Recipe, job: Job, staged: dict[str, Staged], image: Path, sha256: str) -> dict[str, Any]:
    lossy = {
        n.rootfs for n in layouts.walk(recipe.layout) if isinstance(n, layouts.FileSystem) and not n.MODES_PRESERVED
    }
    hostile = recipe.hostile
    return {
        "name": recipe.name,
        "description": recipe.description,
        "arch": recipe.arch,
        "image": {"file": image.name, "size": image.stat().st_size, "sha256": sha256},
        "layers": layouts.layers(recipe.layout),
        "formats": layouts.formats(recipe.layout),
        "rootfs": [describe_tree(name, tree.root, modes_preserved=name not in lossy) for name, tree in staged.items()],
        "payloads": dict(sorted(job.payloads.items())),
        "kernel": job.kernel or None,
        "components": [c for tree in staged.values() for c in tree.components],
        "plants": [p for tree in staged.values() for p in tree.plants],
        "traps": [t for tree in staged.values() for t in tree.traps],
        "clean": recipe.clean,
        "hostile": None
        if hostile is None
        else {
            "expect": list(hostile.expect),
            "forbidden": list(hostile.forbidden),
            "max_output_bytes": hostile.max_output_bytes,
            "targets": list(hostile.targets),
        },
    }

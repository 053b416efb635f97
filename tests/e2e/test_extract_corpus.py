"""Every corpus image extracts to its ground truth; every hostile image stays contained."""

from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from iotbaseline.firmware.extract import ExtractionResult, extract_firmware
from iotbaseline.firmware.incomplete import IncompleteKind
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree
from iotbaseline.firmware.usage import measure_folder
from tests.corpus import HOSTILE, IMAGES, build_image, ground_truth

pytestmark = pytest.mark.e2e

# The corpus names what a hostile image attempts; these are the kinds we report it under.
EXPECTED_KINDS: dict[str, set[IncompleteKind]] = {
    "path-traversal": {IncompleteKind.PATH_TRAVERSAL},
    "absolute-path": {IncompleteKind.ABSOLUTE_PATH, IncompleteKind.PATH_TRAVERSAL},
    "symlink-escape": {IncompleteKind.LINK_ESCAPE, IncompleteKind.PATH_TRAVERSAL},
    "hardlink-escape": {IncompleteKind.LINK_ESCAPE, IncompleteKind.PATH_TRAVERSAL, IncompleteKind.CORRUPT},
    "budget": {IncompleteKind.BUDGET},
    "depth": {IncompleteKind.DEPTH},
    "truncated": {IncompleteKind.CORRUPT, IncompleteKind.EXTRACTOR_FAILED},
}


def device_target(link: str, target: str) -> str:
    """Where a link leads on the device, as an absolute path (`..` stops at `/`)."""
    return str(PurePosixPath("/", *_normalised(PurePosixPath("/", link).parent / target)))


def _normalised(path: PurePosixPath) -> list[str]:
    parts: list[str] = []
    for part in path.parts[1:]:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return parts


def matching_rootfs(tree: FirmwareTree, truth_files: dict[str, Any]) -> RootFilesystem:
    """The extracted root filesystem holding the most of the truth's files."""

    def score(rootfs: RootFilesystem) -> int:
        return sum(1 for path in truth_files if tree.resolve(rootfs, "/" + path) is not None)

    assert tree.rootfs, "no root filesystem found"
    return max(tree.rootfs, key=score)


@pytest.mark.parametrize("name", IMAGES)
def test_image_extracts_to_its_ground_truth(name: str, tmp_path: Path) -> None:
    truth = ground_truth(name)
    result = extract_firmware(build_image(name), tmp_path / "out")
    tree = result.tree

    roots = [r for r in truth["rootfs"] if r.get("role", "root") == "root"]
    assert len(tree.rootfs) >= len(roots)
    for expected in truth["rootfs"]:
        if expected.get("role", "root") != "root":
            _check_data_partition(name, tree, expected)
            continue
        rootfs = matching_rootfs(tree, expected["files"])
        for path, meta in expected["files"].items():
            found = tree.resolve(rootfs, "/" + path)
            assert found is not None, f"{name}: /{path} missing"
            assert found.sha256 == meta["sha256"], f"{name}: /{path} content differs"
        links = {link.device_path: link.target for link in tree.links if link.rootfs == rootfs.path}
        for path, target in expected["symlinks"].items():
            assert links.get("/" + path) == device_target(path, target), f"{name}: link /{path}"
        specials = {s.device_path for s in tree.special}
        for special in expected.get("special", []) if not _drops_special_files(truth) else []:
            assert "/" + special["path"] in specials, f"{name}: special /{special['path']}"
    seen = {f.format for f in result.formats}
    assert set(truth["formats"]) <= seen, f"{name}: formats {seen}"
    assert not _unexpected_incomplete(result), f"{name}: {result.incomplete}"


def _check_data_partition(name: str, tree: FirmwareTree, expected: dict[str, Any]) -> None:
    """A partition that is no root filesystem (a UBI data volume): its files by content."""
    by_suffix = {f.path: f.sha256 for f in tree.files}
    for path, meta in expected["files"].items():
        hits = [sha for extracted, sha in by_suffix.items() if extracted.endswith("/" + path)]
        assert meta["sha256"] in hits, f"{name}: data file {path} missing or different"


# Extractors unblob runs that do not carry device nodes or FIFOs over, so our index cannot list
# them: a known gap, not a silent one (the rest of each image is checked in full).
DROPS_SPECIAL_FILES = {
    "jffs2": "jefferson skips FIFOs",
    "ext": "debugfs rdump skips device nodes and FIFOs",
}


def _drops_special_files(truth: dict[str, Any]) -> bool:
    return any(layer.startswith(fmt) for layer in truth["layers"] for fmt in DROPS_SPECIAL_FILES)


def _unexpected_incomplete(result: ExtractionResult) -> list[str]:
    return [f"{i.what}: {i.where}: {i.reason}" for i in result.incomplete]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_image_is_contained_and_reported(name: str, tmp_path: Path) -> None:
    truth = ground_truth(name)["hostile"]
    output = tmp_path / "out"
    budget = int(truth.get("max_output_bytes") or 64 * 1024 * 1024)

    result = extract_firmware(build_image(name), output, ExtractionLimits(max_output_bytes=budget))

    for forbidden in truth["forbidden"]:
        assert not Path(forbidden).exists(), f"{name} wrote {forbidden}"
    assert measure_folder(output).bytes <= budget + 1024 * 1024
    reported = {i.what for i in result.incomplete}
    for attempt in truth["expect"]:
        if attempt == "device-node":
            assert result.tree.special, f"{name}: device nodes not indexed"
            assert not any((output / s.path).exists() for s in result.tree.special)
            continue
        assert reported & EXPECTED_KINDS[attempt], f"{name}: {attempt} not reported in {result.incomplete}"

"""Every corpus image extracts to its ground truth; every hostile image stays contained."""

from pathlib import Path
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
    "device-node": {IncompleteKind.SPECIAL_FILE},
    "budget": {IncompleteKind.BUDGET},
    "depth": {IncompleteKind.DEPTH},
    "truncated": {IncompleteKind.CORRUPT, IncompleteKind.EXTRACTOR_FAILED},
}


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

    assert len(tree.rootfs) >= len(truth["rootfs"])
    for expected in truth["rootfs"]:
        rootfs = matching_rootfs(tree, expected["files"])
        for path, meta in expected["files"].items():
            found = tree.resolve(rootfs, "/" + path)
            assert found is not None, f"{name}: /{path} missing"
            assert found.sha256 == meta["sha256"], f"{name}: /{path} content differs"
        links = {link.device_path: link.target for link in tree.links if link.rootfs == rootfs.path}
        for path, target in expected["symlinks"].items():
            assert links.get("/" + path) == target, f"{name}: link /{path}"
    seen = {f.format for f in result.formats}
    assert set(truth["formats"]) <= seen, f"{name}: formats {seen}"
    assert not _unexpected_incomplete(result), f"{name}: {result.incomplete}"


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
        assert reported & EXPECTED_KINDS[attempt], f"{name}: {attempt} not reported in {result.incomplete}"

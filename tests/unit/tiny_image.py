"""A tiny extracted image for check tests: files written under tmp_path/fs (one root file system),
indexed with their real kinds, scanned by the real runner."""

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from iotbaseline.checks.base import Check, Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.firmware.extract import ExtractionResult
from iotbaseline.firmware.filetype import HEAD_SIZE, classify
from iotbaseline.firmware.origin import Layer
from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from iotbaseline.model import Finding, Outcome

ROOTFS = "fs"


def tiny_image(
    tmp_path: Path,
    files: Mapping[str, str | bytes],
    outside: Mapping[str, tuple[str | bytes, str]] | None = None,
) -> ScannedImage:
    """`files`: device path (no leading /) -> content, in the root file system. `outside`: extracted
    path -> (content, the unblob handler it came out of), for files outside any root file system."""
    indexed = [_index(tmp_path, f"{ROOTFS}/{path}", content, "/" + path, ()) for path, content in files.items()]
    for path, (content, handler) in (outside or {}).items():
        indexed.append(_index(tmp_path, path, content, None, (Layer("fw.bin", handler, 0, 1),)))
    tree = FirmwareTree(tmp_path, tuple(indexed), (), (), frozenset({ROOTFS}), (RootFilesystem(ROOTFS, ("etc",)),))
    extraction = ExtractionResult(tmp_path / "fw.bin", 1, "00", tmp_path, tree, [], [], [], 0.1, 0, 1)
    return ScannedImage("fw.bin", extraction)


def _index(root: Path, path: str, content: str | bytes, device: str | None, origin: tuple[Layer, ...]) -> TreeFile:
    data = content.encode() if isinstance(content, str) else content
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    kind = classify(data[:HEAD_SIZE], len(data))
    rootfs = ROOTFS if device is not None else None
    return TreeFile(path, len(data), hashlib.sha256(data).hexdigest(), kind, 0o755, origin, rootfs, device)


def scan(check: Check, image: ScannedImage) -> list[Finding]:
    findings, runs = run_checks([check], [image], frozenset({Need.FIRMWARE}))
    assert [run.status for run in runs] == ["ran"], [run.note for run in runs]
    return findings


def outcomes(findings: Sequence[Finding], outcome: Outcome) -> list[Finding]:
    return [f for f in findings if f.outcome is outcome]

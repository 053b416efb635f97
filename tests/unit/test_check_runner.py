"""The check runner: one read per file, isolation of failing checks, skipped checks, budgets."""

import hashlib
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from iotbaseline.checks.base import Check, Need, ScanEvidence, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.firmware.extract import ExtractionResult
from iotbaseline.firmware.filetype import FileKind, FileType
from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.profile.model import ProductProfile

FIRMWARE = frozenset({Need.FIRMWARE})


def scanned_image(tmp_path: Path, files: dict[str, tuple[bytes, FileKind]]) -> ScannedImage:
    indexed = []
    for path, (data, kind) in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
        indexed.append(
            TreeFile(path, len(data), hashlib.sha256(data).hexdigest(), FileType(kind), 0o644, (), "fs", "/" + path[3:])
        )
    tree = FirmwareTree(tmp_path, tuple(indexed), (), (), frozenset({"fs"}), (RootFilesystem("fs", ("etc",)),))
    result = ExtractionResult(tmp_path / "fw.bin", 1, "00", tmp_path, tree, [], [], [], 0.1, 0, 1)
    return ScannedImage("fw.bin", result)


class RecordingCheck(Check):
    id = "test.recording"
    title = "records what it sees"
    provisions = ("EN303645:5.1-1",)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.TEXT})

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        self.seen.append((file.path, content))
        return ()

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        yield Finding(
            check=self.id,
            outcome=Outcome.PASS,
            provisions=self.provisions,
            severity=Severity.INFO,
            title=f"looked at {len(self.seen)} text files",
            location=Location(image=image.name),
        )


class SecondTextCheck(RecordingCheck):
    id = "test.second"


class CrashingCheck(RecordingCheck):
    id = "test.crashing"

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        raise ValueError("malformed shadow line")


class LiveCheck(RecordingCheck):
    id = "test.live"
    needs: ClassVar[frozenset[Need]] = frozenset({Need.LIVE})


def test_each_file_is_read_once_for_all_interested_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = scanned_image(
        tmp_path, {"fs/etc/passwd": (b"root:x:0:0\n", FileKind.TEXT), "fs/bin/sh": (b"\x7fELF", FileKind.ELF)}
    )
    reads: list[str] = []
    original = FirmwareTree.read_bytes

    def counting(self: FirmwareTree, path: str, limit: int | None = None) -> bytes:
        reads.append(path)
        return original(self, path, limit)

    monkeypatch.setattr(FirmwareTree, "read_bytes", counting)
    first, second = RecordingCheck(), SecondTextCheck()

    findings, runs = run_checks([first, second], [image], FIRMWARE)

    assert reads == ["fs/etc/passwd"]
    assert first.seen == second.seen == [("fs/etc/passwd", b"root:x:0:0\n")]
    assert [f.title for f in findings] == ["looked at 1 text files"] * 2
    assert {r.status for r in runs} == {"ran"}


def test_a_crashing_check_becomes_an_error_finding_and_the_others_go_on(tmp_path: Path) -> None:
    image = scanned_image(tmp_path, {"fs/etc/shadow": (b"root::0:0\n", FileKind.TEXT)})
    healthy = RecordingCheck()

    findings, runs = run_checks([CrashingCheck(), healthy], [image], FIRMWARE)

    error = next(f for f in findings if f.check == "test.crashing")
    assert error.outcome is Outcome.ERROR and "malformed shadow line" in error.detail
    assert healthy.seen and any(f.check == "test.recording" and f.outcome is Outcome.PASS for f in findings)
    assert {r.check: r.status for r in runs} == {"test.crashing": "error", "test.recording": "ran"}


def test_a_check_whose_input_is_missing_is_skipped_with_the_reason(tmp_path: Path) -> None:
    image = scanned_image(tmp_path, {"fs/etc/passwd": (b"x\n", FileKind.TEXT)})
    findings, runs = run_checks([LiveCheck()], [image], FIRMWARE)
    assert findings == []
    assert runs[0].status == "skipped" and "live" in runs[0].note


def test_a_check_past_its_time_budget_gets_no_more_files(tmp_path: Path) -> None:
    image = scanned_image(tmp_path, {f"fs/etc/f{i}": (b"x\n", FileKind.TEXT) for i in range(3)})

    class Slow(RecordingCheck):
        id = "test.slow"
        time_budget: ClassVar[float] = 0.02

        def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
            time.sleep(0.05)
            return super().visit(image, file, content)

    slow = Slow()
    findings, runs = run_checks([slow], [image], FIRMWARE)

    assert len(slow.seen) == 1
    assert runs[0].status == "error" and "time budget" in runs[0].note
    assert any(f.outcome is Outcome.ERROR for f in findings)


def test_conclude_sees_all_images_once_after_their_files(tmp_path: Path) -> None:
    first = scanned_image(tmp_path / "a", {"fs/etc/passwd": (b"x\n", FileKind.TEXT)})
    second = scanned_image(tmp_path / "b", {"fs/etc/passwd": (b"y\n", FileKind.TEXT)})

    class Concluding(RecordingCheck):
        id = "test.concluding"

        def conclude(self, images: Sequence[ScannedImage]) -> Iterable[Finding]:
            yield Finding(
                check=self.id,
                outcome=Outcome.INFO,
                provisions=self.provisions,
                severity=Severity.INFO,
                title=f"concluded after {len(self.seen)} files of {len(images)} images",
            )

    findings, _ = run_checks([Concluding()], [first, second], FIRMWARE)

    assert findings[-1].title == "concluded after 2 files of 2 images"


class DeclarationCheck(Check):
    id = "test.declarations"
    title = "judges the profile"
    provisions = ("EN303645:5.3-13",)
    needs = frozenset({Need.PROFILE})

    def examine(self, evidence: ScanEvidence) -> Iterable[Finding]:
        if evidence.profile is None:
            raise ValueError("no profile")
        yield Finding(
            check=self.id,
            outcome=Outcome.PASS,
            provisions=self.provisions,
            severity=Severity.INFO,
            title="support period declared",
            location=Location(),
        )


def test_examine_runs_once_per_scan_and_a_failure_there_is_a_scan_wide_error(tmp_path: Path) -> None:
    image = scanned_image(tmp_path, {"fs/etc/motd": (b"hi", FileKind.TEXT)})
    profile = ProductProfile()
    findings, runs = run_checks([DeclarationCheck()], [image], frozenset({Need.PROFILE}), ScanEvidence(profile))
    assert [f.title for f in findings] == ["support period declared"] and runs[0].status == "ran"

    findings, runs = run_checks([DeclarationCheck()], [image], frozenset({Need.PROFILE}))
    [error] = findings
    assert error.outcome is Outcome.ERROR and error.location.image is None
    assert "documents, declarations or device" in error.detail and runs[0].status == "error"

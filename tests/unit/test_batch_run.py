"""The batch loop with an in-memory store and an executor whose 'scan' reads the file's first bytes: what reaches
the store and batch.json, in which order, and what a stop and a rerun do."""

import json
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from iotbaseline.batch.discover import BatchImage, discover_images
from iotbaseline.batch.folders import REPORT_FILES
from iotbaseline.batch.isolation import ProcessLimits
from iotbaseline.batch.manifest import BatchEntry
from iotbaseline.batch.plan import PlannedImage
from iotbaseline.batch.run import BatchSettings, BatchSummary, run_batch
from iotbaseline.batch.worker import ImageJob, ImageResult, ScanRecord
from iotbaseline.checks.base import CheckSettings
from iotbaseline.components.model import Component
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.model import Assessment, Input
from iotbaseline.store.errors import StoreError
from iotbaseline.store.interface import ScanStatus
from iotbaseline.vulndb.match import VulnerabilityMatch
from tests.unit.batch_fakes import MemoryStore, assessment_with


def fake_scan(job: ImageJob) -> ImageResult:
    """Like the worker: writes the reports of a good image; b'BAD' images fail; b'SLOW' ones take a while."""
    data = Path(job.image).read_bytes()
    if data.startswith(b"SLOW"):
        time.sleep(0.3)
    if data.startswith(b"BAD"):
        return ImageResult(ScanStatus.FAILED, "stopped after 1 s (the time limit per image)", 1.0, None)
    folder = Path(job.output)
    folder.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        (folder / name).write_text("{}")
    record = ScanRecord(assessment_with(f"/etc/{Path(job.image).name}"), {}, {})
    return ImageResult(ScanStatus.DONE, None, 0.5, record)


class ThreadExecutor:
    description = "threads"

    def __init__(self, scan: Callable[[ImageJob], ImageResult] = fake_scan) -> None:
        self._pool = ThreadPoolExecutor(2)
        self._scan = scan
        self.submitted: list[str] = []
        self.stopped = False

    def submit(self, job: ImageJob) -> "Future[ImageResult]":
        self.submitted.append(Path(job.image).name)
        return self._pool.submit(self._scan, job)

    def stop_now(self) -> None:
        self.stopped = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown()


class Recorder:
    def __init__(self, interrupt_after: int | None = None) -> None:
        self.entries: list[BatchEntry] = []
        self._interrupt_after = interrupt_after

    def planned(self, image: PlannedImage) -> None:
        pass

    def scanning(self, count: int) -> None:
        pass

    def finished(self, entry: BatchEntry) -> None:
        self.entries.append(entry)
        if self._interrupt_after is not None and len(self.entries) >= self._interrupt_after:
            raise KeyboardInterrupt  # as a Ctrl-C arrives: in the main thread, between two results


def images(folder: Path, contents: dict[str, bytes]) -> tuple[BatchImage, ...]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return discover_images([str(folder)], folder.parent / "out").images


def settings(output: Path) -> BatchSettings:
    return BatchSettings(output, ExtractionLimits(), CheckSettings(), ProcessLimits(60))


def run(
    found: tuple[BatchImage, ...], output: Path, store: MemoryStore, executor: ThreadExecutor, observer: Recorder
) -> BatchSummary:
    try:
        return run_batch(found, settings(output), store, executor, observer)
    finally:
        executor.close()


def manifest(output: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((output / "batch.json").read_text())
    return document


def test_batch_json_has_one_entry_per_image_in_the_batch_order_and_the_store_every_result(tmp_path: Path) -> None:
    found = images(tmp_path / "in", {"a.bin": b"SLOW", "b.bin": b"BAD", "c.bin": b"ok"})
    found = (*found, BatchImage(tmp_path / "in" / "gone.bin", "gone.bin"))
    out, store = tmp_path / "out", MemoryStore()

    summary = run(found, out, store, ThreadExecutor(), Recorder())

    assert summary == BatchSummary(done=2, failed=2, kept=0, stopped=None)
    document = manifest(out)
    assert document["complete"] is True and document["counts"] == {"done": 2, "failed": 2, "pending": 0}
    entries = document["images"]
    assert isinstance(entries, list)
    assert [(e["name"], e["status"]) for e in entries] == [
        ("a.bin", "done"),  # finished last, listed first: the order is the batch's
        ("b.bin", "failed"),
        ("c.bin", "done"),
        ("gone.bin", "failed"),
    ]
    assert set(entries[0]) == {"image", "name", "sha256", "status", "reason", "seconds", "incomplete", "earlier_run"}
    assert entries[0]["image"] == str(tmp_path / "in" / "a.bin") and entries[0]["reason"] is None
    assert entries[1]["reason"] == "stopped after 1 s (the time limit per image)" and entries[1]["seconds"] == 1.0
    assert entries[3]["reason"] == f"{tmp_path / 'in' / 'gone.bin'}: no such file" and entries[3]["sha256"] is None
    assert [(row.image_path.rsplit("/", 1)[1], row.status, row.output) for row in store.rows] == [
        ("a.bin", ScanStatus.DONE, str(out / "a.bin")),
        ("b.bin", ScanStatus.FAILED, str(out / "b.bin")),
        ("c.bin", ScanStatus.DONE, str(out / "c.bin")),
    ]
    assert store.rows[1].error == "stopped after 1 s (the time limit per image)"
    assert [f.location.path for f in store.assessments[1].findings] == ["/etc/a.bin"]


def test_a_stopped_batch_leaves_what_was_in_flight_running_and_the_rerun_redoes_only_that(tmp_path: Path) -> None:
    contents = {f"{n}.bin": b"SLOW" + bytes([n]) for n in range(6)}
    found, out, store = images(tmp_path / "in", contents), tmp_path / "out", MemoryStore()

    first = ThreadExecutor()
    stopped = run(found, out, store, first, Recorder(interrupt_after=2))

    assert stopped.stopped == "interrupted" and first.stopped
    assert manifest(out)["complete"] is False and len(manifest(out)["images"]) == 2
    finished = {row.image_path for row in store.rows if row.status == ScanStatus.DONE}
    assert len(finished) >= 2 and all(row.status != ScanStatus.FAILED for row in store.rows)

    second = ThreadExecutor()
    resumed = run(found, out, store, second, Recorder())

    assert resumed.stopped is None and (resumed.done, resumed.failed) == (6, 0)
    assert sorted(second.submitted) == sorted(name for name in contents if str(tmp_path / "in" / name) not in finished)
    assert resumed.kept == len(finished)
    latest = [store.latest(sha256) for sha256 in {row.image_sha256 for row in store.rows}]
    assert len(latest) == 6 and all(scan is not None and scan.status == ScanStatus.DONE for scan in latest)
    closed = [row for row in store.rows if row.status == ScanStatus.FAILED]
    assert len(closed) == len(second.submitted)  # each interrupted scan closed once its redo began
    assert all(row.error and row.error.startswith("the batch stopped while this scan ran") for row in closed)
    entries = manifest(out)["images"]
    assert isinstance(entries, list)
    assert sum(entry["earlier_run"] for entry in entries) == len(finished)


def test_failed_images_are_kept_as_failed_unless_retried(tmp_path: Path) -> None:
    found, out, store = images(tmp_path / "in", {"bad.bin": b"BAD", "good.bin": b"ok"}), tmp_path / "out", MemoryStore()
    run(found, out, store, ThreadExecutor(), Recorder())

    again = ThreadExecutor()
    summary = run(found, out, store, again, Recorder())
    assert again.submitted == [] and summary == BatchSummary(done=1, failed=1, kept=2, stopped=None)
    failed = manifest(out)["images"][0]
    assert failed["status"] == "failed" and failed["reason"].startswith("stopped after") and failed["earlier_run"]

    retried = ThreadExecutor()
    run_batch(
        found,
        BatchSettings(out, ExtractionLimits(), CheckSettings(), ProcessLimits(60), True),
        store,
        retried,
        Recorder(),
    )
    retried.close()
    assert retried.submitted == ["bad.bin"]


def test_lost_workers_stop_the_batch_and_leave_the_images_to_the_rerun(tmp_path: Path) -> None:
    def broken(job: ImageJob) -> ImageResult:
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    found, out, store = images(tmp_path / "in", {"a.bin": b"1", "b.bin": b"2"}), tmp_path / "out", MemoryStore()
    executor = ThreadExecutor(broken)

    summary = run(found, out, store, executor, Recorder())

    assert summary.stopped is not None and summary.stopped.startswith("the workers were lost (BrokenProcessPool")
    assert executor.stopped and {row.status for row in store.rows} == {ScanStatus.RUNNING}


def test_results_the_store_refuses_make_that_image_failed_and_the_batch_goes_on(tmp_path: Path) -> None:
    class Refusing(MemoryStore):
        def finish(
            self,
            scan_id: int,
            assessment: Assessment,
            components: Mapping[str, Sequence[Component]],
            vulnerabilities: Mapping[str, Sequence[VulnerabilityMatch]],
        ) -> None:
            if assessment.findings[0].location.path == "/etc/a.bin":
                raise StoreError("value too long for type character varying(255)")
            super().finish(scan_id, assessment, components, vulnerabilities)

    found, out, store = images(tmp_path / "in", {"a.bin": b"1", "b.bin": b"2"}), tmp_path / "out", Refusing()

    summary = run(found, out, store, ThreadExecutor(), Recorder())

    assert (summary.done, summary.failed, summary.stopped) == (1, 1, None)
    assert store.rows[0].status == ScanStatus.FAILED
    assert store.rows[0].error == "the results could not be stored: value too long for type character varying(255)"


@pytest.mark.parametrize("seconds", [0.25, 12.0])
def test_a_kept_image_keeps_the_time_its_scan_took_and_its_incomplete_parts(tmp_path: Path, seconds: float) -> None:
    def timed(job: ImageJob) -> ImageResult:
        result = fake_scan(job)
        assert result.record is not None
        cut = Input("firmware", job.image, incomplete=({"what": "budget", "where": "x", "reason": "cut"},))
        record = ScanRecord(replace(result.record.assessment, inputs=(cut,)), {}, {})
        return ImageResult(result.status, result.reason, seconds, record)

    found, out, store = images(tmp_path / "in", {"a.bin": b"1"}), tmp_path / "out", MemoryStore()
    run(found, out, store, ThreadExecutor(timed), Recorder())
    run(found, out, store, ThreadExecutor(), Recorder())

    assert manifest(out)["images"] == [
        {
            "image": str(tmp_path / "in" / "a.bin"),
            "name": "a.bin",
            "sha256": store.rows[0].image_sha256,
            "status": "done",
            "reason": None,
            "seconds": seconds,
            "incomplete": 1,
            "earlier_run": True,
        }
    ]

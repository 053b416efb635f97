"""The dashboard's real worker pool: an image that is no firmware still gets an answer, a worker killed from outside
costs the scan it ran and nothing more, and the progress file is read defensively."""

import os
import signal
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from iotbaseline.batch.isolation import ProcessLimits
from iotbaseline.checks.base import CheckSettings
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.store.interface import ScanStatus
from iotbaseline.web.scan_task import PROGRESS_FILE, DashboardJob, ScanProgress, read_progress
from iotbaseline.web.workers import WorkerPool


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    started = WorkerPool(1)
    yield started
    started.close()


def job(folder: Path, content: bytes, seconds: float = 120.0) -> DashboardJob:
    folder.mkdir(parents=True, exist_ok=True)
    image = folder / "not-firmware.bin"
    image.write_bytes(content)
    return DashboardJob(
        image=str(image),
        output=str(folder / "scan"),
        product={"model": "X"},
        limits=ExtractionLimits(total_timeout=60),
        settings=CheckSettings(),
        process=ProcessLimits(seconds),
    )


def test_an_image_that_is_no_firmware_is_answered_with_reports(pool: WorkerPool, tmp_path: Path) -> None:
    result = pool.submit(job(tmp_path, os.urandom(4096))).result(timeout=120)

    assert result.status is ScanStatus.DONE, result.reason
    assert result.record is not None and result.record.assessment.product == {"model": "X"}
    assert (tmp_path / "scan" / "report.json").is_file() and (tmp_path / "scan" / "sbom.cdx.json").is_file()
    assert read_progress(tmp_path / "scan") is not None


def test_a_scan_over_its_time_limit_fails_with_the_reason(pool: WorkerPool, tmp_path: Path) -> None:
    result = pool.submit(job(tmp_path, os.urandom(4096), seconds=0.01)).result(timeout=60)

    assert result.status is ScanStatus.FAILED and "time limit" in (result.reason or "")


def test_a_killed_worker_costs_its_scan_and_the_pool_starts_afresh(tmp_path: Path) -> None:
    pool = WorkerPool(1)
    try:
        pool.submit(job(tmp_path / "a", os.urandom(64))).result(timeout=120)  # the worker is up
        for pid in pool.worker_pids():  # as the kernel's OOM killer would
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            pool.submit(job(tmp_path / "b", os.urandom(64))).result(timeout=60)
        result = pool.submit(job(tmp_path / "c", os.urandom(64))).result(timeout=120)
    finally:
        pool.close()

    assert result.status is ScanStatus.DONE, result.reason


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'{"phase": 1, "entries": 0, "bytes": 0, "seconds": 0}', b'{"phase": "x", "entries": -1}'],
)
def test_a_malformed_progress_file_reads_as_none(tmp_path: Path, content: bytes) -> None:
    (tmp_path / PROGRESS_FILE).write_bytes(content)
    assert read_progress(tmp_path) is None


def test_a_progress_file_reads_back(tmp_path: Path) -> None:
    (tmp_path / PROGRESS_FILE).write_text('{"phase": "writing reports", "entries": 3, "bytes": 9, "seconds": 1.5}')
    assert read_progress(tmp_path) == ScanProgress("writing reports", 3, 9, 1.5)

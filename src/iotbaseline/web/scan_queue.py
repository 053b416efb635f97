"""The scans asked for through the dashboard: waiting, running on the worker pool, then stored.

One dispatcher thread hands images to the pool, no more at once than there are workers, so the queue page can
tell waiting from running. The store hears of a scan when it starts (`begin`: running) and gets its result
from this process when it ends (`finish` or `fail`): the workers never write to the database. Whatever a scan
does (crash, time limit, unstorable result), it ends as that image's failure with the reason; the server goes on.

The queue itself lives in memory: after a restart, the store still has every finished scan, and scans the
dashboard left running are closed as failed (`close_abandoned`).
"""

import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from iotbaseline import __version__
from iotbaseline.batch.plan import identify
from iotbaseline.batch.worker import ImageResult
from iotbaseline.errors import IotBaselineError
from iotbaseline.model import JSONValue
from iotbaseline.store.interface import ImageRef, ResultStore, ScanStatus
from iotbaseline.store.sql_store import SqlResultStore
from iotbaseline.web.scan_task import DashboardJob, ScanProgress, read_progress
from iotbaseline.web.settings import DashboardSettings
from iotbaseline.web.workers import ScanRunner

MAX_KEPT = 500
"""Finished entries the queue page keeps listing (the store keeps them all)."""
ABANDONED = "the dashboard stopped while this scan ran"


class QueueState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ImageRequest:
    """An image to scan, as the upload or the path form gave it."""

    image: Path
    name: str
    origin: str
    """`upload` or `path`."""
    product: Mapping[str, JSONValue] = field(default_factory=dict)
    sha256: str | None = None
    """Known for uploads (hashed as they arrived); hashed before the scan otherwise."""
    size: int | None = None


@dataclass(frozen=True)
class QueueEntry:
    number: int
    name: str
    origin: str
    state: QueueState
    submitted: str
    seconds: float | None
    """Running: so far; finished: the whole scan."""
    scan_id: int | None
    reason: str | None
    progress: ScanProgress | None


@dataclass
class _Job:
    number: int
    request: ImageRequest
    submitted: str
    state: QueueState = QueueState.QUEUED
    started: float | None = None
    ended: float | None = None
    scan_id: int | None = None
    output: Path | None = None
    reason: str | None = None


class ScanQueue:
    def __init__(self, store: ResultStore, runner: ScanRunner, settings: DashboardSettings) -> None:
        self._store = store
        self._runner = runner
        self._settings = settings
        self._jobs: deque[_Job] = deque()
        self._waiting: deque[_Job] = deque()
        self._running = 0
        self._numbers = 0
        self._stopping = False
        self._changed = threading.Condition()
        self._dispatcher = threading.Thread(target=self._dispatch, name="iotbaseline-dispatcher", daemon=True)

    def start(self) -> None:
        self._dispatcher.start()

    def close(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._dispatcher.is_alive():
            self._dispatcher.join(timeout=5)

    def submit(self, request: ImageRequest) -> QueueEntry:
        with self._changed:
            self._numbers += 1
            job = _Job(self._numbers, request, datetime.now(UTC).isoformat(timespec="seconds"))
            self._jobs.appendleft(job)
            self._waiting.append(job)
            self._forget_oldest()
            self._changed.notify_all()
            return self._entry(job)

    def entries(self) -> list[QueueEntry]:
        """Newest first, with the progress of running scans."""
        with self._changed:
            entries = [self._entry(job) for job in self._jobs]
            outputs = {job.number: job.output for job in self._jobs if job.state is QueueState.RUNNING}
        return [_with_progress(entry, outputs.get(entry.number)) for entry in entries]

    def entry(self, number: int) -> QueueEntry | None:
        return next((entry for entry in self.entries() if entry.number == number), None)

    def busy(self) -> bool:
        with self._changed:
            return bool(self._waiting) or self._running > 0

    def wait_idle(self, timeout: float) -> bool:
        """For tests and shutdown: True once nothing waits or runs."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._waiting or self._running:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    # the dispatcher thread

    def _dispatch(self) -> None:
        while True:
            with self._changed:
                while not self._stopping and not (self._waiting and self._running < self._settings.workers):
                    self._changed.wait()
                if self._stopping:
                    return
                job = self._waiting.popleft()
                job.state, job.started = QueueState.RUNNING, time.monotonic()
                self._running += 1
            self._start(job)

    def _start(self, job: _Job) -> None:
        request = job.request
        try:
            size, sha256 = (request.size, request.sha256)
            if size is None or sha256 is None:
                size, sha256 = identify(request.image)
            output = self._settings.scans / secrets.token_hex(8)
            output.mkdir(parents=True)
            job.output = output
            image = ImageRef(str(request.image), sha256, size, dict(request.product))
            job.scan_id = self._store.begin(image, __version__, str(output))
            future = self._runner.submit(
                DashboardJob(
                    image=str(request.image),
                    output=str(output),
                    product=dict(request.product),
                    limits=self._settings.limits,
                    settings=self._settings.checks,
                    process=self._settings.process,
                )
            )
        except Exception as error:  # the image, the disk, the store or the pool failed: this scan fails, not the server
            self._end(job, None, f"the scan could not start: {_reason(error)}")
            return
        future.add_done_callback(lambda done: self._finished(job, done))

    def _finished(self, job: _Job, future: "Future[ImageResult]") -> None:
        try:
            result = future.result()
        except (Exception, CancelledError) as error:  # the worker process was lost: the image's failure
            reason = ABANDONED if self._stopping else f"the worker process was lost ({_reason(error)})"
            self._end(job, None, reason)
            return
        self._end(job, result, result.reason)

    def _end(self, job: _Job, result: ImageResult | None, reason: str | None) -> None:
        state = QueueState.FAILED
        try:
            if job.scan_id is not None and result is not None and result.record is not None:
                record = result.record
                try:
                    self._store.finish(job.scan_id, record.assessment, record.components, record.vulnerabilities)
                    state = QueueState.DONE
                except IotBaselineError as error:
                    reason = f"the results could not be stored: {error}"
            if state is QueueState.FAILED and job.scan_id is not None:
                self._store.fail(job.scan_id, reason or "failed")
        except Exception as error:  # the store itself failed: the queue still says what happened
            state, reason = QueueState.FAILED, f"{reason or 'failed'}; not recorded in the store: {_reason(error)}"
        finally:
            with self._changed:
                job.state, job.reason, job.ended = state, None if state is QueueState.DONE else reason, time.monotonic()
                self._running -= 1
                self._changed.notify_all()

    def _forget_oldest(self) -> None:
        finished = (QueueState.DONE, QueueState.FAILED)
        while len(self._jobs) > MAX_KEPT and self._jobs[-1].state in finished:
            self._jobs.pop()

    @staticmethod
    def _entry(job: _Job) -> QueueEntry:
        seconds = None
        if job.started is not None:
            seconds = round((job.ended if job.ended is not None else time.monotonic()) - job.started, 1)
        return QueueEntry(
            job.number,
            job.request.name,
            job.request.origin,
            job.state,
            job.submitted,
            seconds,
            job.scan_id,
            job.reason,
            None,
        )


def _with_progress(entry: QueueEntry, output: Path | None) -> QueueEntry:
    if output is None:
        return entry
    return replace(entry, progress=read_progress(output))


def _reason(error: BaseException) -> str:
    return str(error) if isinstance(error, IotBaselineError) else f"{type(error).__name__}: {error}"


def close_abandoned(store: SqlResultStore, scans: Path) -> int:
    """Scans this dashboard's folder holds that are still `running` in the store: the server stopped while they
    ran (Ctrl-C, kill, power loss). They are closed as failed; how many."""
    closed = 0
    for scan in store.scans(limit=10_000, status=ScanStatus.RUNNING):
        if scan.output is not None and Path(scan.output).is_relative_to(scans):
            store.fail(scan.id, ABANDONED)
            closed += 1
    return closed

"""A batch: every image planned (scan, or keep an earlier run's result), the ones to scan sent to the executor,
each result stored and entered in batch.json as it arrives.

The store hears of a scan before any worker does (`begin`: running), so a batch stopped at any point leaves
each image either finished in the store or `running`, which the rerun redoes. A Ctrl-C stops the workers and
leaves what was in flight `running`. A failed image is a result like any other: the batch goes on.
"""

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from iotbaseline import __version__
from iotbaseline.batch.discover import BatchImage
from iotbaseline.batch.executors import BatchExecutor
from iotbaseline.batch.isolation import ProcessLimits
from iotbaseline.batch.manifest import BatchEntry, BatchManifest, EarlierFacts, earlier_facts
from iotbaseline.batch.plan import Action, PlannedImage, plan_image
from iotbaseline.batch.worker import ImageJob, ImageResult
from iotbaseline.checks.base import CheckSettings
from iotbaseline.errors import IotBaselineError
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.store.interface import ResultStore, ScanStatus, StoredScan


@dataclass(frozen=True)
class BatchSettings:
    output: Path
    """Absolute."""
    limits: ExtractionLimits
    settings: CheckSettings
    process: ProcessLimits
    retry_failed: bool = False


@dataclass(frozen=True)
class BatchSummary:
    done: int
    failed: int
    kept: int
    """Of those, results of an earlier run."""
    stopped: str | None
    """Why the batch ended before every image had a result (a rerun resumes it); None when it ran to its end."""


class BatchObserver(Protocol):
    """What a progress display hears."""

    def planned(self, image: PlannedImage) -> None: ...

    def scanning(self, count: int) -> None: ...

    def finished(self, entry: BatchEntry) -> None: ...


class _ExecutorLost(Exception):
    pass


def run_batch(
    images: Sequence[BatchImage],
    batch: BatchSettings,
    store: ResultStore,
    executor: BatchExecutor,
    observer: BatchObserver,
) -> BatchSummary:
    manifest = BatchManifest(batch.output, [image.name for image in images])
    stopped: str | None = None
    try:
        to_scan = _plan(images, batch, store, manifest, observer)
        manifest.write()
        observer.scanning(len(to_scan))
        _scan(to_scan, batch, store, executor, manifest, observer)
    except KeyboardInterrupt:
        stopped = "interrupted"
        executor.stop_now()
    except _ExecutorLost as lost:
        stopped = f"the workers were lost ({lost})"
        executor.stop_now()
    except BaseException:  # the store failed, or a bug: nothing more may run
        executor.stop_now()
        raise
    finally:
        manifest.write()
    entries = manifest.entries
    return BatchSummary(
        done=sum(1 for entry in entries if entry.status == ScanStatus.DONE),
        failed=sum(1 for entry in entries if entry.status == ScanStatus.FAILED),
        kept=sum(1 for entry in entries if entry.earlier_run),
        stopped=stopped,
    )


def _plan(
    images: Sequence[BatchImage],
    batch: BatchSettings,
    store: ResultStore,
    manifest: BatchManifest,
    observer: BatchObserver,
) -> list[PlannedImage]:
    earlier = earlier_facts(batch.output)
    to_scan: list[PlannedImage] = []
    for image in images:
        planned = plan_image(image, batch.output, store, retry_failed=batch.retry_failed)
        observer.planned(planned)
        if planned.action == Action.SCAN:
            to_scan.append(planned)
        else:
            manifest.record(_entry_without_scan(planned, earlier))
    return to_scan


def _scan(
    to_scan: Sequence[PlannedImage],
    batch: BatchSettings,
    store: ResultStore,
    executor: BatchExecutor,
    manifest: BatchManifest,
    observer: BatchObserver,
) -> None:
    pending: dict[Future[ImageResult], tuple[PlannedImage, int]] = {}
    for planned in to_scan:
        scan_id = store.begin(planned.ref(), __version__, str(planned.folder))
        _close_interrupted(store, planned, scan_id)
        job = ImageJob(str(planned.image.path), str(planned.folder), batch.limits, batch.settings, batch.process)
        pending[executor.submit(job)] = (planned, scan_id)
    for future in as_completed(list(pending)):
        planned, scan_id = pending.pop(future)
        try:
            result = future.result()
        except Exception as error:  # scan_image never raises: the executor itself failed (lost worker, pool)
            raise _ExecutorLost(f"{type(error).__name__}: {error}") from error
        entry = _store(store, planned, scan_id, result)
        manifest.record(entry)
        manifest.write(now=False)
        observer.finished(entry)


def _close_interrupted(store: ResultStore, planned: PlannedImage, scan_id: int) -> None:
    """The scan a stopped run left `running` in this folder is closed as failed, once its redo has begun: the
    other order would leave a failed latest scan, which a rerun keeps, if the batch stopped in between."""
    earlier = planned.earlier
    if earlier is not None and earlier.status == ScanStatus.RUNNING and earlier.output == str(planned.folder):
        store.fail(earlier.id, f"the batch stopped while this scan ran; scanned again (scan {scan_id})")


def _store(store: ResultStore, planned: PlannedImage, scan_id: int, result: ImageResult) -> BatchEntry:
    status, reason, record = result.status, result.reason, result.record
    if record is not None:
        try:
            store.finish(scan_id, record.assessment, record.components, record.vulnerabilities)
        except IotBaselineError as error:  # this scan's data; if the store itself is gone, `fail` raises too
            status, reason = ScanStatus.FAILED, f"the results could not be stored: {error}"
    if status == ScanStatus.FAILED:
        reason = reason or "failed"
        store.fail(scan_id, reason)
    incomplete = sum(len(item.incomplete) for item in record.assessment.inputs) if record is not None else None
    image, name = str(planned.image.path), planned.image.name
    return BatchEntry(image, name, planned.sha256, status, reason, result.seconds, incomplete)


def _entry_without_scan(planned: PlannedImage, earlier: Mapping[tuple[str, str], EarlierFacts]) -> BatchEntry:
    image, name = str(planned.image.path), planned.image.name
    if planned.action == Action.UNREADABLE or planned.earlier is None or planned.sha256 is None:
        return BatchEntry(image, name, planned.sha256, ScanStatus.FAILED, planned.problem, None)
    stored = planned.earlier
    facts = earlier.get((name, planned.sha256))
    seconds = facts.seconds if facts else _stored_seconds(stored)
    reason = (stored.error or "failed") if stored.status == ScanStatus.FAILED else None
    incomplete = facts.incomplete if facts else None
    return BatchEntry(image, name, planned.sha256, stored.status, reason, seconds, incomplete, earlier_run=True)


def _stored_seconds(stored: StoredScan) -> float | None:
    if stored.finished is None:
        return None
    try:
        return (datetime.fromisoformat(stored.finished) - datetime.fromisoformat(stored.started)).total_seconds()
    except ValueError:
        return None

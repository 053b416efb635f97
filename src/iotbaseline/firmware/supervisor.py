"""Runs the extraction worker under watch and stops it when the image abuses the host.

The worker is a child process in its own process group, so one signal stops unblob, its pool and
every external extractor. While it runs, the supervisor samples the output folder (bytes and
entries) and the extractor processes (how long each has run). A limit crossed becomes an
`Incomplete` record; the journal keeps everything finished before the stop.
"""

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from iotbaseline.firmware.incomplete import Incomplete, IncompleteKind
from iotbaseline.firmware.usage import FolderUsage, measure_folder
from iotbaseline.firmware.worker import WorkerJob, run_worker

ProgressCallback = Callable[[FolderUsage, float], None]

_FIRST_SAMPLE_DELAY = 0.05
_OUR_PYTHON = os.path.realpath(sys.executable)
_MAX_SAMPLE_INTERVAL = 1.0


@dataclass
class WorkerOutcome:
    cut: list[Incomplete] = field(default_factory=list)
    seconds: float = 0.0
    peak_bytes: int = 0
    exit_code: int | None = None


def run_supervised(job: WorkerJob, budget: int, progress: ProgressCallback | None = None) -> WorkerOutcome:
    limits = job.limits
    # fork: the worker starts at once, without importing this program a second time.
    context = multiprocessing.get_context("fork")
    process = context.Process(target=run_worker, args=(job,), name="iotbaseline-extract")
    started = time.monotonic()
    process.start()
    worker_pid = process.pid
    assert worker_pid is not None  # set by start()
    outcome = WorkerOutcome()
    interval = _FIRST_SAMPLE_DELAY
    try:
        while True:
            process.join(timeout=interval)
            finished = not process.is_alive()
            sample_started = time.monotonic()
            usage = measure_folder(job.extract_root)
            outcome.peak_bytes = max(outcome.peak_bytes, usage.bytes)
            elapsed = sample_started - started
            if progress is not None:
                progress(usage, elapsed)
            if finished:
                break
            stop = _limit_crossed(job, usage, budget, elapsed)
            if stop is not None:
                outcome.cut.append(stop)
                _kill_group(worker_pid)
                break
            outcome.cut.extend(_stop_overdue_extractors(worker_pid, limits.command_timeout))
            # Sampling a big folder costs time; sample less often as it grows, at most once a second.
            cost = time.monotonic() - sample_started
            interval = min(_MAX_SAMPLE_INTERVAL, max(interval * 2, cost * 10))
    finally:
        if process.is_alive():
            _kill_group(worker_pid)
        process.join()
        # Extractors that outlived their worker (a killed pool) would keep writing.
        _kill_group(worker_pid)
    outcome.exit_code = process.exitcode
    outcome.seconds = time.monotonic() - started
    if process.exitcode not in (0, None) and not outcome.cut:
        outcome.cut.append(
            Incomplete(
                IncompleteKind.INTERNAL_ERROR,
                where=str(job.image),
                reason=f"the extraction worker failed (exit code {process.exitcode}); details in {job.log}",
            )
        )
    return outcome


def _limit_crossed(job: WorkerJob, usage: FolderUsage, budget: int, elapsed: float) -> Incomplete | None:
    limits = job.limits
    if usage.bytes > budget:
        return Incomplete(
            IncompleteKind.BUDGET,
            where=_relative(usage.largest_path, job.extract_root),
            reason=(
                f"extraction stopped: the output reached {usage.bytes:,} bytes, over the budget of "
                f"{budget:,} for this image (largest file {usage.largest_size:,} bytes); "
                "raise it with --max-output-bytes if the image is genuine"
            ),
        )
    if usage.entries > limits.max_files:
        return Incomplete(
            IncompleteKind.TOO_MANY_FILES,
            where=str(job.image.name),
            reason=f"extraction stopped: more than {limits.max_files:,} files and folders were written",
        )
    if elapsed > limits.total_timeout:
        return Incomplete(
            IncompleteKind.TIMEOUT,
            where=str(job.image.name),
            reason=f"extraction stopped after {limits.total_timeout:g} s (--timeout)",
        )
    return None


def _stop_overdue_extractors(worker_pid: int, command_timeout: float) -> list[Incomplete]:
    """External extractors (anything but our own Python processes) that ran too long are killed;
    unblob then records the failed command and goes on with the rest of the image."""
    stopped: list[Incomplete] = []
    now = time.time()
    try:
        children = psutil.Process(worker_pid).children(recursive=True)
    except psutil.Error:
        return stopped
    for child in children:
        try:
            if child.exe() == _OUR_PYTHON or now - child.create_time() <= command_timeout:
                continue
            command = " ".join(child.cmdline())
            child.kill()
        except psutil.Error:
            continue
        stopped.append(
            Incomplete(
                IncompleteKind.COMMAND_TIMEOUT,
                where=command,
                reason=f"external extractor killed after {command_timeout:g} s (--command-timeout)",
            )
        )
    return stopped


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _relative(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path

"""The worker processes that scan for the dashboard.

Started with `spawn`, not `fork`: the server runs threads (uvicorn, the queue), and a forked copy of a threaded
process can deadlock on a lock another thread held. Each worker imports the scan once, then forks one isolated
child per image (from a single-threaded process, which is safe). A worker that dies anyway breaks the pool; the
next submission starts a new one, so the server goes on.
"""

import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Protocol

from iotbaseline.batch.worker import ImageResult, prepare_worker
from iotbaseline.processes import die_with_parent, kill_tree
from iotbaseline.web.scan_task import DashboardJob, scan_image


class ScanRunner(Protocol):
    def submit(self, job: DashboardJob) -> "Future[ImageResult]": ...

    def close(self) -> None: ...


class WorkerPool:
    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()
        self._pool.submit(_ready)  # the first worker imports the scan now, not when the first image arrives

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )

    def submit(self, job: DashboardJob) -> "Future[ImageResult]":
        with self._lock:
            try:
                return self._pool.submit(scan_image, job)
            except BrokenProcessPool:  # a worker died (killed from outside, out of memory): start afresh
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                return self._pool.submit(scan_image, job)

    def worker_pids(self) -> list[int]:
        processes = getattr(self._pool, "_processes", None) or {}  # the executor keeps its processes by pid
        return [pid for pid in processes if isinstance(pid, int)]

    def close(self) -> None:
        """Stops at once: queued images are dropped, running ones killed (their scans stay `running` in the store
        and are closed as failed when the server starts again)."""
        with self._lock:
            workers = self.worker_pids()
            self._pool.shutdown(wait=False, cancel_futures=True)
            for pid in workers:
                kill_tree(pid)


def _start_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    die_with_parent(parent)
    prepare_worker()


def _ready() -> None:
    """The warm-up task."""

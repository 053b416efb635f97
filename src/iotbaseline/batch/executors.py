"""Where the images run, behind the `concurrent.futures` interface: a local process pool (the default), or a Dask
distributed cluster whose workers have the same iotbaseline installed and see the images and the output folder
at the same paths (a shared file system)."""

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

import psutil

from iotbaseline import __version__
from iotbaseline.batch.isolation import stop_running
from iotbaseline.batch.worker import ImageJob, ImageResult, prepare_worker, scan_image
from iotbaseline.errors import InputError
from iotbaseline.processes import die_with_parent, kill_tree

DASK_CONNECT_SECONDS = 30.0


class BatchExecutor(Protocol):
    description: str

    def submit(self, job: ImageJob) -> "Future[ImageResult]": ...

    def stop_now(self) -> None:
        """Ctrl-C: cancel what has not started, stop what runs where that is possible."""
        ...

    def close(self) -> None: ...


@contextlib.contextmanager
def open_executor(workers: int | None, dask_address: str | None) -> Iterator[BatchExecutor]:
    executor: BatchExecutor = DaskCluster(dask_address) if dask_address else LocalPool(workers or _cpu_count())
    try:
        yield executor
    finally:
        executor.close()


class LocalPool:
    """Worker processes forked from this one. They are all started here, before the batch starts any thread
    (forking a process that runs threads can deadlock the child), and known by pid so a Ctrl-C can stop them."""

    def __init__(self, workers: int) -> None:
        prepare_worker()  # here, so that every worker inherits the imports and the warmed-up scan
        before = {child.pid for child in psutil.Process().children()}
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_local_worker,
            initargs=(os.getpid(),),
        )
        self._pool.submit(_ready).result()  # with fork, the first submit starts every worker
        self._workers = [child.pid for child in psutil.Process().children() if child.pid not in before]
        self.description = f"{workers} local worker{'s' if workers > 1 else ''}"

    def submit(self, job: ImageJob) -> "Future[ImageResult]":
        return self._pool.submit(scan_image, job)

    def stop_now(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        for worker in self._workers:
            kill_tree(worker)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    """A Dask scheduler's workers. Each worker thread scans one image at a time (in a child process), so a
    worker started with `--nthreads N` scans N images at once."""

    def __init__(self, address: str) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--dask needs Dask: pip install 'dask[distributed]'") from None
        try:
            # distributed has no type hints: hence the ignores on its calls
            self._client = Client(address, timeout=DASK_CONNECT_SECONDS, set_as_default=False)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as error:
            raise InputError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        try:
            threads = self._check_workers(address)
        except BaseException:
            self._client.close()  # type: ignore[no-untyped-call]
            raise
        self._executor = self._client.get_executor(pure=False)  # type: ignore[no-untyped-call]
        self.description = f"Dask cluster at {address} ({threads} worker threads)"

    def _check_workers(self, address: str) -> int:
        try:
            self._client.wait_for_workers(1, timeout=DASK_CONNECT_SECONDS)
        except TimeoutError:
            raise InputError(f"no Dask worker is connected to the scheduler at {address}") from None
        try:
            versions: dict[str, Any] = self._client.run(installed_version)
        except Exception as error:  # whatever a worker without iotbaseline raises while unpickling the call
            raise InputError(
                f"the Dask workers cannot run iotbaseline ({type(error).__name__}: {error}); "
                "install the same iotbaseline on every worker"
            ) from None
        others = {worker: version for worker, version in versions.items() if version != __version__}
        if others:
            listed = ", ".join(f"{worker} has {version}" for worker, version in sorted(others.items()))
            raise InputError(f"Dask workers run another iotbaseline than this one ({__version__}): {listed}")
        workers: dict[str, Any] = self._client.scheduler_info()["workers"]
        return sum(int(worker.get("nthreads", 1)) for worker in workers.values())

    def submit(self, job: ImageJob) -> "Future[ImageResult]":
        future: Future[ImageResult] = self._executor.submit(scan_image, job)
        return future

    def stop_now(self) -> None:
        """Pending images are cancelled, running ones killed on their workers."""
        self._executor.shutdown(wait=False)
        with contextlib.suppress(Exception):  # a lost worker has nothing left to stop
            self._client.run(stop_running, wait=True)

    def close(self) -> None:
        self._executor.shutdown(wait=False)
        self._client.close()  # type: ignore[no-untyped-call]


def installed_version() -> str:
    """Run on each Dask worker: which iotbaseline it would scan with."""
    return __version__


def _start_local_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what a Ctrl-C stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)


def _ready() -> None:
    """The first task: returns once a worker is up."""


def _cpu_count() -> int:
    return max(1, len(os.sched_getaffinity(0)))

"""The batch's output folder: a folder per image holding what `scan` writes for one image, `batch.json`, the
default results database; a lock so that two batches never write the same folder at once, and one per image
folder so that two scans never write the same image's folder at once."""

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from iotbaseline.errors import OutputError
from iotbaseline.report.formats import FORMATS
from iotbaseline.sbom.writer import CYCLONEDX_FILE, SPDX_FILE, VEX_FILE

BATCH_FILE = "batch.json"
DATABASE_FILE = "results.sqlite"
LOCK_FILE = ".batch.lock"
SCAN_LOCK = ".scan.lock"
"""In an image's folder, held while the image is scanned; never removed (a new file would be a new lock)."""
SCAN_LOCK_WAIT = 60.0
ERROR_LOG = "error.log"
"""In an image's folder: the traceback of a scan that failed on a bug of ours."""

RESERVED_NAMES = (BATCH_FILE, DATABASE_FILE, f"{DATABASE_FILE}-wal", f"{DATABASE_FILE}-shm", LOCK_FILE)
"""Names an image's folder must not take."""

REPORT_FILES = tuple(report.file_name for report in FORMATS)
RESULT_FILES = (*REPORT_FILES, CYCLONEDX_FILE, SPDX_FILE, VEX_FILE, ERROR_LOG)
"""Everything a scan of one image leaves in its folder, beside the extraction."""


def reports_present(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REPORT_FILES)


def remove_results(folder: Path) -> None:
    """Before an image is scanned again: a report left from an earlier attempt must not sit beside a failure."""
    for name in RESULT_FILES:
        with contextlib.suppress(FileNotFoundError):
            (folder / name).unlink()


@contextlib.contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Held for the whole batch; the kernel releases it when the process ends, however it ends."""
    try:
        output.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(output / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise OutputError(f"{output}: cannot write there ({error.strerror or error})") from error
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"{output}: another batch is writing there; wait for it to end") from None
        yield
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def image_folder_lock(folder: Path, wait: float = SCAN_LOCK_WAIT) -> Iterator[None]:
    """Held by an image's scan and, through the inherited descriptor, by every process the scan forks (the
    extraction worker, unblob's pool). A batch killed with -9 can leave its extraction worker running (it leads
    a session of its own, out of reach of the kill); the rerun's scan of that image waits for it here rather than
    extract into a folder it is still writing."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(folder / SCAN_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        raise OutputError(f"{folder}: cannot write there ({error.strerror or error})") from error
    try:
        deadline = time.monotonic() + wait
        while not _locked(descriptor):
            if time.monotonic() > deadline:
                raise OutputError(
                    f"{folder}: an earlier scan of this image is still running after {wait:g} s "
                    "(left by a batch that was killed); run the batch again once it has ended"
                )
            time.sleep(0.2)
        yield
    finally:
        os.close(descriptor)


def _locked(descriptor: int) -> bool:
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True

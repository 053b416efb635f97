"""What a run of a batch does with each image: scan it, or keep what an earlier run stored.

Resume rests on the store, which records a scan as `running` before the image is sent to a worker. An image is
kept when the latest scan of its bytes (same SHA-256) stands: done, written to this image's folder, and its
reports are still there; or failed, unless `--retry-failed`. A latest scan still `running` was in flight when
the batch stopped (Ctrl-C, kill, power loss) and is redone. An image whose bytes changed is a new image.
"""

import hashlib
import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from iotbaseline.batch.discover import BatchImage
from iotbaseline.batch.folders import reports_present
from iotbaseline.errors import InputError
from iotbaseline.store.interface import ImageRef, ResultStore, ScanStatus, StoredScan

_BLOCK = 1024 * 1024


class Action(StrEnum):
    SCAN = "scan"
    KEEP = "keep"
    """The latest stored scan stands: done, or failed and not retried."""
    UNREADABLE = "unreadable"
    """Not a readable regular file: failed without a scan."""


@dataclass(frozen=True)
class PlannedImage:
    image: BatchImage
    folder: Path
    action: Action
    sha256: str | None = None
    size: int | None = None
    earlier: StoredScan | None = None
    """The latest stored scan of these bytes, whatever its status."""
    problem: str | None = None
    """Why the file is unreadable."""

    def ref(self) -> ImageRef:
        assert self.sha256 is not None and self.size is not None, "an unreadable image is never scanned"
        return ImageRef(path=str(self.image.path), sha256=self.sha256, size=self.size, product={})


def plan_image(image: BatchImage, output: Path, store: ResultStore, *, retry_failed: bool) -> PlannedImage:
    folder = output / image.name
    try:
        size, sha256 = identify(image.path)
    except InputError as error:
        return PlannedImage(image, folder, Action.UNREADABLE, problem=str(error))
    latest = store.latest(sha256)
    action = Action.KEEP if _stands(latest, folder, retry_failed=retry_failed) else Action.SCAN
    return PlannedImage(image, folder, action, sha256, size, latest)


def identify(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a regular file. Opened without blocking, so that a FIFO or a device named in a list
    is refused rather than waited on."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot open it ({error.strerror or error})") from None
    with open(descriptor, "rb", buffering=0, closefd=True) as stream:
        try:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise InputError(f"{path}: not a regular file")
            digest = hashlib.sha256()
            size = 0
            while block := stream.read(_BLOCK):
                digest.update(block)
                size += len(block)
        except OSError as error:
            raise InputError(f"{path}: cannot read it ({error.strerror or error})") from None
    return size, digest.hexdigest()


def _stands(latest: StoredScan | None, folder: Path, *, retry_failed: bool) -> bool:
    if latest is None or latest.output != str(folder):
        return False
    if latest.status == ScanStatus.DONE:
        return reports_present(folder)
    if latest.status == ScanStatus.FAILED:
        return not retry_failed
    return False  # running: it was in flight when the batch stopped

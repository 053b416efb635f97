"""What a dashboard worker process runs for one image: the scan, isolated in a child process of its own (the batch's
`run_isolated`: time and memory limits, a crash costs this image only), its reports and SBOMs written beside it,
a small result sent back. While the image unpacks, the child writes how far it got to `.progress.json` in the
scan's folder, which the queue page reads.

`scan_image` is a top-level function of picklable data, as a process pool needs.
"""

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from iotbaseline.batch.folders import ERROR_LOG, remove_results
from iotbaseline.batch.isolation import ProcessLimits, run_isolated
from iotbaseline.batch.worker import ImageResult, ScanRecord
from iotbaseline.checks.base import CheckSettings
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.model import JSONValue
from iotbaseline.store.interface import ScanStatus

if TYPE_CHECKING:
    from iotbaseline.firmware.usage import FolderUsage

PROGRESS_FILE = ".progress.json"
MAX_PROGRESS_BYTES = 4096
_WRITE_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class DashboardJob:
    image: str
    """Absolute: the upload, or the allow-listed file."""
    output: str
    """Absolute: this scan's folder under DATA/scans."""
    product: dict[str, JSONValue]
    """Vendor, model, firmware version as typed into the form: the report's product facts."""
    limits: ExtractionLimits
    settings: CheckSettings
    process: ProcessLimits


@dataclass(frozen=True)
class ScanProgress:
    phase: str
    entries: int
    bytes: int
    seconds: float


def scan_image(job: DashboardJob) -> ImageResult:
    """Never raises for anything an image does: a failure is a FAILED result with its reason."""
    isolated = run_isolated(scan_and_write, job, job.process, Path(job.output) / ERROR_LOG)
    if isolated.value is None:
        return ImageResult(ScanStatus.FAILED, isolated.failure, round(isolated.seconds, 3), None)
    return ImageResult(ScanStatus.DONE, None, round(isolated.seconds, 3), isolated.value)


def scan_and_write(job: DashboardJob) -> ScanRecord:
    """`iotbaseline scan IMAGE -o FOLDER --offline`, with the form's product facts; in the isolated child."""
    from iotbaseline.catalogue import default_catalogue
    from iotbaseline.report import write_reports
    from iotbaseline.sbom.writer import write_sboms
    from iotbaseline.scan import ScanOptions, scan

    output = Path(job.output)
    remove_results(output)
    progress = ProgressFile(output / PROGRESS_FILE)
    progress.write("unpacking and checking")
    options = ScanOptions(limits=job.limits, force=True, settings=job.settings, fetch_documents=False)
    outcome = scan([Path(job.image)], output, product=dict(job.product), options=options, progress=progress.unpacked)
    progress.write("writing reports", force=True)
    write_reports(outcome.assessment, default_catalogue(), output)
    write_sboms(outcome, output)
    return ScanRecord(outcome.assessment, dict(outcome.components), dict(outcome.vulnerabilities))


class ProgressFile:
    """Written whole (a temporary file renamed into place), at most twice a second."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = time.monotonic()
        self._last = 0.0
        self._entries = 0
        self._bytes = 0

    def unpacked(self, usage: "FolderUsage", seconds: float) -> None:
        self._entries, self._bytes = usage.entries, usage.bytes
        self.write("unpacking and checking")

    def write(self, phase: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < _WRITE_EVERY_SECONDS:
            return
        self._last = now
        document = {"phase": phase, "entries": self._entries, "bytes": self._bytes, "seconds": now - self.started}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".progress.", suffix=".tmp")
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                json.dump(document, out)
            Path(temporary).replace(self.path)
        except OSError:  # progress is a courtesy: a full disk shows in the scan's own result
            return


def read_progress(output: Path) -> ScanProgress | None:
    """What the child last wrote; None when there is nothing readable (not started, or a malformed file)."""
    try:
        with (output / PROGRESS_FILE).open("rb") as source:
            document = json.loads(source.read(MAX_PROGRESS_BYTES))
        phase, entries, size, seconds = (document[key] for key in ("phase", "entries", "bytes", "seconds"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(phase, str) and _count(entries) and _count(size) and isinstance(seconds, int | float)):
        return None
    return ScanProgress(phase[:64], entries, size, float(seconds))


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0

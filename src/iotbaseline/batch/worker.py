"""What runs on a worker (a local pool process or a Dask worker): one image, scanned in a child process of its
own, its reports and SBOMs written beside it, a small result sent back.

`scan_image` is the executor's task: a top-level function of plain, picklable data, so any `concurrent.futures`
executor can run it. The worker writes the files (it has them, on a cluster as well as locally); the batch's
main process stores the result (one writer to the database).
"""

import multiprocessing
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from iotbaseline.batch.folders import ERROR_LOG, image_folder_lock, remove_results
from iotbaseline.batch.isolation import ProcessLimits, run_isolated
from iotbaseline.batch.warmup import warm_up
from iotbaseline.checks.base import CheckSettings
from iotbaseline.components.model import Component
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.model import Assessment
from iotbaseline.processes import allow_children
from iotbaseline.store.interface import ScanStatus
from iotbaseline.vulndb.match import VulnerabilityMatch


@dataclass(frozen=True)
class ImageJob:
    image: str
    """Absolute path, the same on every worker."""
    output: str
    """The image's folder under OUT (absolute): what `scan` writes for one image."""
    limits: ExtractionLimits
    settings: CheckSettings
    process: ProcessLimits


@dataclass(frozen=True)
class ScanRecord:
    """What the store keeps of a scan."""

    assessment: Assessment
    components: Mapping[str, Sequence[Component]]
    vulnerabilities: Mapping[str, Sequence[VulnerabilityMatch]]


@dataclass(frozen=True)
class ImageResult:
    status: ScanStatus
    """DONE or FAILED."""
    reason: str | None
    seconds: float
    record: ScanRecord | None


def scan_image(job: ImageJob) -> ImageResult:
    """Never raises for anything an image does: a failure is a FAILED result with its reason."""
    prepare_worker()
    isolated = run_isolated(scan_and_write, job, job.process, Path(job.output) / ERROR_LOG)
    if isolated.value is None:
        return ImageResult(ScanStatus.FAILED, isolated.failure, round(isolated.seconds, 3), None)
    return ImageResult(ScanStatus.DONE, None, round(isolated.seconds, 3), isolated.value)


def scan_and_write(job: ImageJob) -> ScanRecord:
    """The scan of one image, as `iotbaseline scan IMAGE -o FOLDER` would do it, in the isolated child."""
    from iotbaseline.catalogue import default_catalogue
    from iotbaseline.report import write_reports
    from iotbaseline.sbom.writer import write_sboms
    from iotbaseline.scan import ScanOptions, scan

    output = Path(job.output)
    with image_folder_lock(output):
        remove_results(output)
        options = ScanOptions(limits=job.limits, force=True, settings=job.settings, fetch_documents=False)
        outcome = scan([Path(job.image)], output, options=options)
        write_reports(outcome.assessment, default_catalogue(), output)
        write_sboms(outcome, output)
    return ScanRecord(outcome.assessment, dict(outcome.components), dict(outcome.vulnerabilities))


def prepare_worker() -> None:
    """Once per worker process: imports the scan and warms it up (`warmup`), so that each image's child, a fork
    of the worker, starts scanning at once with everything loaded.

    unblob sets multiprocessing's start method to fork when it is imported, which raises where a method is set
    already (a pool worker, a Dask worker: spawn). unblob and our extraction supervisor need fork, so the method
    is cleared for unblob to set."""
    global _prepared
    with _preparing:
        if _prepared:
            return
        allow_children()
        if "unblob.pool" not in sys.modules and multiprocessing.get_start_method(allow_none=True) is not None:
            multiprocessing.set_start_method(None, force=True)
        warm_up()
        _prepared = True


_prepared = False
_preparing = threading.Lock()
"""A Dask worker runs tasks on several threads: one of them prepares, the others wait."""

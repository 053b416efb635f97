"""The extraction worker: runs unblob on one image inside its own process group.

Everything here runs in a child process that the supervisor can kill as a whole (with the
external extractors unblob starts). It lowers its own limits before touching the image:
no single file larger than the cap (the kernel stops the write, the extractor reports an error,
unblob goes on with the rest) and writes confined to the output folder by Landlock where the
kernel offers it.
"""

import os
import resource
import signal
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unblob.models import Task
from unblob.pool import make_pool
from unblob.processing import ExtractionConfig, Processor
from unblob.sandbox import AccessFS, Sandbox

from iotbaseline.firmware.journal import JournalReporter
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.firmware.unblob_setup import extraction_config, send_unblob_logs_to
from iotbaseline.firmware.visit_policy import VisitPolicy
from iotbaseline.processes import die_with_parent

WORKER_FAILED = 3


@dataclass(frozen=True)
class WorkerJob:
    image: Path
    extract_root: Path
    journal: Path
    log: Path
    limits: ExtractionLimits
    single_file_cap: int


def run_worker(job: WorkerJob) -> None:
    try:
        _extract(job)
    except BaseException:
        # The supervisor reports the failure; the traceback goes to the log, not to the user.
        with job.log.open("a", encoding="utf-8") as log:
            log.write(traceback.format_exc())
        os._exit(WORKER_FAILED)


def _extract(job: WorkerJob) -> None:
    supervisor = os.getppid()
    os.setsid()
    # Its own process group puts the worker out of reach of a signal to the caller's group: without
    # this, a supervisor killed with -9 (a batch stopped hard) would leave it extracting on its own.
    die_with_parent(supervisor)
    # unblob runs the extractors its Python dependencies install (jefferson, ubireader_*) by
    # name; they sit beside our interpreter, which need not be on PATH (.venv/bin/iotbaseline).
    os.environ["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", "")))
    # A write past the cap fails with EFBIG instead of killing the writer with SIGXFSZ; the
    # ignored disposition is inherited by the external extractors unblob starts.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (job.single_file_cap, job.single_file_cap))
    # Core dumps of crashing extractors would land in the output folder and eat its budget.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    with job.log.open("a", encoding="utf-8") as log_file:
        send_unblob_logs_to(log_file)
        JournalReporter.journal_path = job.journal
        config = extraction_config(job.extract_root, job.limits)
        sandbox = Sandbox(
            config,
            log_path=job.log,
            report_file=None,
            extra_passthrough=[AccessFS.read_write(job.journal.parent)],
        )
        sandbox.run(_run_unblob, config, job.image)


def _run_unblob(config: ExtractionConfig, image: Path) -> None:
    """unblob's own task loop (its Processor on its process pool), except that an extracted file
    goes back to unblob only when the visit policy says it may hold a container."""
    processor = Processor(config)
    policy = VisitPolicy(config.extract_root)
    journal = JournalReporter()

    def on_result(pool: Any, result: Any) -> None:
        journal.update(result)
        for task in result.subtasks:
            if task.is_multi_file or policy.worth_carving(task.path):
                pool.submit(task)
            else:
                journal.passed_over(task)

    pool: Any = make_pool(process_num=config.process_num, handler=processor.process_task, result_callback=on_result)
    with pool, journal:
        pool.submit(Task(path=image, depth=0, blob_id=""))
        pool.process_until_done()

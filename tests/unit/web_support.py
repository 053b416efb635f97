"""The dashboard under test: a real app over a real SQLite store in a temporary folder, with a scan runner that
answers at once with a prepared assessment (the real worker pool is exercised end to end in Chromium)."""

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from fastapi import FastAPI
from starlette.testclient import TestClient

from iotbaseline.batch.worker import ImageResult, ScanRecord
from iotbaseline.model import Assessment, Finding, Input, Location, Outcome, Severity, Verdict, VerdictValue
from iotbaseline.sbom.writer import CYCLONEDX_FILE
from iotbaseline.store.interface import ImageRef, ScanStatus
from iotbaseline.store.sql_store import SqlResultStore
from iotbaseline.web.app import create_app
from iotbaseline.web.scan_task import DashboardJob
from iotbaseline.web.settings import DashboardSettings

TOKEN = "correct-horse-battery-staple-42"
LOOPBACK = ("127.0.0.1", 40000)
REMOTE = ("203.0.113.7", 40000)
HOSTILE_TITLE = '<script>alert("pwned")</script> key in /www/\u202eevil.pem'
HOSTILE_DETAIL = '"><img src=x onerror=alert(1)> and \x1b[31m'
TELNET = Finding(
    check="firmware.services.network",
    outcome=Outcome.FAIL,
    provisions=("EN303645:5.5-4",),
    severity=Severity.HIGH,
    title="Network shell without authentication started at boot",
    location=Location(image="fw.bin", path="/etc/init.d/rcS", line=21),
    detail="telnetd -l /bin/sh gives a shell to anyone on the network.",
    evidence={"command": "telnetd -l /bin/sh"},
    discriminator="telnetd",
)
HOSTILE = Finding(
    check="firmware.secrets.private-key",
    outcome=Outcome.FAIL,
    provisions=("EN303645:5.4-3", "PSTI:1"),
    severity=Severity.HIGH,
    title=HOSTILE_TITLE,
    location=Location(image="fw.bin", path="/www/<b>x</b>.pem"),
    detail=HOSTILE_DETAIL,
    evidence={"banner": "<iframe src=//evil>", "lines": ["<svg onload=alert(1)>"]},
    discriminator="k",
)


def assessment(*findings: Finding, image: str = "fw.bin") -> Assessment:
    failing = [f for f in findings if f.outcome is Outcome.FAIL]
    psti1 = VerdictValue.FAIL if failing else VerdictValue.INCONCLUSIVE
    return Assessment(
        tool_version="0.1.0",
        created="2026-11-26T08:00:00+00:00",
        product={"model": "R1"},
        inputs=(Input("firmware", f"/data/{image}", "ab" * 32, 4096),),
        findings=findings,
        verdicts=(
            Verdict("PSTI", "1", psti1, "reason one", tuple(f.id for f in failing)),
            Verdict("PSTI", "2", VerdictValue.INCONCLUSIVE, "reason two"),
            Verdict("PSTI", "3", VerdictValue.INCONCLUSIVE, "reason three"),
            Verdict(
                "EN303645",
                "5.5-4",
                VerdictValue.FAIL if TELNET in findings else VerdictValue.INCONCLUSIVE,
                "telnet",
                (TELNET.id,) if TELNET in findings else (),
            ),
        ),
    )


@dataclass
class FakeRunner:
    """Answers each job with `result(job)` (by default: done, with `assessment()`, and an SBOM in the folder)."""

    result: Callable[[DashboardJob], ImageResult] | None = None
    jobs: list[DashboardJob] = field(default_factory=list)
    closed: bool = False

    def submit(self, job: DashboardJob) -> "Future[ImageResult]":
        self.jobs.append(job)
        future: Future[ImageResult] = Future()
        try:
            future.set_result((self.result or done_with(assessment(TELNET)))(job))
        except Exception as error:
            future.set_exception(error)
        return future

    def close(self) -> None:
        self.closed = True


def done_with(result: Assessment) -> Callable[[DashboardJob], ImageResult]:
    def scan(job: DashboardJob) -> ImageResult:
        (Path(job.output) / CYCLONEDX_FILE).write_text('{"bomFormat": "CycloneDX"}', encoding="utf-8")
        return ImageResult(ScanStatus.DONE, None, 0.1, ScanRecord(result, {}, {}))

    return scan


@dataclass(frozen=True)
class Running:
    app: FastAPI
    store: SqlResultStore
    runner: FakeRunner
    settings: DashboardSettings

    def client(self, address: tuple[str, int] = LOOPBACK, host: str = "127.0.0.1:8000") -> TestClient:
        return TestClient(self.app, base_url=f"http://{host}", client=address, follow_redirects=False)


@contextmanager
def dashboard(tmp_path: Path, runner: FakeRunner | None = None, **options: object) -> Iterator[Running]:
    settings = replace(DashboardSettings(data=tmp_path / "data", token=TOKEN), **options)  # type: ignore[arg-type]
    store = SqlResultStore.open(str(tmp_path / "results.sqlite"))
    runner = runner or FakeRunner()
    app = create_app(settings, store, runner)
    try:
        with TestClient(app):  # runs the lifespan: the queue's thread starts and stops
            yield Running(app, store, runner, settings)
    finally:
        store.close()


def stored_scan(store: SqlResultStore, result: Assessment, number: int = 1, output: Path | None = None) -> int:
    image = ImageRef(f"/firmware/image-{number}.bin", f"{number:064x}", 100, {"vendor": "Acme", "model": "R1"})
    scan_id = store.begin(image, "0.1.0", str(output) if output else None)
    store.finish(scan_id, result, {}, {})
    return scan_id


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found[1]


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    done = threading.Event()
    for _ in range(int(timeout * 20)):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError("the condition did not hold in time")

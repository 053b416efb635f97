"""Asking for scans: uploads (CSRF, size limit while streaming, safe names), paths inside the allow-listed folders
only, and a queue that survives a failing scan."""

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from iotbaseline.batch.worker import ImageResult
from iotbaseline.firmware.usage import FolderUsage
from iotbaseline.store.interface import ImageRef, ScanStatus
from iotbaseline.web.scan_queue import ABANDONED, close_abandoned
from iotbaseline.web.scan_task import PROGRESS_FILE, DashboardJob, ProgressFile
from iotbaseline.web.uploads import safe_file_name
from tests.unit.web_support import REMOTE, TOKEN, FakeRunner, Running, csrf_of, dashboard, wait_for

IMAGE = b"\x27\x05\x19\x56" + bytes(range(256)) * 40


def upload(running: Running, data: bytes = IMAGE, name: str = "fw.bin", **fields: str) -> tuple[int, str]:
    client = running.client()
    csrf = csrf_of(client.get("/upload").text)
    response = client.post("/upload", data={"csrf_token": csrf, **fields}, files={"image": (name, data)})
    return response.status_code, response.headers.get("location", response.text)


def uploaded_files(running: Running) -> list[Path]:
    return sorted(path for path in running.settings.uploads.rglob("*") if path.is_file())


def test_an_upload_is_stored_under_a_generated_folder_and_queued_with_its_product(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        status, location = upload(running, name="../../etc/Router FW (EU).bin", vendor="Acme", model="R1")
        wait_for(lambda: not running.app.state.dashboard.queue.busy())
        [stored] = uploaded_files(running)
        [job] = running.runner.jobs
        [entry] = running.app.state.dashboard.queue.entries()
        scan = running.store.scan(1)

    assert status == 303 and location == "/queue#job-1"
    assert stored.parent.parent == running.settings.uploads and len(stored.parent.name) == 32
    assert stored.name == "Router_FW_EU_.bin"
    assert stored.read_bytes() == IMAGE
    assert job.image == str(stored) and job.product == {"vendor": "Acme", "model": "R1"}
    assert Path(job.output).parent == running.settings.scans
    assert entry.state.value == "done" and entry.scan_id == 1
    assert (
        scan is not None and scan.status is ScanStatus.DONE and scan.image_sha256 == hashlib.sha256(IMAGE).hexdigest()
    )


def test_an_upload_without_the_csrf_token_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client()
        client.get("/upload")  # the browser has a session, the forged form does not know its token
        missing = client.post("/upload", files={"image": ("fw.bin", IMAGE)})
        wrong = client.post("/upload", data={"csrf_token": "guessed"}, files={"image": ("fw.bin", IMAGE)})
        files = uploaded_files(running)

    assert missing.status_code == 403 and wrong.status_code == 403
    assert "CSRF" in missing.text
    assert files == [] and running.runner.jobs == []


def test_the_csrf_token_must_come_before_the_file(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client()
        csrf = csrf_of(client.get("/upload").text)
        body = (
            b'--B\r\nContent-Disposition: form-data; name="image"; filename="fw.bin"\r\n\r\n' + IMAGE + b"\r\n"
            b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + csrf.encode() + b"\r\n--B--\r\n"
        )
        response = client.post("/upload", content=body, headers={"content-type": "multipart/form-data; boundary=B"})
        files = uploaded_files(running)

    assert response.status_code == 403 and files == []


def test_a_script_with_the_bearer_token_uploads_without_a_csrf_token(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client(REMOTE, host="dashboard.example")
        response = client.post(
            "/upload", files={"image": ("fw.bin", IMAGE)}, headers={"Authorization": f"Bearer {TOKEN}"}
        )

    assert response.status_code == 303


def test_an_upload_over_the_limit_is_refused_with_413_and_leaves_nothing(tmp_path: Path) -> None:
    with dashboard(tmp_path, max_upload_bytes=len(IMAGE) - 1) as running:
        status, text = upload(running)
        files = uploaded_files(running)
        folders = list(running.settings.uploads.iterdir())
        exactly = upload(running, IMAGE[:-1])[0]

    assert status == 413 and "larger than the upload limit" in text
    assert files == [] and folders == []
    assert exactly == 303


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(tmp_path: Path) -> None:
    with dashboard(tmp_path, max_upload_bytes=1000) as running:
        client = running.client()
        csrf = csrf_of(client.get("/upload").text)
        response = client.post(
            "/upload",
            content=b"",
            headers={"content-type": "multipart/form-data; boundary=B", "content-length": str(10**9)},
        )
        also = client.post("/upload", data={"csrf_token": csrf}, files={"image": ("a", bytes(200_000))})

    assert response.status_code == 413
    assert also.status_code == 413


def test_a_chunked_upload_without_a_length_is_counted_as_it_streams(tmp_path: Path) -> None:
    with dashboard(tmp_path, max_upload_bytes=100_000) as running:
        client = running.client()
        csrf = csrf_of(client.get("/upload").text)

        def body() -> Iterator[bytes]:
            yield b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + csrf.encode() + b"\r\n"
            yield b'--B\r\nContent-Disposition: form-data; name="image"; filename="big.bin"\r\n\r\n'
            for _ in range(1000):
                yield bytes(64 * 1024)

        response = client.post("/upload", content=body(), headers={"content-type": "multipart/form-data; boundary=B"})
        files = uploaded_files(running)

    assert response.status_code == 413 and files == []


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"image=x", "application/x-www-form-urlencoded", 415),
        (b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\nx\r\n--B--\r\n', "multipart/form-data", 415),
        (b"not multipart at all", "multipart/form-data; boundary=B", 400),
    ],
)
def test_malformed_uploads_are_refused(tmp_path: Path, body: bytes, content_type: str, status: int) -> None:
    with dashboard(tmp_path) as running:
        response = running.client().post("/upload", content=body, headers={"content-type": content_type})
    assert response.status_code == status


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        status, text = upload(running, b"")
        files = uploaded_files(running)
    assert status == 400 and "empty" in text and files == []


@pytest.mark.parametrize(
    ("client_name", "stored"),
    [
        ("fw.bin", "fw.bin"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\..\\fw.img", "fw.img"),
        (".hidden", "hidden"),
        ("..", "firmware.bin"),
        ("", "firmware.bin"),
        ("<script>.bin", "_script_.bin"),
        ("\u202eevil.bin", "_evil.bin"),
        ("a" * 300, "a" * 100),
    ],
)
def test_client_file_names_are_reduced_to_a_safe_name(client_name: str, stored: str) -> None:
    assert safe_file_name(client_name) == stored


def allowed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "allowed"
    (folder / "sub").mkdir(parents=True)
    (folder / "fw.bin").write_bytes(IMAGE)
    (folder / "sub" / "other.bin").write_bytes(IMAGE + b"x")
    (tmp_path / "secret.bin").write_bytes(b"outside")
    (folder / "link-out.bin").symlink_to(tmp_path / "secret.bin")
    (folder / "link-in.bin").symlink_to(folder / "fw.bin")
    os.mkfifo(folder / "pipe")
    return folder


def scan_path(running: Running, path: str) -> tuple[int, str]:
    client = running.client()
    csrf = csrf_of(client.get("/upload").text)
    response = client.post("/scan-path", data={"csrf_token": csrf, "path": path, "model": "R1"})
    return response.status_code, response.text


@pytest.mark.parametrize(
    "path",
    [
        "../secret.bin",
        "sub/../../secret.bin",
        "link-out.bin",
        "{tmp}/secret.bin",
        "{tmp}/allowed/../secret.bin",
        "/etc/passwd",
        "missing.bin",
        "",
        "fw.bin\x00.txt",
    ],
)
def test_paths_outside_the_allowed_folder_are_refused(tmp_path: Path, path: str) -> None:
    folder = allowed_folder(tmp_path)
    with dashboard(tmp_path, allow_paths=(folder.resolve(),)) as running:
        status, text = scan_path(running, path.format(tmp=tmp_path))
        jobs = running.runner.jobs

    assert status == 400
    assert "secret" not in text.split("problem")[1].split("</p>")[0]  # no hint of what lies outside
    assert jobs == []


@pytest.mark.parametrize(("path", "why"), [("pipe", "not a regular file"), ("sub", "not a regular file")])
def test_only_regular_files_are_scanned(tmp_path: Path, path: str, why: str) -> None:
    folder = allowed_folder(tmp_path)
    with dashboard(tmp_path, allow_paths=(folder.resolve(),)) as running:
        status, text = scan_path(running, path)
    assert status == 400 and why in text


@pytest.mark.parametrize(
    ("path", "scanned"), [("fw.bin", "fw.bin"), ("sub/other.bin", "sub/other.bin"), ("link-in.bin", "fw.bin")]
)
def test_a_path_inside_the_allowed_folder_is_queued_resolved(tmp_path: Path, path: str, scanned: str) -> None:
    folder = allowed_folder(tmp_path)
    with dashboard(tmp_path, allow_paths=(folder.resolve(),)) as running:
        status, _ = scan_path(running, path)
        absolute, _ = scan_path(running, str(folder / path))
        wait_for(lambda: not running.app.state.dashboard.queue.busy())
        jobs = running.runner.jobs

    assert status == absolute == 303
    assert [job.image for job in jobs] == [str((folder / scanned).resolve())] * 2
    assert jobs[0].product == {"model": "R1"}


def test_scanning_by_path_is_off_without_an_allowed_folder(tmp_path: Path) -> None:
    allowed_folder(tmp_path)
    with dashboard(tmp_path) as running:
        status, text = scan_path(running, str(tmp_path / "allowed" / "fw.bin"))
    assert status == 400 and "--allow-path" in text


def test_scanning_by_path_needs_the_csrf_token(tmp_path: Path) -> None:
    folder = allowed_folder(tmp_path)
    with dashboard(tmp_path, allow_paths=(folder.resolve(),)) as running:
        running.client().get("/upload")
        response = running.client().post("/scan-path", data={"path": "fw.bin"})
    assert response.status_code == 403 and running.runner.jobs == []


def crashed(job: DashboardJob) -> ImageResult:
    return ImageResult(ScanStatus.FAILED, "the scan process crashed (SIGSEGV)", 0.2, None)


def lost(job: DashboardJob) -> ImageResult:
    raise RuntimeError("worker gone")


@pytest.mark.parametrize(("result", "reason"), [(crashed, "crashed (SIGSEGV)"), (lost, "worker process was lost")])
def test_a_failing_scan_is_recorded_and_the_server_goes_on(tmp_path: Path, result: object, reason: str) -> None:
    runner = FakeRunner(result)  # type: ignore[arg-type]
    with dashboard(tmp_path, runner) as running:
        upload(running)
        wait_for(lambda: not running.app.state.dashboard.queue.busy())
        queue_page = running.client().get("/queue").text
        failed = running.store.scan(1)
        runner.result = None  # the next scan works
        upload(running, IMAGE + b"2")
        wait_for(lambda: not running.app.state.dashboard.queue.busy())
        done = running.store.scan(2)

    assert failed is not None and failed.status is ScanStatus.FAILED and reason in (failed.error or "")
    assert reason in queue_page and 'data-state="failed"' in queue_page
    assert done is not None and done.status is ScanStatus.DONE


class HeldRunner(FakeRunner):
    """Scans that run until the test ends them."""

    def __init__(self) -> None:
        super().__init__()
        self.futures: list[Future[ImageResult]] = []

    def submit(self, job: DashboardJob) -> "Future[ImageResult]":
        self.jobs.append(job)
        self.futures.append(Future())
        return self.futures[-1]


def test_the_queue_shows_waiting_and_running_scans_with_progress_and_refreshes_only_then(tmp_path: Path) -> None:
    runner = HeldRunner()
    with dashboard(tmp_path, runner) as running:
        idle = running.client().get("/queue").text
        upload(running)
        upload(running, IMAGE + b"2")
        wait_for(lambda: len(runner.jobs) == 1)
        progress = ProgressFile(Path(runner.jobs[0].output) / PROGRESS_FILE)
        progress.unpacked(FolderUsage(bytes=3 * 1024 * 1024, entries=1234, largest_path="", largest_size=0), 1.0)
        busy = running.client().get("/queue").text
        runner.futures[0].set_result(crashed(runner.jobs[0]))
        wait_for(lambda: len(runner.jobs) == 2)
        runner.futures[1].set_result(crashed(runner.jobs[1]))
        wait_for(lambda: not running.app.state.dashboard.queue.busy())
        finished = running.client().get("/queue").text

    assert 'http-equiv="refresh"' not in idle and 'http-equiv="refresh"' not in finished
    assert 'http-equiv="refresh" content="2; url=/queue"' in busy
    assert 'data-state="running"' in busy and 'data-state="queued"' in busy
    assert "unpacking and checking: 1,234 entries, 3.0 MiB" in busy
    assert finished.count('data-state="failed"') == 4  # two rows, each with its badge


def test_scans_this_dashboard_left_running_are_closed_as_failed_at_start(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        ours = running.store.begin(
            ImageRef("/x/a.bin", "a" * 64, 1, {}), "0.1.0", str(running.settings.scans / "0123456789abcdef")
        )
        a_batchs = running.store.begin(ImageRef("/x/b.bin", "b" * 64, 1, {}), "0.1.0", str(tmp_path / "batch" / "b"))
        closed = close_abandoned(running.store, running.settings.scans)
        mine, theirs = running.store.scan(ours), running.store.scan(a_batchs)

    assert closed == 1
    assert mine is not None and mine.status is ScanStatus.FAILED and mine.error == ABANDONED
    assert theirs is not None and theirs.status is ScanStatus.RUNNING

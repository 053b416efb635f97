"""`iotbaseline batch` over corpus images: every report per image, failures that do not stop the batch, a
kill -9 halfway that the rerun resumes to the same results, and a real two-worker Dask cluster."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from iotbaseline.batch.folders import REPORT_FILES
from iotbaseline.sbom import CYCLONEDX_FILE, SPDX_FILE
from iotbaseline.store.interface import ScanStatus, StoredScan
from iotbaseline.store.sql_store import SqlResultStore
from tests.corpus import build_image

pytestmark = pytest.mark.e2e

SMALL = (
    "plug-armel-cpio-xz",
    "plug-mipsel-squashfs-lzo",
    "plug-mipsel-tar-lzma",
    "plug-armel-cramfs",
    "plug-armhf-romfs",
    "sample-camera-mipsel",
)
EIGHT = (*SMALL, "plug-mipsel-cpio-odc-gzip", "camera-armhf-cpio-newc-gzip")
BUDGET = ("--max-output-bytes", "100000000")  # the bomb is cut at 100 MB rather than 512 MiB: a shorter test


def batch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "iotbaseline.batch_cli", *args]


def run_batch(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(batch_command(*args), capture_output=True, text=True, timeout=timeout, check=False)


def corpus_folder(folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        image = build_image(name)
        shutil.copyfile(image, folder / image.name)
    return folder


def batch_json(out: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / "batch.json").read_text())
    return document


def statuses(out: Path) -> dict[str, str]:
    return {entry["name"]: entry["status"] for entry in batch_json(out)["images"]}


def findings(report: Path) -> list[tuple[str, str, str]]:
    """Each finding's id, with its check and title to read a difference by. A cracking dictionary cut short by
    its time budget depends on the machine's load, not on the image, so it is left out of the comparison."""
    document = json.loads(report.read_text())
    return sorted(
        (finding["id"], finding["check"], finding["title"])
        for finding in document["findings"]
        if not finding["title"].endswith("dictionary cut short")
    )


def stored_scans(out: Path) -> list[StoredScan]:
    with SqlResultStore.open(str(out / "results.sqlite"), create=False) as store:
        return list(store.scans(limit=1000))


def test_a_batch_on_two_workers_reports_every_image_and_failures_do_not_stop_it(tmp_path: Path) -> None:
    folder = corpus_folder(tmp_path / "images", (*SMALL, "hostile-gzip-bomb"))
    (folder / "README.txt").write_text("release notes, not an image\n")
    camera = build_image("sample-camera-mipsel").read_bytes()
    (folder / "truncated-camera.trx").write_bytes(camera[: len(camera) // 3])
    os.mkfifo(tmp_path / "serial-console.bin")
    listing = tmp_path / "queue.txt"
    listing.write_text(f"images\n# also asked for:\n{tmp_path / 'gone' / 'fw.bin'}\nserial-console.bin\n")
    out = tmp_path / "out"

    done = run_batch(f"@{listing}", "-o", str(out), "--workers", "2", *BUDGET)

    assert done.returncode == 1, done.stderr  # some failed
    document = batch_json(out)
    assert document["complete"] is True and document["counts"] == {"done": 8, "failed": 2, "pending": 0}
    by_name = {entry["name"]: entry for entry in document["images"]}
    assert set(by_name) == {build_image(n).name for n in (*SMALL, "hostile-gzip-bomb")} | {
        "truncated-camera.trx",
        "fw.bin",
        "serial-console.bin",
    }
    assert by_name["fw.bin"]["reason"] == f"{tmp_path / 'gone' / 'fw.bin'}: no such file"
    assert by_name["serial-console.bin"]["reason"] == f"{tmp_path / 'serial-console.bin'}: not a regular file"
    for name, entry in by_name.items():
        if entry["status"] == "done":
            assert entry["reason"] is None and entry["seconds"] > 0
            assert all((out / name / report).is_file() for report in (*REPORT_FILES, CYCLONEDX_FILE, SPDX_FILE))
    bomb = json.loads((out / "hostile-gzip-bomb.bin.gz" / "report.json").read_text())
    assert any(item["what"] == "budget" for item in bomb["inputs"][0]["incomplete"])  # contained, not failed
    assert by_name["hostile-gzip-bomb.bin.gz"]["incomplete"] == len(bomb["inputs"][0]["incomplete"])
    assert by_name["sample-camera-mipsel.trx"]["incomplete"] == 0
    camera_report = json.loads((out / "sample-camera-mipsel.trx" / "report.json").read_text())
    assert camera_report["inputs"][0]["sha256"] == by_name["sample-camera-mipsel.trx"]["sha256"]
    scans = stored_scans(out)
    assert sorted(scan.status for scan in scans) == [ScanStatus.DONE] * 8
    assert {scan.output for scan in scans} == {str(out / name) for name, e in by_name.items() if e["status"] == "done"}


def test_an_image_over_its_time_limit_fails_with_the_reason(tmp_path: Path) -> None:
    folder = corpus_folder(tmp_path / "images", ("hostile-gzip-bomb", "plug-armel-cpio-xz"))
    out = tmp_path / "out"

    done = run_batch(str(folder), "-o", str(out), "--workers", "1", "--image-timeout", "3")

    assert done.returncode == 1, done.stderr
    entries = {entry["name"]: entry for entry in batch_json(out)["images"]}
    bomb = entries["hostile-gzip-bomb.bin.gz"]
    assert (bomb["status"], bomb["reason"]) == ("failed", "stopped after 3 s (the time limit per image)")
    assert not (out / "hostile-gzip-bomb.bin.gz" / "report.json").exists()
    assert entries["plug-armel-cpio-xz.cpio.xz"]["status"] == "done"


def test_a_batch_killed_halfway_resumes_to_the_results_of_an_uninterrupted_run(tmp_path: Path) -> None:
    folder = corpus_folder(tmp_path / "images", EIGHT)
    reference = tmp_path / "reference"
    assert run_batch(str(folder), "-o", str(reference), "--workers", "1").returncode == 0
    out = tmp_path / "out"

    batch = subprocess.Popen(
        batch_command(str(folder), "-o", str(out), "--workers", "1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_done(out, 2, batch)
    finally:
        os.killpg(batch.pid, signal.SIGKILL)
        batch.wait()
    before = stored_scans(out)
    done_before = {scan.image_sha256 for scan in before if scan.status == ScanStatus.DONE}
    assert 2 <= len(done_before) < len(EIGHT)
    assert any(scan.status == ScanStatus.RUNNING for scan in before)  # killed with images in flight
    kept_reports = {
        Path(scan.output or "") / "report.json": (Path(scan.output or "") / "report.json").stat().st_mtime_ns
        for scan in before
        if scan.status == ScanStatus.DONE
    }

    resumed = run_batch(str(folder), "-o", str(out), "--workers", "1")

    assert resumed.returncode == 0, resumed.stderr
    assert statuses(out) == statuses(reference) == {build_image(name).name: "done" for name in EIGHT}
    for name in statuses(out):
        assert findings(out / name / "report.json") == findings(reference / name / "report.json"), name
    after = stored_scans(out)
    for sha256 in done_before:  # done before the kill: not scanned again
        assert [scan.status for scan in after if scan.image_sha256 == sha256] == [ScanStatus.DONE]
    assert all(report.stat().st_mtime_ns == mtime for report, mtime in kept_reports.items())
    redone = [scan for scan in after if scan.image_sha256 not in done_before]
    assert sorted(scan.status for scan in redone) == sorted(
        [ScanStatus.DONE, ScanStatus.FAILED] * (len(EIGHT) - len(done_before))
    )  # each interrupted scan closed as failed once its redo began, and the redo done
    entries = batch_json(out)["images"]
    assert sum(entry["earlier_run"] for entry in entries) == len(done_before)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_kill_stops_every_worker_and_leaves_the_images_in_flight_to_the_rerun(
    tmp_path: Path, stop: signal.Signals
) -> None:
    folder = corpus_folder(tmp_path / "images", ("plug-armel-cpio-xz", *SMALL[1:4], "hostile-gzip-bomb"))
    out = tmp_path / "out"
    batch = subprocess.Popen(
        batch_command(str(folder), "-o", str(out), "--workers", "2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_done(out, 1, batch)
    descendants = psutil.Process(batch.pid).children(recursive=True)

    batch.send_signal(stop)
    _, stderr = batch.communicate(timeout=60)

    assert batch.returncode == 3, stderr
    assert "stopped: interrupted; run the same command again to resume" in stderr
    assert not [process for process in descendants if alive(process)]
    document = batch_json(out)
    assert document["complete"] is False and document["counts"]["pending"] > 0
    scans = stored_scans(out)
    assert {scan.status for scan in scans} <= {ScanStatus.DONE, ScanStatus.RUNNING}
    assert sum(scan.status == ScanStatus.RUNNING for scan in scans) == document["counts"]["pending"]


def alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def wait_for_done(out: Path, count: int, batch: "subprocess.Popen[Any]", timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert batch.poll() is None, "the batch ended before it could be killed"
        try:
            if batch_json(out)["counts"]["done"] >= count:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} images done after {timeout} s")


def test_a_batch_runs_on_a_real_two_worker_dask_cluster(tmp_path: Path) -> None:
    import distributed  # a dependency: missing, the test fails rather than skips

    names = ("plug-armel-cpio-xz", "plug-mipsel-squashfs-lzo", "sample-camera-mipsel")
    folder = corpus_folder(tmp_path / "images", names)
    out = tmp_path / "out"
    started = time.monotonic()
    with distributed.LocalCluster(  # type: ignore[no-untyped-call]  # distributed has no type hints
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        done = run_batch(str(folder), "-o", str(out), "--dask", cluster.scheduler_address, timeout=120)
        ran = dict(cluster.scheduler.task_prefixes["scan_image"].state_counts)

    assert done.returncode == 0, done.stderr
    assert f"Dask cluster at {cluster.scheduler_address} (2 worker threads)" in done.stderr
    assert statuses(out) == {build_image(name).name: "done" for name in names}
    assert all((out / build_image(name).name / "report.json").is_file() for name in names)
    assert ran["memory"] == len(names)  # each image's task computed on a Dask worker
    assert time.monotonic() - started < 90

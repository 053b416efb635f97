"""Resume: what a rerun does with each image, from what the store says of its bytes."""

import hashlib
import os
from pathlib import Path

import pytest

from iotbaseline.batch.discover import BatchImage
from iotbaseline.batch.folders import REPORT_FILES
from iotbaseline.batch.plan import Action, identify, plan_image
from iotbaseline.components.model import Component
from iotbaseline.model import Assessment
from iotbaseline.store.interface import ImageRef
from iotbaseline.vulndb.match import VulnerabilityMatch
from tests.unit.batch_fakes import MemoryStore, assessment_with


@pytest.fixture
def image(tmp_path: Path) -> BatchImage:
    path = tmp_path / "images" / "fw.bin"
    path.parent.mkdir()
    path.write_bytes(b"hsqs" + bytes(1000))
    return BatchImage(path, "fw.bin")


def stored(store: MemoryStore, image: BatchImage, output: Path) -> int:
    size, sha256 = identify(image.path)
    return store.begin(ImageRef(str(image.path), sha256, size, {}), "0.1.0", str(output / image.name))


def write_reports(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        (folder / name).write_text("{}")


def test_an_image_never_scanned_is_scanned(tmp_path: Path, image: BatchImage) -> None:
    planned = plan_image(image, tmp_path / "out", MemoryStore(), retry_failed=False)

    assert planned.action == Action.SCAN
    assert planned.sha256 == hashlib.sha256(image.path.read_bytes()).hexdigest()
    assert planned.folder == tmp_path / "out" / "fw.bin" and planned.earlier is None


def test_a_done_scan_with_its_reports_in_place_is_kept(tmp_path: Path, image: BatchImage) -> None:
    store, out = MemoryStore(), tmp_path / "out"
    store.finish(stored(store, image, out), *empty_record())
    write_reports(out / "fw.bin")

    planned = plan_image(image, out, store, retry_failed=True)

    assert planned.action == Action.KEEP and planned.earlier is not None and planned.earlier.id == 1


def test_a_done_scan_whose_reports_were_removed_is_scanned_again(tmp_path: Path, image: BatchImage) -> None:
    store, out = MemoryStore(), tmp_path / "out"
    store.finish(stored(store, image, out), *empty_record())
    write_reports(out / "fw.bin")
    (out / "fw.bin" / "report.html").unlink()

    assert plan_image(image, out, store, retry_failed=False).action == Action.SCAN


def test_a_done_scan_written_to_another_output_folder_does_not_count_here(tmp_path: Path, image: BatchImage) -> None:
    store = MemoryStore()
    store.finish(stored(store, image, tmp_path / "elsewhere"), *empty_record())
    write_reports(tmp_path / "elsewhere" / "fw.bin")

    assert plan_image(image, tmp_path / "out", store, retry_failed=False).action == Action.SCAN


def test_a_scan_left_running_was_in_flight_when_the_batch_stopped_and_is_redone(
    tmp_path: Path, image: BatchImage
) -> None:
    store, out = MemoryStore(), tmp_path / "out"
    stored(store, image, out)
    write_reports(out / "fw.bin")  # even with reports from an older run beside it

    planned = plan_image(image, out, store, retry_failed=False)

    assert planned.action == Action.SCAN and planned.earlier is not None and planned.earlier.status == "running"


def test_a_failed_scan_is_kept_unless_failures_are_retried(tmp_path: Path, image: BatchImage) -> None:
    store, out = MemoryStore(), tmp_path / "out"
    store.fail(stored(store, image, out), "stopped after 60 s (the time limit per image)")

    assert plan_image(image, out, store, retry_failed=False).action == Action.KEEP
    assert plan_image(image, out, store, retry_failed=True).action == Action.SCAN


def test_changed_bytes_under_the_same_name_are_a_new_image(tmp_path: Path, image: BatchImage) -> None:
    store, out = MemoryStore(), tmp_path / "out"
    store.finish(stored(store, image, out), *empty_record())
    write_reports(out / "fw.bin")
    image.path.write_bytes(b"hsqs" + bytes(999) + b"\x01")  # the vendor replaced the download

    planned = plan_image(image, out, store, retry_failed=False)

    assert planned.action == Action.SCAN and planned.earlier is None


def test_a_missing_file_and_a_fifo_are_unreadable_with_the_reason_and_nothing_blocks(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.bin"
    os.mkfifo(fifo)
    store = MemoryStore()

    gone = plan_image(BatchImage(tmp_path / "gone.bin", "gone.bin"), tmp_path / "out", store, retry_failed=False)
    pipe = plan_image(BatchImage(fifo, "pipe.bin"), tmp_path / "out", store, retry_failed=False)

    assert (gone.action, gone.problem) == (Action.UNREADABLE, f"{tmp_path / 'gone.bin'}: no such file")
    assert (pipe.action, pipe.problem) == (Action.UNREADABLE, f"{fifo}: not a regular file")
    assert not store.rows


def empty_record() -> tuple[Assessment, dict[str, list[Component]], dict[str, list[VulnerabilityMatch]]]:
    return (assessment_with(), {}, {})

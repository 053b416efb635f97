"""The batch's output folder: one batch per folder, one scan per image folder, and what a rescan removes."""

import multiprocessing
import os
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest

from iotbaseline.batch.folders import (
    ERROR_LOG,
    REPORT_FILES,
    SCAN_LOCK,
    image_folder_lock,
    output_lock,
    remove_results,
    reports_present,
)
from iotbaseline.errors import OutputError


def hold_lock_in_a_forked_grandchild(folder: Path, ready: Event) -> None:
    """Like a scan whose extraction worker outlives it: the lock goes with the inherited descriptor."""
    with image_folder_lock(folder):
        if os.fork() == 0:
            ready.set()
            os.read(os.open(folder / "release", os.O_RDONLY), 1)  # a FIFO: blocks until the test writes
            os._exit(0)
    os._exit(0)


def test_a_process_left_from_an_earlier_scan_keeps_the_image_folder_until_it_ends(tmp_path: Path) -> None:
    folder = tmp_path / "fw.bin"
    folder.mkdir()
    os.mkfifo(folder / "release")
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    context.Process(target=hold_lock_in_a_forked_grandchild, args=(folder, ready)).start()
    assert ready.wait(10)

    with (
        pytest.raises(OutputError, match=r"an earlier scan of this image is still running after 0\.5 s"),
        image_folder_lock(folder, wait=0.5),
    ):
        pass

    with (folder / "release").open("w") as release:
        release.write("x")
    with image_folder_lock(folder, wait=10):
        assert (folder / SCAN_LOCK).is_file()


def test_a_second_batch_on_the_same_output_folder_is_refused(tmp_path: Path) -> None:
    with output_lock(tmp_path / "out"), pytest.raises(OutputError, match="another batch is writing there"):  # noqa: SIM117
        with output_lock(tmp_path / "out"):  # the second batch
            pass
    with output_lock(tmp_path / "out"):
        pass


def test_a_rescan_removes_the_earlier_results_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "fw.bin"
    (folder / "images").mkdir(parents=True)
    for name in (*REPORT_FILES, "sbom.cdx.json", ERROR_LOG, "notes.txt", SCAN_LOCK):
        (folder / name).write_text("x")
    assert reports_present(folder)

    remove_results(folder)

    assert not reports_present(folder)
    assert sorted(path.name for path in folder.iterdir()) == [SCAN_LOCK, "images", "notes.txt"]

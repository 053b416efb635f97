"""Which files a batch takes as images, and the folder each one's results go to."""

import os
from pathlib import Path

import pytest

from iotbaseline.batch.discover import discover_images, distinct_names, not_images
from iotbaseline.batch.folders import RESERVED_NAMES
from iotbaseline.errors import InputError


def touch(path: Path, data: bytes = b"\x00firmware") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def names(paths: list[str], output: Path) -> list[str]:
    return [image.name for image in discover_images(paths, output).images]


def test_a_folder_is_walked_recursively_in_sorted_order_passing_over_what_is_not_an_image(tmp_path: Path) -> None:
    root = tmp_path / "downloads"
    touch(root / "vendor-b" / "fw-2.0.bin")
    touch(root / "vendor-a" / "fw-1.0.bin")
    touch(root / "vendor-a" / "update.tar.gz")
    touch(root / "vendor-a" / "Release Notes.PDF")
    touch(root / "vendor-a" / "fw-1.0.bin.sha256")
    touch(root / "README")
    touch(root / ".DS_Store")
    touch(root / ".git" / "objects" / "blob")
    (root / "vendor-a" / "link.bin").symlink_to(root / "vendor-b" / "fw-2.0.bin")

    found = discover_images([str(root)], tmp_path / "out")

    assert [image.path for image in found.images] == [
        root / "vendor-a" / "fw-1.0.bin",
        root / "vendor-a" / "update.tar.gz",
        root / "vendor-b" / "fw-2.0.bin",
    ]
    assert all(image.path.is_absolute() for image in found.images)
    assert found.passed_over == 5  # pdf, sha256, README, .DS_Store, the link (.git is not entered)


def test_the_output_folder_inside_the_walked_folder_is_not_scanned(tmp_path: Path) -> None:
    touch(tmp_path / "fw.bin")
    touch(tmp_path / "out" / "fw.bin" / "images" / "fw.bin" / "rootfs.bin")

    assert names([str(tmp_path)], tmp_path / "out") == ["fw.bin"]


def test_walking_the_output_folder_itself_is_refused(tmp_path: Path) -> None:
    touch(tmp_path / "out" / "fw.bin")

    with pytest.raises(InputError, match="inside the output folder"):
        discover_images([str(tmp_path / "out")], tmp_path / "out")


def test_a_list_names_images_and_folders_relative_to_itself_and_keeps_missing_entries(tmp_path: Path) -> None:
    touch(tmp_path / "lab" / "a.bin")
    touch(tmp_path / "lab" / "more" / "b.bin")
    listing = tmp_path / "lab" / "images.txt"
    listing.write_text("# the lab's queue\n\na.bin\n  more  \n/nowhere/gone.bin\na.bin\n")

    found = discover_images([f"@{listing}"], tmp_path / "out")

    assert [str(image.path) for image in found.images] == [
        str(tmp_path / "lab" / "a.bin"),
        str(tmp_path / "lab" / "more" / "b.bin"),
        "/nowhere/gone.bin",  # becomes a failed entry when it is read, not a stop of the batch
    ]


def test_a_path_on_the_command_line_that_does_not_exist_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        discover_images([str(tmp_path / "typo.bin")], tmp_path / "out")
    with pytest.raises(InputError, match="cannot read the list"):
        discover_images([f"@{tmp_path / 'missing.txt'}"], tmp_path / "out")


def test_a_list_that_is_not_text_is_refused_with_the_reason(tmp_path: Path) -> None:
    listing = touch(tmp_path / "list", b"\xff\xfe\x00binary")

    with pytest.raises(InputError, match="not UTF-8"):
        discover_images([f"@{listing}"], tmp_path / "out")


def test_a_file_named_explicitly_is_taken_even_if_it_looks_like_a_document(tmp_path: Path) -> None:
    notes = touch(tmp_path / "dump.txt")

    assert names([str(notes)], tmp_path / "out") == ["dump.txt"]


def test_the_same_file_twice_is_one_image_and_two_files_of_one_name_get_numbered_folders(tmp_path: Path) -> None:
    first = touch(tmp_path / "v1" / "firmware.bin")
    second = touch(tmp_path / "v2" / "firmware.bin")

    found = names([str(first), str(tmp_path), os.path.relpath(second)], tmp_path / "out")

    assert found == ["firmware.bin", "firmware.bin.2"]


def test_an_image_folder_never_takes_a_name_the_batch_writes_itself() -> None:
    paths = [Path("/a/batch.json"), Path("/b/batch.json"), Path("/c/results.sqlite")]

    assert distinct_names(paths, frozenset(RESERVED_NAMES)) == ["batch.json.2", "batch.json.3", "results.sqlite.2"]


def test_the_table_of_files_that_are_not_images_loads_and_matches_without_case() -> None:
    table = not_images()

    assert table.excludes("NOTES.TXT") and table.excludes("fw.bin.sha256") and table.excludes("LICENSE")
    assert not table.excludes("fw.bin") and not table.excludes("rootfs.squashfs") and not table.excludes("txt.bin")

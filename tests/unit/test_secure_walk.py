import os
import stat
from pathlib import Path

from iotbaseline.firmware.incomplete import IncompleteKind
from iotbaseline.firmware.secure_walk import EntryKind, walk_output


def kinds(result: object) -> dict[str, EntryKind]:
    return {e.path: e.kind for e in result.entries}  # type: ignore[attr-defined]


def test_links_inside_the_folder_are_kept_and_links_out_are_removed(tmp_path: Path) -> None:
    root = tmp_path / "out"
    (root / "fs/bin").mkdir(parents=True)
    (root / "fs/bin/busybox").write_bytes(b"\x7fELF")
    (root / "fs/bin/sh").symlink_to("busybox")
    (root / "fs/bin/escape").symlink_to("../../../../../etc")
    (root / "fs/bin/absolute").symlink_to("/etc/passwd")

    result = walk_output(root)

    assert kinds(result)["fs/bin/sh"] is EntryKind.SYMLINK
    assert "fs/bin/escape" not in kinds(result) and not (root / "fs/bin/escape").is_symlink()
    assert "fs/bin/absolute" not in kinds(result) and not (root / "fs/bin/absolute").is_symlink()
    escaped = {i.where for i in result.incomplete if i.what is IncompleteKind.LINK_ESCAPE}
    assert escaped == {"fs/bin/escape", "fs/bin/absolute"}


def test_hard_link_shared_with_a_host_file_is_removed(tmp_path: Path) -> None:
    host_file = tmp_path / "host-secret"
    host_file.write_text("do not touch")
    root = tmp_path / "out"
    root.mkdir()
    os.link(host_file, root / "passwd")
    (root / "a").write_text("x")
    os.link(root / "a", root / "b")  # both names inside: fine

    result = walk_output(root)

    assert not (root / "passwd").exists()
    assert host_file.read_text() == "do not touch"
    assert set(kinds(result)) == {"a", "b"}
    assert [i.where for i in result.incomplete] == ["passwd"]


def test_fifo_is_removed_from_disk_but_indexed_as_image_content(tmp_path: Path) -> None:
    root = tmp_path / "out"
    (root / "dev").mkdir(parents=True)
    os.mkfifo(root / "dev/initctl")

    result = walk_output(root)

    assert not (root / "dev/initctl").exists()
    assert kinds(result)["dev/initctl"] is EntryKind.FIFO
    assert result.incomplete == ()


def test_setuid_bit_is_cleared_on_disk_and_kept_in_the_index(tmp_path: Path) -> None:
    root = tmp_path / "out"
    root.mkdir()
    program = root / "su"
    program.write_bytes(b"\x7fELF")
    program.chmod(0o4755)

    result = walk_output(root)

    assert not program.stat().st_mode & stat.S_ISUID
    assert result.entries[0].mode == 0o4755


def test_unreadable_folder_is_opened_and_walked(tmp_path: Path) -> None:
    root = tmp_path / "out"
    (root / "locked").mkdir(parents=True)
    (root / "locked/file").write_text("x")
    (root / "locked").chmod(0o000)

    result = walk_output(root)

    assert "locked/file" in kinds(result)


def test_walking_one_extraction_lists_only_it_relative_to_the_output_folder(tmp_path: Path) -> None:
    root = tmp_path / "out"
    (root / ".iotbaseline").mkdir(parents=True)
    (root / ".iotbaseline/journal.jsonl").write_text("")
    (root / "a.bin_extract").mkdir()
    (root / "a.bin_extract/etc").mkdir()
    (root / "older.bin_extract").mkdir()
    assert set(kinds(walk_output(root, start=root / "a.bin_extract"))) == {"a.bin_extract", "a.bin_extract/etc"}

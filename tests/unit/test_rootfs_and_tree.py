import hashlib
from pathlib import Path

from iotbaseline.firmware.filetype import FileKind, FileType
from iotbaseline.firmware.rootfs import RootFilesystem, find_root_filesystems
from iotbaseline.firmware.secure_walk import Entry, EntryKind
from iotbaseline.firmware.tree import FirmwareTree, OutsideTreeError, TreeFile, TreeLink


def folder(path: str) -> Entry:
    return Entry(path, EntryKind.DIRECTORY, 0, 0o755)


def file(path: str) -> Entry:
    return Entry(path, EntryKind.FILE, 1, 0o644)


def test_busybox_layout_is_a_root_filesystem_with_its_evidence() -> None:
    entries = [
        folder("x_extract"),
        folder("x_extract/etc"),
        folder("x_extract/bin"),
        file("x_extract/etc/passwd"),
    ]
    found = find_root_filesystems(entries, {})
    assert found == (RootFilesystem("x_extract", ("etc/passwd",)),)


def test_folder_with_etc_but_no_programs_is_not_a_root_filesystem() -> None:
    entries = [folder("data"), folder("data/etc"), file("data/etc/passwd")]
    assert find_root_filesystems(entries, {}) == ()


def test_nested_rootfs_counts_only_when_it_came_from_another_container() -> None:
    outer = [
        folder("a_extract"),
        folder("a_extract/etc"),
        folder("a_extract/bin"),
        file("a_extract/etc/inittab"),
    ]
    chroot = [
        folder("a_extract/srv/jail"),
        folder("a_extract/srv/jail/etc"),
        folder("a_extract/srv/jail/bin"),
    ]
    chroot.append(file("a_extract/srv/jail/etc/passwd"))
    recovery = [
        folder("a_extract/lib/recovery.bin_extract"),
        folder("a_extract/lib/recovery.bin_extract/etc"),
        folder("a_extract/lib/recovery.bin_extract/sbin"),
        file("a_extract/lib/recovery.bin_extract/etc/passwd"),
    ]
    layer_of = {e.path: "a_extract" for e in outer + chroot}
    layer_of.update({e.path: "a_extract/lib/recovery.bin_extract" for e in recovery})

    found = find_root_filesystems(outer + chroot + recovery, layer_of)

    assert [r.path for r in found] == ["a_extract", "a_extract/lib/recovery.bin_extract"]


def make_tree(tmp_path: Path) -> tuple[FirmwareTree, RootFilesystem]:
    (tmp_path / "fs/bin").mkdir(parents=True)
    (tmp_path / "fs/etc").mkdir()
    (tmp_path / "fs/bin/busybox").write_bytes(b"\x7fELF busybox")
    (tmp_path / "fs/etc/passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    rootfs = RootFilesystem("fs", ("bin/busybox",))

    def tree_file(path: str) -> TreeFile:
        data = (tmp_path / path).read_bytes()
        return TreeFile(
            path,
            len(data),
            hashlib.sha256(data).hexdigest(),
            FileType(FileKind.DATA),
            0o755,
            (),
            "fs",
            "/" + path[3:],
        )

    files = (tree_file("fs/bin/busybox"), tree_file("fs/etc/passwd"))
    links = (
        TreeLink("fs/bin/sh", "busybox", "fs", "/bin/sh"),
        TreeLink("fs/usr/bin/wget", "/bin/busybox", "fs", "/usr/bin/wget"),
        TreeLink("fs/etc/shadow", "../../../../../../etc/passwd", "fs", "/etc/shadow"),
        TreeLink("fs/loop/a", "b", "fs", "/loop/a"),
        TreeLink("fs/loop/b", "a", "fs", "/loop/b"),
    )
    tree = FirmwareTree(tmp_path, files, links, (), frozenset({"fs", "fs/bin", "fs/etc"}), (rootfs,))
    return tree, rootfs


def test_applet_links_resolve_within_the_rootfs(tmp_path: Path) -> None:
    tree, rootfs = make_tree(tmp_path)
    assert tree.resolve(rootfs, "/bin/sh") == tree.file("fs/bin/busybox")
    assert tree.resolve(rootfs, "/usr/bin/wget") == tree.file("fs/bin/busybox")


def test_dot_dot_stops_at_the_device_root_like_the_kernel(tmp_path: Path) -> None:
    tree, rootfs = make_tree(tmp_path)
    assert tree.resolve(rootfs, "/etc/shadow") == tree.file("fs/etc/passwd")


def test_link_loops_end_without_an_answer(tmp_path: Path) -> None:
    tree, rootfs = make_tree(tmp_path)
    assert tree.resolve(rootfs, "/loop/a") is None


def test_reads_are_confined_to_indexed_files(tmp_path: Path) -> None:
    tree, _ = make_tree(tmp_path)
    assert tree.read_bytes("fs/etc/passwd", limit=4) == b"root"
    for outside in ("../../etc/passwd", "/etc/passwd", "fs/bin/sh"):
        try:
            tree.open(outside)
        except OutsideTreeError:
            continue
        raise AssertionError(f"{outside} was opened")

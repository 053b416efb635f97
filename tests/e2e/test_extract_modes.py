"""The index gives every file the mode its image declares, set-ID bits included; the output
folder on disk holds no set-ID file and nothing we cannot read.

A mode lost on the way (`/etc/shadow` 0600 read as 0644, `/bin/busybox` 04755 as 0755) is a
false PASS: the hardening check looks for set-ID programs, the secrets checks for keys others
can read.
"""

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from tests.corpus import IMAGES, archives, build_image, ground_truth
from tests.corpus.squashfs_legacy import write_squashfs3

pytestmark = pytest.mark.e2e

SET_ID = stat.S_ISUID | stat.S_ISGID


def romfs_device_mode(staged: int) -> int:
    """romfs stores no permission bits, only an executable flag (genromfs sets it when any x bit
    was set); the Linux kernel shows a file as 0644, or 0755 with the flag (fs/romfs/super.c)."""
    return 0o755 if staged & 0o111 else 0o644


# Formats that do not store permission bits (the truth says `modes_preserved: false`): the mode
# a device shows is derived from what they do store, and that is the mode the index must give.
DERIVED_MODES: dict[str, Callable[[int], int]] = {"romfs": romfs_device_mode}


@pytest.mark.parametrize("name", IMAGES)
def test_index_gives_every_file_the_mode_its_image_declares(name: str, tmp_path: Path) -> None:
    truth = ground_truth(name)
    result = extract_firmware(build_image(name), tmp_path / "out")

    checked = 0
    for expected in truth["rootfs"]:
        declared = _device_modes(truth, expected)
        found = _files_of(result.tree, expected)
        for path, meta in expected["files"].items():
            file = found(path)
            assert file is not None, f"{name}: /{path} missing"
            assert f"{file.mode:04o}" == f"{declared(meta['mode']):04o}", f"{name}: mode of /{path}"
            checked += 1
    assert checked, f"{name}: no file compared"
    assert _unsafe_on_disk(result.output) == [], name


def test_every_set_id_program_of_the_corpus_is_seen() -> None:
    """The comparison above covers set-ID bits only if the corpus has set-ID programs."""
    set_id = [
        (name, path)
        for name in IMAGES
        for tree in ground_truth(name)["rootfs"]
        for path, meta in tree["files"].items()
        if meta["mode"] & SET_ID
    ]
    assert set_id


def _device_modes(truth: dict[str, Any], expected: dict[str, Any]) -> Callable[[int], int]:
    if expected.get("modes_preserved", True):
        return lambda mode: mode
    lossy = [layer for layer in truth["layers"] if layer in DERIVED_MODES]
    assert len(lossy) == 1, f"{truth['name']}: a format without modes and no known device mapping: {truth['layers']}"
    return DERIVED_MODES[lossy[0]]


def _files_of(tree: FirmwareTree, expected: dict[str, Any]) -> Callable[[str], TreeFile | None]:
    """A root filesystem's files by device path; a data partition's by path suffix and content."""
    if expected.get("role", "root") == "root":
        rootfs = _matching_rootfs(tree, expected["files"])
        return lambda path: tree.resolve(rootfs, "/" + path)

    def by_content(path: str) -> TreeFile | None:
        sha256 = expected["files"][path]["sha256"]
        hits = [f for f in tree.files if f.path.endswith("/" + path) and f.sha256 == sha256]
        return hits[0] if hits else None

    return by_content


def _matching_rootfs(tree: FirmwareTree, files: dict[str, Any]) -> RootFilesystem:
    assert tree.rootfs, "no root filesystem found"
    return max(tree.rootfs, key=lambda r: sum(1 for path in files if tree.resolve(r, "/" + path) is not None))


def _unsafe_on_disk(output: Path) -> list[str]:
    unsafe = []
    for folder, _, names in os.walk(output):
        for name in names:
            mode = os.lstat(Path(folder, name)).st_mode
            if stat.S_ISREG(mode) and (mode & SET_ID or not mode & stat.S_IRUSR):
                unsafe.append(f"{Path(folder, name)} {stat.filemode(mode)}")
    return unsafe


# A root filesystem with every kind of mode that matters, packed by each format's own tool.
STAGED_MODES = {
    "bin/busybox": 0o4755,
    "usr/bin/wall": 0o2755,
    "usr/sbin/pppd": 0o6750,
    "usr/bin/sticky": 0o1755,
    "etc/shadow": 0o600,
    "etc/ssl/private/device.key": 0o400,
    "sbin/init": 0o700,
    "etc/init.d/rcS": 0o755,
    "etc/passwd": 0o644,
}


def _stage(root: Path) -> Path:
    for number, (path, mode) in enumerate(sorted(STAGED_MODES.items())):
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(f"file {number}: {path}\n".encode() * 40)
        file.chmod(mode)
    return root


def _run(*argv: str | Path) -> None:
    subprocess.run([str(a) for a in argv], check=True, capture_output=True)


def _ext(version: int) -> Callable[[Path, Path], None]:
    def pack(tree: Path, out: Path) -> None:
        _run("mke2fs", "-q", "-F", "-t", f"ext{version}", "-b", "1024", "-d", tree, out, "4096k")

    return pack


def _ubifs(tree: Path, out: Path) -> None:
    _run("mkfs.ubifs", "-r", tree, "-o", out, "-m", "2048", "-e", "126976", "-c", "64", "-x", "lzo")


def _cpio(tree: Path, out: Path) -> None:
    with out.open("wb") as stream:
        archives.write_cpio(archives.tree_entries(tree), stream, "newc")


def _tar(tree: Path, out: Path) -> None:
    with out.open("wb") as stream:
        archives.write_tar(archives.tree_entries(tree), stream)


def _squashfs4(tree: Path, out: Path) -> None:
    _run("mksquashfs", tree, out, "-comp", "gzip", "-noappend", "-no-progress", "-quiet")


def _squashfs3(tree: Path, out: Path) -> None:
    write_squashfs3(tree, out, endian="big", compression="gzip")


def _jffs2(tree: Path, out: Path) -> None:
    _run("mkfs.jffs2", "-r", tree, "-o", out, "-e", "65536", "-l", "-U")  # not -q: it squashes set-ID bits


def _cramfs(tree: Path, out: Path) -> None:
    _run("mkfs.cramfs", "-N", "little", tree, out)


PACKERS: dict[str, Callable[[Path, Path], None]] = {
    "ext2": _ext(2),
    "ext4": _ext(4),
    "ubifs": _ubifs,
    "cpio": _cpio,
    "tar": _tar,
    "squashfs4": _squashfs4,
    "squashfs3-be": _squashfs3,
    "jffs2": _jffs2,
    "cramfs": _cramfs,
}


@pytest.mark.parametrize("packer", PACKERS)
def test_set_id_and_private_modes_survive_extraction(packer: str, tmp_path: Path) -> None:
    image = tmp_path / f"rootfs.{packer}"
    PACKERS[packer](_stage(tmp_path / "tree"), image)

    result = extract_firmware(image, tmp_path / "out")

    rootfs = _matching_rootfs(result.tree, STAGED_MODES)
    for path, mode in STAGED_MODES.items():
        file = result.tree.resolve(rootfs, "/" + path)
        assert file is not None, f"{packer}: /{path} missing"
        assert f"{file.mode:04o}" == f"{mode:04o}", f"{packer}: mode of /{path}"
    assert _unsafe_on_disk(result.output) == []
    assert result.incomplete == []

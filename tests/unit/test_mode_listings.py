"""The per-format listings of modes, for the extractors that lose them: ext (debugfs), UBIFS
(ubireader), cpio (its headers), romfs (the kernel's mapping); and our SquashFS reader, which
must set modes after writing (a write by a user without CAP_FSETID clears set-ID bits)."""

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from unblob.report import ExtractionProblem, Report

from iotbaseline.firmware.declared_modes import MODES_NOT_LISTED, DeclaredModesReport
from iotbaseline.firmware.handlers import cpio, extfs, romfs, ubifs
from tests.corpus import archives
from tests.corpus.squashfs_legacy import write_squashfs3

STAGED = {"bin/busybox": 0o4755, "usr/bin/wall": 0o2755, "etc/shadow": 0o600, "sbin/init": 0o750}


def stage(root: Path, modes: dict[str, int] = STAGED) -> Path:
    for name, mode in modes.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode() * 10)
        path.chmod(mode)
    return root


def declared(reports: list[Report]) -> dict[str, int]:
    (report,) = reports
    assert isinstance(report, DeclaredModesReport), report
    return report.modes


def not_listed(reports: list[Report]) -> str:
    (report,) = reports
    assert isinstance(report, ExtractionProblem) and MODES_NOT_LISTED in report.problem, report
    return report.problem


def dump_ext(tree: Path, tmp_path: Path) -> tuple[Path, Path]:
    image = tmp_path / "fs.ext2"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-d", tree, image, "2048k"], check=True, capture_output=True)
    outdir = tmp_path / "dump"
    outdir.mkdir()
    extfs.EXTHandler.EXTRACTOR.extract(image, outdir)
    return image, outdir


def test_ext_listing_restores_set_id_bits_rdump_drops(tmp_path: Path) -> None:
    image, outdir = dump_ext(stage(tmp_path / "tree"), tmp_path)

    (tmp_path / "again").mkdir()
    result = extfs.EXTHandler.EXTRACTOR.extract(image, tmp_path / "again")

    modes = declared(result.reports)
    assert {name: modes[name] for name in STAGED} == {name: stat.S_IFREG | mode for name, mode in STAGED.items()}
    assert stat.S_IMODE((outdir / "bin/busybox").stat().st_mode) == 0o755  # what rdump alone gives


def test_ext_listing_quotes_names_debugfs_would_split(tmp_path: Path) -> None:
    names = {'odd dir/a "quoted" name': 0o4711, "tab\there/x": 0o600, "back\\slash": 0o2700}
    tree = stage(tmp_path / "tree", names)
    (tree / os.fsdecode(b"latin\xe9")).write_bytes(b"x")
    (tree / os.fsdecode(b"latin\xe9")).chmod(0o4700)

    image, outdir = dump_ext(tree, tmp_path)
    modes = declared(extfs.list_modes(image, outdir))

    assert {name: stat.S_IMODE(modes[name]) for name in names} == names
    assert stat.S_IMODE(modes[os.fsdecode(b"latin\xe9")]) == 0o4700


def test_ext_listing_refuses_a_dump_with_a_line_break_in_a_name(tmp_path: Path) -> None:
    image, outdir = dump_ext(stage(tmp_path / "tree", {'bin/x\ndebugfs: ls -p "/etc"': 0o755}), tmp_path)

    assert "line break" in not_listed(extfs.list_modes(image, outdir))


def test_ext_listing_stops_at_an_echo_it_did_not_send() -> None:
    commands = [b'ls -p "/"', b'ls -p "/bin"']
    stdout = (
        b'debugfs: ls -p "/"\n/2/040755/0/0/.//\n/12/040755/0/0/bin//\n/13/100600/0/0/shadow/3/\n\n'
        b'debugfs: ls -p "/etc"\n/14/104755/0/0/busybox/3/\n'
    )

    assert extfs.parse_listing(stdout, commands, ["", "bin"]) == ({"shadow": 0o100600}, {""})


def test_ext_listing_reports_an_image_debugfs_cannot_open(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "junk").write_bytes(bytes(4096))

    assert "debugfs listed nothing" in not_listed(extfs.list_modes(tmp_path / "junk", tmp_path / "out"))


def test_ubifs_listing_reads_the_inode_modes(tmp_path: Path) -> None:
    image = tmp_path / "fs.ubifs"
    tree = stage(tmp_path / "tree")
    subprocess.run(
        ["mkfs.ubifs", "-r", tree, "-o", image, "-m", "2048", "-e", "126976", "-c", "32", "-x", "zlib"],
        check=True,
        capture_output=True,
    )

    modes = declared(ubifs.list_modes(image, tmp_path / "out"))

    assert modes == {name: stat.S_IFREG | mode for name, mode in STAGED.items()}


def test_ubifs_listing_reports_an_image_it_cannot_read(tmp_path: Path) -> None:
    (tmp_path / "junk").write_bytes(b"\x31\x18\x10\x06" + bytes(8192))

    assert "ubifs_listing exited" in not_listed(ubifs.list_modes(tmp_path / "junk", tmp_path / "out"))


def test_ubifs_listing_output_is_parsed_defensively() -> None:
    stdout = b'["bin/busybox", 35309]\nnot json\n[1, 2]\n["a", "b"]\n7\n["x", 1, 2]\n'

    assert ubifs.parse_listing(stdout) == {"bin/busybox": 35309}


def test_ubifs_listing_ends_on_an_index_that_loops() -> None:
    from iotbaseline.firmware.ubifs_listing import declared_modes

    class Node:
        def __init__(self, **fields: object) -> None:
            self.__dict__.update(fields)

    loop = Node(name="loop", inum=1)
    inodes = {
        1: {"ino": Node(mode=stat.S_IFDIR | 0o755), "dent": [loop, Node(name="..", inum=1), Node(name="f", inum=2)]},
        2: {"ino": Node(mode=stat.S_IFREG | 0o4755)},
    }

    assert list(declared_modes(inodes)) == [("f", stat.S_IFREG | 0o4755)]


def test_cpio_headers_give_the_modes_unblob_writes_as_0644(tmp_path: Path) -> None:
    entries = [
        archives.Entry("bin", "dir", 0o755),
        archives.Entry("bin/busybox", mode=0o4755, data=b"\x7fELF"),
        archives.Entry("./etc/shadow", mode=0o600, data=b"root:*:1::::::\n"),
        archives.Entry("/sbin/init", mode=0o700, data=b"#!/bin/sh\n"),
        archives.Entry("../escape", mode=0o4755, data=b"x"),
    ]
    image = tmp_path / "initramfs.cpio"
    with image.open("wb") as out:
        archives.write_cpio(entries, out, "newc")

    result = cpio.PortableASCIIHandler.EXTRACTOR.extract(image, tmp_path / "out")

    modes = next(r.modes for r in result.reports if isinstance(r, DeclaredModesReport))
    assert modes == {
        "bin": stat.S_IFDIR | 0o755,
        "bin/busybox": stat.S_IFREG | 0o4755,
        "etc/shadow": stat.S_IFREG | 0o600,
        "sbin/init": stat.S_IFREG | 0o700,
    }
    assert stat.S_IMODE((tmp_path / "out/bin/busybox").stat().st_mode) == 0o644  # what unblob writes


def test_romfs_modes_are_the_kernels_0644_or_0755(tmp_path: Path) -> None:
    tree = stage(tmp_path / "tree")
    os.link(tree / "bin/busybox", tree / "bin/sh")
    image = tmp_path / "fs.romfs"
    subprocess.run(["genromfs", "-f", image, "-d", tree], check=True, capture_output=True)

    (tmp_path / "out").mkdir()
    result = romfs.RomFSFSHandler.EXTRACTOR.extract(image, tmp_path / "out")

    modes = next(r.modes for r in result.reports if isinstance(r, DeclaredModesReport))
    regular = {name: stat.S_IMODE(mode) for name, mode in modes.items() if stat.S_ISREG(mode)}
    assert regular == {
        "bin/busybox": 0o755,
        "bin/sh": 0o755,
        "usr/bin/wall": 0o755,
        "etc/shadow": 0o644,
        "sbin/init": 0o755,
    }


def test_our_squashfs_reader_keeps_set_id_bits_when_run_by_a_normal_user(tmp_path: Path) -> None:
    image = tmp_path / "fs.squashfs3"
    write_squashfs3(stage(tmp_path / "tree"), image, endian="big", compression="gzip")
    outdir = tmp_path / "out"
    extract = (
        "import sys, pathlib; from iotbaseline.firmware.squashfs import SquashfsExtractor; "
        "SquashfsExtractor().extract(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]))"
    )
    # Root keeps set-ID bits through writes (CAP_FSETID); without it, as a normal user runs.
    no_fsetid = ["setpriv", "--bounding-set=-fsetid"] if os.geteuid() == 0 else []
    subprocess.run([*no_fsetid, sys.executable, "-c", extract, image, outdir], check=True, capture_output=True)

    found = {name: stat.S_IMODE((outdir / name).stat().st_mode) for name in STAGED}
    assert found == STAGED


def test_header_modes_skip_names_that_climb_out() -> None:
    class Entry:
        def __init__(self, path: str, mode: int) -> None:
            self.path, self.mode = Path(path), mode

    report = cpio._header_modes(Path("/o"), [Entry("..", 0o40755), Entry("a/../../b", 0o100644), Entry("/", 0o40755)])

    assert report.modes == {}


@pytest.fixture(autouse=True)
def _no_stdin_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO())

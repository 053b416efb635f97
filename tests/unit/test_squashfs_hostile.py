"""Hostile and damaged images: partial output, reported problems, nothing outside the output directory."""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Literal

import pytest
from unblob.models import ExtractError, ExtractResult
from unblob.report import ExtractionProblem, Report, UnknownError

from iotbaseline.firmware.squashfs import SquashfsExtractor
from iotbaseline.firmware.squashfs.unsquashfs import Unsquashfs
from tests.corpus.squashfs_legacy import write_squashfs3

BLOCK_SIZE = 4096
ENDIANS: tuple[Literal["little", "big"], ...] = ("little", "big")
COMPRESSIONS: tuple[Literal["gzip", "lzma", "lzma-nosize"], ...] = ("gzip", "lzma", "lzma-nosize")
PYTHON_ONLY = SquashfsExtractor(native=Unsquashfs(executable="absent-unsquashfs"))
needs_mksquashfs = pytest.mark.skipif(shutil.which("mksquashfs") is None, reason="squashfs-tools not installed")


def make_tree(root: Path) -> Path:
    (root / "www" / "cgi-bin").mkdir(parents=True)
    (root / "www" / "index.html").write_bytes(b"<html>camera</html>\n" * 3)
    (root / "www" / "cgi-bin" / "login").write_bytes(os.urandom(5 * BLOCK_SIZE))
    (root / "firmware.bin").write_bytes(os.urandom(4 * BLOCK_SIZE + 700))
    (root / "version").write_bytes(b"1.0.4\n")
    return root


def extract(extractor: SquashfsExtractor, image: Path, outdir: Path) -> list[Report]:
    """Run the extractor the way unblob does: ExtractError is the handled failure, anything else a bug."""
    outdir.mkdir(parents=True)
    try:
        result = extractor.extract(image, outdir)
    except ExtractError as error:
        return list(error.reports)
    assert isinstance(result, ExtractResult)
    return result.reports


def problems(reports: list[Report]) -> list[str]:
    return [r.problem for r in reports if isinstance(r, ExtractionProblem)]


def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def patch_once(image: Path, old: bytes, new: bytes) -> None:
    data = image.read_bytes()
    assert data.count(old) == 1, old
    image.write_bytes(data.replace(old, new))


def test_a_v3_image_cut_at_60_percent_reports_problems_and_raises_nothing_unhandled(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    write_squashfs3(source, image, endian="little", compression="gzip", block_size=BLOCK_SIZE)
    image.write_bytes(image.read_bytes()[: int(image.stat().st_size * 0.6)])

    reports = extract(PYTHON_ONLY, image, tmp_path / "out")

    # Every SquashFS version keeps its tables at the end, so a 60% cut leaves no directory to walk.
    assert any("truncated" in p for p in problems(reports))
    assert any("root directory unreadable" in p for p in problems(reports))
    assert {path.split("/")[0] for path in files_under(tmp_path)} == {"source", "image.sqfs", "out"}


@needs_mksquashfs
def test_a_v4_image_cut_inside_its_trailing_tables_still_yields_the_files_it_can_read(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    subprocess.run(
        ["mksquashfs", str(source), str(image), "-noappend", "-quiet", "-b", str(BLOCK_SIZE), "-no-exports"],
        check=True,
        capture_output=True,
    )
    (fragment_table_start,) = struct.unpack_from("<Q", image.read_bytes(), 80)
    image.write_bytes(image.read_bytes()[:fragment_table_start])

    reports = extract(PYTHON_ONLY, image, tmp_path / "out")

    out = tmp_path / "out"
    # Whole-block files survive; tails stored in fragments, and the owners' table, are lost and reported.
    assert (out / "www" / "cgi-bin" / "login").read_bytes() == (source / "www" / "cgi-bin" / "login").read_bytes()
    assert (out / "firmware.bin").read_bytes()[: 4 * BLOCK_SIZE] == (source / "firmware.bin").read_bytes()[
        : 4 * BLOCK_SIZE
    ]
    assert (out / "version").stat().st_size == len(b"1.0.4\n")
    assert any("fragment" in p for p in problems(reports))
    assert any("uid/gid table unreadable" in p for p in problems(reports))


def test_a_damaged_data_block_is_reported_and_everything_else_is_extracted(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "docs").mkdir(parents=True)
    manual = b"".join(b"line %d of the manual\n" % n for n in range(2000))
    (source / "docs" / "manual.txt").write_bytes(manual)
    (source / "version").write_bytes(b"1.0.4\n")
    image = tmp_path / "image.sqfs"
    write_squashfs3(source, image, endian="little", compression="gzip", block_size=BLOCK_SIZE)
    data = bytearray(image.read_bytes())
    data[200:260] = bytes(60)  # data starts after the 119-byte superblock: inside manual.txt's block 0
    image.write_bytes(bytes(data))

    reports = extract(PYTHON_ONLY, image, tmp_path / "out")

    extracted = (tmp_path / "out" / "docs" / "manual.txt").read_bytes()
    assert extracted == bytes(BLOCK_SIZE) + manual[BLOCK_SIZE:]
    assert (tmp_path / "out" / "version").read_bytes() == b"1.0.4\n"
    assert any("block 0" in p for p in problems(reports))


def test_names_with_dot_dot_or_slash_write_nothing_outside_the_output_directory(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "aaaaaaaaaaaaaaaaaaaa").write_bytes(b"escape attempt 1\n")
    (source / "bbbbbbbbbbbb").write_bytes(b"escape attempt 2\n")
    (source / "cc").mkdir()
    (source / "cc" / "inside").write_bytes(b"fine\n")
    (source / "link-out").symlink_to("../../../../../../etc/shadow")
    image = tmp_path / "image.sqfs"
    write_squashfs3(source, image, endian="little", compression="gzip", uncompressed_metadata=True)
    patch_once(image, b"aaaaaaaaaaaaaaaaaaaa", b"../../../../tmp/evil")
    patch_once(image, b"bbbbbbbbbbbb", b"sub/../../zz")
    before = files_under(tmp_path)

    reports = extract(PYTHON_ONLY, image, tmp_path / "sandbox" / "out")

    assert {path.split("/")[0] for path in files_under(tmp_path) - before} == {"sandbox"}
    assert files_under(tmp_path / "sandbox") == {"out", "out/cc", "out/cc/inside"}
    unsafe = [p for p in problems(reports) if "unsafe entry name" in p]
    assert len(unsafe) == 2
    assert any("link" in p.lower() for p in problems(reports))
    assert not Path("/tmp/evil").exists()


@needs_mksquashfs
@pytest.mark.parametrize("extractor", [SquashfsExtractor(), PYTHON_ONLY], ids=["unsquashfs first", "python"])
def test_a_v4_name_with_dot_dot_writes_nothing_outside_the_output_directory(
    tmp_path: Path, extractor: SquashfsExtractor
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "aaaaaaaaaaaaaaaaaaaa").write_bytes(b"escape attempt\n")
    (source / "fine").write_bytes(b"fine\n")
    image = tmp_path / "image.sqfs"
    subprocess.run(
        ["mksquashfs", str(source), str(image), "-noappend", "-quiet", "-noI"], check=True, capture_output=True
    )
    patch_once(image, b"aaaaaaaaaaaaaaaaaaaa", b"../../../../tmp/evil")

    extract(extractor, image, tmp_path / "sandbox" / "out")

    assert {path.split("/")[0] for path in files_under(tmp_path)} == {"source", "image.sqfs", "sandbox"}
    assert files_under(tmp_path / "sandbox") <= {"out", "out/fine"}


def test_a_directory_that_contains_its_own_ancestor_is_walked_once(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "loopdir").mkdir(parents=True)
    (source / "loopdir" / "file").write_bytes(b"content\n")
    image = tmp_path / "image.sqfs"
    write_squashfs3(source, image, endian="big", compression="gzip", uncompressed_metadata=True)
    data = bytearray(image.read_bytes())
    (root_ref,) = struct.unpack_from(">Q", data, 43)
    # Point the "loopdir" entry (offset:13, type:3 big-endian, before size and inode number) at the root.
    entry = data.index(b"loopdir") - 5
    (packed,) = struct.unpack_from(">H", data, entry)
    struct.pack_into(">H", data, entry, (root_ref & 0xFFFF) << 3 | (packed & 0x7))
    image.write_bytes(bytes(data))

    reports = extract(PYTHON_ONLY, image, tmp_path / "out")

    assert any("already visited" in p for p in problems(reports))
    assert files_under(tmp_path / "out") == set()


@pytest.mark.parametrize("seed", range(40))
def test_randomly_corrupted_images_never_raise_unhandled_errors(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    source = make_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    endian = rng.choice(ENDIANS)
    compression = rng.choice(COMPRESSIONS)
    write_squashfs3(source, image, endian=endian, compression=compression, block_size=BLOCK_SIZE)
    data = bytearray(image.read_bytes())
    # Damage the metadata at the end of the image, where the damage is most varied.
    for _ in range(rng.randint(1, 8)):
        position = rng.randrange(max(120, len(data) - 3000), len(data))
        data[position] = rng.randrange(256)
    image.write_bytes(bytes(data))

    reports = extract(PYTHON_ONLY, image, tmp_path / "sandbox" / "out")

    defects = [r for r in reports if isinstance(r, UnknownError) and "Traceback" in str(r.exception)]
    assert defects == []
    assert files_under(tmp_path / "sandbox") <= {"out"} | {
        f"out/{p}" for p in files_under(tmp_path / "sandbox" / "out")
    }

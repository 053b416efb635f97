"""SquashFS 2.x, as old Broadcom and Atheros SDKs shipped it: read in Python, through unblob, and when damaged."""

from __future__ import annotations

import os
import random
import shutil
import stat
import struct
import subprocess
from pathlib import Path
from typing import Literal

import pytest
from unblob.extractor import DIR_PERMISSION_MASK, FILE_PERMISSION_MASK
from unblob.models import ExtractError
from unblob.processing import ExtractionConfig, process_file
from unblob.report import ChunkReport, UnknownError

from iotbaseline.firmware.handlers import squashfs as handlers
from iotbaseline.firmware.squashfs import SquashfsExtractor, SquashfsImage, open_image
from iotbaseline.firmware.squashfs.bitfields import BitStruct
from iotbaseline.firmware.squashfs.format_v2 import DIR_ENTRY, DIR_HEADER, LDIR_INODE
from iotbaseline.firmware.squashfs.metadata import METADATA_SIZE, MetadataReader
from tests.corpus.squashfs_legacy import write_squashfs2
from tests.unit.test_squashfs_hostile import PYTHON_ONLY, extract, files_under, make_tree, problems
from tests.unit.test_squashfs_reader import assert_same_tree, make_source_tree, read_with_python

BLOCK_SIZE = 4096
ENDIANS: tuple[Literal["little", "big"], ...] = ("little", "big")
COMPRESSIONS: tuple[Literal["gzip", "lzma"], ...] = ("gzip", "lzma")
LONG_DIRECTORY_ENTRIES = 300  # more than the 256 one directory header holds
# squashfs_dir_index_2, which follows a long directory's inode; the reader has no use for it.
DIR_INDEX = BitStruct((("index", 27), ("start_block", 29), ("size", 8)))
needs_unsquashfs = pytest.mark.skipif(shutil.which("unsquashfs") is None, reason="squashfs-tools not installed")


def write_image(
    source: Path,
    image: Path,
    *,
    endian: Literal["little", "big"] = "little",
    compression: Literal["gzip", "lzma"] = "gzip",
    magic: bytes | None = None,
) -> Path:
    write_squashfs2(source, image, endian=endian, compression=compression, magic=magic, block_size=BLOCK_SIZE)
    return image


@pytest.fixture(scope="module")
def long_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Too many names for one metadata block, so mksquashfs 2.1 writes a long directory with an index,
    and enough symlink targets that the inodes it names span two inode table blocks."""
    root = tmp_path_factory.mktemp("long-directory") / "source"
    (root / "lib" / "modules").mkdir(parents=True)
    for number in range(LONG_DIRECTORY_ENTRIES // 2):
        name = f"kernel-module-with-a-name-as-long-as-vendor-sdks-made-them-{number:04d}"
        (root / "lib" / "modules" / f"{name}.ko").write_bytes(b"%d\n" % number)
        (root / "lib" / "modules" / f"{name}.link").symlink_to(f"../../lib/modules/{name}.ko")
    (root / "version").write_bytes(b"2.1\n")
    return root


def assert_same_files(source: Path, extracted: Path, *, widened_by_unblob: bool = False) -> None:
    """assert_same_tree for the other readers of a 2.x image.

    Hard links are not checked: 2.x records no link counts, so unsquashfs gives every directory entry
    an inode of its own and they come out as copies. Symlinks are compared by where they lead inside
    the tree: unsquashfs keeps /bin/busybox, our reader makes it ../bin/busybox, and unblob's processing
    shortens that to busybox. `widened_by_unblob`: after extraction unblob's processing adds
    FILE_PERMISSION_MASK to files and DIR_PERMISSION_MASK to directories, to read and walk them.
    """
    relative_paths = sorted(p.relative_to(source) for p in source.rglob("*"))
    assert sorted(p.relative_to(extracted) for p in extracted.rglob("*")) == relative_paths
    for relative in relative_paths:
        original, copy = source / relative, extracted / relative
        if original.is_symlink():
            assert copy.is_symlink(), relative
            assert link_destination(relative, copy.readlink()) == link_destination(relative, original.readlink())
            continue
        mode = stat.S_IMODE(original.lstat().st_mode)
        if widened_by_unblob:
            mode |= DIR_PERMISSION_MASK if original.is_dir() else FILE_PERMISSION_MASK
        assert stat.S_IMODE(copy.lstat().st_mode) == mode, relative
        if original.is_file():
            assert copy.read_bytes() == original.read_bytes(), relative


def link_destination(link: Path, target: Path) -> str:
    """The path, relative to the tree's root, that a symlink at `link` leads to."""
    if target.is_absolute():
        return os.path.normpath(target.relative_to("/"))
    return os.path.normpath(link.parent / target)


def superblock_field(image: Path, offset: int, endian: Literal["little", "big"] = "little") -> int:
    return int.from_bytes(image.read_bytes()[offset : offset + 4], endian)


# --- the Python reader ---------------------------------------------------------------------------------


@pytest.mark.parametrize("endian", ENDIANS)
@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_python_reader_reproduces_a_2_1_tree(
    tmp_path: Path, endian: Literal["little", "big"], compression: Literal["gzip", "lzma"]
) -> None:
    source = make_source_tree(tmp_path / "source")
    image = write_image(source, tmp_path / "image.sqfs", endian=endian, compression=compression)

    fs = read_with_python(image, tmp_path / "out")

    assert fs.problems == []
    assert_same_tree(source, tmp_path / "out")


def test_a_2_0_image_reads_like_a_2_1_image(tmp_path: Path) -> None:
    source = make_source_tree(tmp_path / "source")
    image = write_image(source, tmp_path / "image.sqfs", endian="big")
    data = bytearray(image.read_bytes())
    struct.pack_into(">H", data, 30, 0)  # s_minor: 2.0 lacks only 2.1's long directories
    image.write_bytes(bytes(data))

    fs = read_with_python(image, tmp_path / "out")

    assert fs.problems == []
    assert_same_tree(source, tmp_path / "out")


@pytest.mark.parametrize("endian", ENDIANS)
def test_a_long_directory_is_read_across_metadata_blocks(
    tmp_path: Path, long_directory: Path, endian: Literal["little", "big"]
) -> None:
    image = write_image(long_directory, tmp_path / "image.sqfs", endian=endian)

    fs = read_with_python(image, tmp_path / "out")

    assert fs.problems == []
    assert_same_files(long_directory, tmp_path / "out")


# --- end to end through unblob with our handlers -------------------------------------------------------


@pytest.mark.parametrize(
    ("endian", "compression", "magic", "handler_name"),
    [
        ("little", "gzip", None, "squashfs_v2"),
        ("big", "gzip", None, "squashfs_v2"),
        ("little", "lzma", None, "squashfs_v2"),
        ("big", "lzma", None, "squashfs_v2"),
        ("big", "lzma", b"sqlz", "squashfs_v2_nonstandard"),
        ("little", "lzma", b"zlqs", "squashfs_v2_nonstandard"),
    ],
)
def test_unblob_extracts_a_2_x_image_with_our_handlers(
    tmp_path: Path,
    endian: Literal["little", "big"],
    compression: Literal["gzip", "lzma"],
    magic: bytes | None,
    handler_name: str,
) -> None:
    source = make_source_tree(tmp_path / "source")
    image = write_image(source, tmp_path / "image.sqfs", endian=endian, compression=compression, magic=magic)
    config = ExtractionConfig(
        extract_root=tmp_path / "out", randomness_depth=0, handlers=handlers.HANDLERS, process_num=1
    )

    result = process_file(config, image)

    chunks = [report for task in result.results for report in task.filter_reports(ChunkReport)]
    assert [(c.handler_name, c.start_offset, c.end_offset) for c in chunks] == [(handler_name, 0, image.stat().st_size)]
    assert chunks[0].extraction_reports == []
    assert result.errors == []
    out = tmp_path / "out" / "image.sqfs_extract"
    assert_same_files(source, out, widened_by_unblob=True)
    assert (out / "etc" / "passwd").stat().st_ino == (out / "etc" / "passwd.hardlink").stat().st_ino


def test_2_x_handlers_keep_unblobs_names_and_use_our_extractor() -> None:
    by_name = {handler.NAME: handler for handler in handlers.HANDLERS}

    for name in ("squashfs_v2", "squashfs_v2_nonstandard"):
        handler = by_name[name]
        assert isinstance(handler.EXTRACTOR, SquashfsExtractor)
        assert handler.DOC is not None
        assert "sasquatch" in (handler.DOC.description or "")
        assert handler.get_dependencies() == []


# --- the writer, checked against Debian's unsquashfs (an independent 2.x reader) and the kernel's rules


def unsquashfs(image: Path, outdir: Path) -> Path:
    # unsquashfs checks the 2.x table order and bounds (read_filesystem_tables_2) before extracting.
    subprocess.run(["unsquashfs", "-no-xattrs", "-d", str(outdir), str(image)], check=True, capture_output=True)
    return outdir


@needs_unsquashfs
@pytest.mark.parametrize("endian", ENDIANS)
def test_v2_writer_output_is_accepted_by_debian_unsquashfs(tmp_path: Path, endian: Literal["little", "big"]) -> None:
    source = make_source_tree(tmp_path / "source")
    image = write_image(source, tmp_path / "image.sqfs", endian=endian)

    assert_same_files(source, unsquashfs(image, tmp_path / "out"))


@needs_unsquashfs
@pytest.mark.parametrize("endian", ENDIANS)
def test_a_v2_long_directory_is_accepted_by_debian_unsquashfs(
    tmp_path: Path, long_directory: Path, endian: Literal["little", "big"]
) -> None:
    image = write_image(long_directory, tmp_path / "image.sqfs", endian=endian)

    assert_same_files(long_directory, unsquashfs(image, tmp_path / "out"))


@pytest.mark.parametrize("endian", ENDIANS)
def test_a_long_directory_index_leads_to_the_headers_where_the_kernels_lookup_starts(
    tmp_path: Path, long_directory: Path, endian: Literal["little", "big"]
) -> None:
    image = write_image(long_directory, tmp_path / "image.sqfs", endian=endian)

    with open_image(image) as data:
        squashfs = SquashfsImage(data)
        superblock = squashfs.superblock
        (directory,) = (entry for entry in squashfs.entries() if str(entry.path) == "lib/modules")
        metadata = MetadataReader(
            data, squashfs.decompressor, endian_prefix=superblock.variant.struct_prefix, check_bytes=False
        )
        inode = metadata.cursor(superblock.inode_table_start + directory.ref.block, directory.ref.offset)
        fields = dict(zip(LDIR_INODE.names, LDIR_INODE.decoder(endian)(inode.read(LDIR_INODE.size)), strict=True))
        assert fields["type"] == 8  # SQUASHFS_LDIR_TYPE
        assert fields["i_count"] >= 2  # the listing spans three metadata blocks
        for _ in range(fields["i_count"]):
            index = dict(zip(DIR_INDEX.names, DIR_INDEX.decoder(endian)(inode.read(DIR_INDEX.size)), strict=True))
            name = inode.read(index["size"] + 1)
            # squashfs2_0.c: the block is relative to the directory table, the offset taken modulo 8 KiB.
            offset = (fields["offset"] + index["index"]) % METADATA_SIZE
            listing = metadata.cursor(superblock.directory_table_start + index["start_block"], offset)
            _count, _inode_block = DIR_HEADER.decoder(endian)(listing.read(DIR_HEADER.size))
            _offset, _type, size = DIR_ENTRY.decoder(endian)(listing.read(DIR_ENTRY.size))
            assert listing.read(size + 1) == name


# --- damaged images: problems reported, nothing raised, nothing written outside the output ------------


def test_a_v2_image_cut_at_60_percent_reports_problems_and_raises_nothing_unhandled(tmp_path: Path) -> None:
    source = make_tree(tmp_path / "source")
    image = write_image(source, tmp_path / "image.sqfs", endian="big")
    image.write_bytes(image.read_bytes()[: int(image.stat().st_size * 0.6)])

    reports = extract(PYTHON_ONLY, image, tmp_path / "out")

    assert any("truncated" in p for p in problems(reports))
    assert any("root directory unreadable" in p for p in problems(reports))
    assert {path.split("/")[0] for path in files_under(tmp_path)} == {"source", "image.sqfs", "out"}


@pytest.mark.parametrize("endian", ENDIANS)
def test_a_v2_image_cut_before_its_fragment_index_keeps_every_file_stored_in_blocks(
    tmp_path: Path, endian: Literal["little", "big"]
) -> None:
    source = make_tree(tmp_path / "source")
    image = write_image(source, tmp_path / "image.sqfs", endian=endian)
    fragment_table_start = superblock_field(image, 59, endian)
    image.write_bytes(image.read_bytes()[:fragment_table_start])

    reports = extract(PYTHON_ONLY, image, tmp_path / "out")

    out = tmp_path / "out"
    # 2.x stores the tail of a file larger than a block as a short last block, not in a fragment.
    for whole in ("firmware.bin", "www/cgi-bin/login"):
        assert (out / whole).read_bytes() == (source / whole).read_bytes()
    assert (out / "version").read_bytes() == bytes(len(b"1.0.4\n"))
    assert any("fragment" in p for p in problems(reports))
    assert any("uid table unreadable" in p for p in problems(reports))


def test_a_damaged_v2_data_block_is_reported_and_everything_else_is_extracted(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "docs").mkdir(parents=True)
    manual = b"".join(b"line %d of the manual\n" % n for n in range(2000))
    (source / "docs" / "manual.txt").write_bytes(manual)
    (source / "version").write_bytes(b"1.0.4\n")
    image = write_image(source, tmp_path / "image.sqfs")
    data = bytearray(image.read_bytes())
    data[100:160] = bytes(60)  # data starts after the 63-byte superblock: inside manual.txt's block 0
    image.write_bytes(bytes(data))

    reports = extract(PYTHON_ONLY, image, tmp_path / "out")

    assert (tmp_path / "out" / "docs" / "manual.txt").read_bytes() == bytes(BLOCK_SIZE) + manual[BLOCK_SIZE:]
    assert (tmp_path / "out" / "version").read_bytes() == b"1.0.4\n"
    assert any("block 0" in p for p in problems(reports))


def test_a_v2_image_cut_inside_its_superblock_is_an_extraction_error_not_a_crash(tmp_path: Path) -> None:
    image = write_image(make_tree(tmp_path / "source"), tmp_path / "image.sqfs")
    image.write_bytes(image.read_bytes()[:50])
    outdir = tmp_path / "out"
    outdir.mkdir()

    with pytest.raises(ExtractError) as raised:
        PYTHON_ONLY.extract(image, outdir)

    assert [str(r.exception) for r in raised.value.reports if isinstance(r, UnknownError)] == [
        "SquashFS image unreadable: image too small for its superblock (50 of 63 bytes)"
    ]
    assert files_under(outdir) == set()


@pytest.mark.parametrize("seed", range(30))
def test_randomly_corrupted_v2_images_never_raise_unhandled_errors(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    source = make_tree(tmp_path / "source")
    endian = rng.choice(ENDIANS)
    image = write_image(source, tmp_path / "image.sqfs", endian=endian, compression=rng.choice(COMPRESSIONS))
    data = bytearray(image.read_bytes())
    # Damage the superblock or the tables after the data, where damage is the most varied.
    bytes_used = superblock_field(image, 8, endian)
    for _ in range(rng.randint(1, 8)):
        position = rng.choice([rng.randrange(4, 63), rng.randrange(max(63, bytes_used - 600), bytes_used)])
        data[position] = rng.randrange(256)
    image.write_bytes(bytes(data))
    before = files_under(tmp_path)

    reports = extract(PYTHON_ONLY, image, tmp_path / "sandbox" / "out")

    defects = [r for r in reports if isinstance(r, UnknownError) and "Traceback" in str(r.exception)]
    assert defects == []
    assert all(path.startswith("sandbox") for path in files_under(tmp_path) - before)
    assert files_under(tmp_path / "sandbox") == {"out"} | {
        f"out/{p}" for p in files_under(tmp_path / "sandbox" / "out")
    }

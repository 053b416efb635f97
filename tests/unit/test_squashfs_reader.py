"""The pure-Python SquashFS reader reproduces the source tree for every codec, version and byte order."""

from __future__ import annotations

import lzma
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Literal

import pytest
from unblob.file_utils import Endian, File, FileSystem
from unblob.handlers.filesystem import squashfs as builtin
from unblob.models import ExtractResult
from unblob.report import ExtractionProblem, SpecialFileExtractionProblem

from iotbaseline.firmware.handlers import squashfs as handlers
from iotbaseline.firmware.squashfs import SquashfsExtractor, SquashfsImage, open_image
from iotbaseline.firmware.squashfs.lzma_variants import AdaptiveLzma
from iotbaseline.firmware.squashfs.materialize import TreeWriter
from iotbaseline.firmware.squashfs.unsquashfs import Unsquashfs
from tests.corpus.squashfs_legacy import pack_bits, write_squashfs3, write_squashfs4

BLOCK_SIZE = 4096
needs_squashfs_tools = pytest.mark.skipif(
    shutil.which("mksquashfs") is None or shutil.which("unsquashfs") is None,
    reason="Debian's squashfs-tools are not installed",
)


def make_source_tree(root: Path) -> Path:
    """Every kind of entry the reader must reproduce, small enough to keep the tests fast."""
    root.mkdir()
    (root / "etc" / "init.d").mkdir(parents=True)
    (root / "bin").mkdir()
    (root / "empty-dir").mkdir()
    (root / "bin" / "busybox").write_bytes(os.urandom(3 * BLOCK_SIZE + 123))  # blocks and a fragment
    (root / "bin" / "busybox").chmod(0o4755)
    (root / "etc" / "passwd").write_bytes(b"root:x:0:0:root:/root:/bin/sh\n")  # fragment only
    (root / "etc" / "exact-block").write_bytes(b"\x5a" * BLOCK_SIZE)  # no fragment at all
    (root / "etc" / "init.d" / "rcS").write_text("#!/bin/sh\nmount -a\n")
    (root / "etc" / "init.d" / "rcS").chmod(0o700)
    (root / "etc" / "empty").write_bytes(b"")
    (root / "bin" / "sh").symlink_to("/bin/busybox")  # absolute
    (root / "etc" / "init.d" / "S01").symlink_to("rcS")  # relative
    (root / "etc" / "init.d" / "up").symlink_to("../passwd")  # relative, upwards
    os.link(root / "etc" / "passwd", root / "etc" / "passwd.hardlink")
    return root


def expected_link_target(relative_link: Path, target: str) -> str:
    """unblob's FileSystem rewrites absolute targets relative to the output root, keeping them relocatable."""
    if not target.startswith("/"):
        return target
    return str(Path(*([".."] * (len(relative_link.parts) - 1)), target.lstrip("/")))


def assert_same_tree(source: Path, extracted: Path, *, absolute_links_rewritten: bool = True) -> None:
    source_entries = sorted(p.relative_to(source) for p in source.rglob("*"))
    extracted_entries = sorted(p.relative_to(extracted) for p in extracted.rglob("*"))
    assert extracted_entries == source_entries
    for relative in source_entries:
        original, copy = source / relative, extracted / relative
        if original.is_symlink():
            target = str(original.readlink())
            expected = expected_link_target(relative, target) if absolute_links_rewritten else target
            assert str(copy.readlink()) == expected, relative
            continue
        assert stat.S_IMODE(copy.lstat().st_mode) == stat.S_IMODE(original.lstat().st_mode), relative
        if original.is_file():
            assert copy.read_bytes() == original.read_bytes(), relative
    assert (extracted / "etc" / "passwd").stat().st_ino == (extracted / "etc" / "passwd.hardlink").stat().st_ino


def read_with_python(image_path: Path, outdir: Path) -> FileSystem:
    outdir.mkdir()
    fs = FileSystem(outdir)
    with open_image(image_path) as data:
        TreeWriter(SquashfsImage(data), fs).write_all()
    return fs


def mksquashfs(source: Path, image: Path, *extra: str) -> Path:
    subprocess.run(
        [
            "mksquashfs",
            str(source),
            str(image),
            "-noappend",
            "-quiet",
            "-no-progress",
            "-b",
            str(BLOCK_SIZE),
            *extra,
        ],
        check=True,
        capture_output=True,
    )
    return image


@needs_squashfs_tools
@pytest.mark.parametrize("codec", ["gzip", "lzo", "lz4", "xz", "zstd", "lzma"])
def test_python_reader_reproduces_a_mksquashfs_4_tree_for_every_codec(tmp_path: Path, codec: str) -> None:
    source = make_source_tree(tmp_path / "source")
    image = mksquashfs(source, tmp_path / "image.sqfs", "-comp", codec)

    fs = read_with_python(image, tmp_path / "out")

    assert fs.problems == []
    assert_same_tree(source, tmp_path / "out")


@pytest.mark.parametrize("endian", ["little", "big"])
@pytest.mark.parametrize("compression", ["gzip", "lzma", "lzma-nosize"])
def test_python_reader_reproduces_a_legacy_3_1_tree(
    tmp_path: Path, endian: Literal["little", "big"], compression: Literal["gzip", "lzma", "lzma-nosize"]
) -> None:
    source = make_source_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    write_squashfs3(source, image, endian=endian, compression=compression, block_size=BLOCK_SIZE)

    fs = read_with_python(image, tmp_path / "out")

    assert fs.problems == []
    assert_same_tree(source, tmp_path / "out")


@pytest.mark.parametrize("endian", ["little", "big"])
@pytest.mark.parametrize("compression", ["gzip", "lzma"])
def test_python_reader_reproduces_a_4_0_tree_in_either_byte_order(
    tmp_path: Path, endian: Literal["little", "big"], compression: Literal["gzip", "lzma"]
) -> None:
    source = make_source_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    write_squashfs4(source, image, endian=endian, compression=compression, block_size=BLOCK_SIZE)

    fs = read_with_python(image, tmp_path / "out")

    assert fs.problems == []
    assert_same_tree(source, tmp_path / "out")


@pytest.mark.parametrize(("magic", "endian"), [(b"sqlz", "big"), (b"zlqs", "little"), (b"shsq", "little")])
def test_vendor_magic_lzma_images_are_read(tmp_path: Path, magic: bytes, endian: Literal["little", "big"]) -> None:
    source = make_source_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    write_squashfs3(source, image, endian=endian, compression="lzma-nosize", magic=magic, block_size=BLOCK_SIZE)

    fs = read_with_python(image, tmp_path / "out")

    assert fs.problems == []
    assert_same_tree(source, tmp_path / "out")


def test_lzma_with_a_bogus_properties_byte_decodes_with_the_standard_properties() -> None:
    payload = b"vendor kernels wrote odd headers " * 40
    stream = lzma.compress(
        payload,
        format=lzma.FORMAT_ALONE,
        filters=[{"id": lzma.FILTER_LZMA1, "lc": 3, "lp": 0, "pb": 2, "dict_size": 1 << 16}],
    )
    block = b"\xff" + stream[1:5] + len(payload).to_bytes(8, "little") + stream[13:]

    decoder = AdaptiveLzma()

    assert decoder.decompress(block, len(payload), exact=True) == payload
    assert decoder.learned_layout is not None
    assert decoder.learned_layout.name == "lzma alone, non-standard properties byte"


# --- the writer is checked against Debian's unsquashfs, an independent 3.x reader ------------------


@needs_squashfs_tools
@pytest.mark.parametrize(("version", "endian"), [(3, "little"), (3, "big"), (4, "little")])
def test_legacy_writer_output_is_accepted_by_debian_unsquashfs(
    tmp_path: Path, version: int, endian: Literal["little", "big"]
) -> None:
    source = make_source_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    if version == 3:
        write_squashfs3(source, image, endian=endian, compression="gzip", block_size=BLOCK_SIZE)
    else:
        write_squashfs4(source, image, endian=endian, compression="gzip", block_size=BLOCK_SIZE)

    subprocess.run(
        ["unsquashfs", "-no-xattrs", "-d", str(tmp_path / "out"), str(image)], check=True, capture_output=True
    )

    assert_same_tree(source, tmp_path / "out", absolute_links_rewritten=False)


def test_bitfields_pack_like_gcc_on_each_host_byte_order() -> None:
    # squashfs_dir_entry_3: offset:13, type:3, size:8, inode_number:16, here 0x123, 2, 4, -1.
    entry = [(0x123, 13), (2, 3), (4, 8), (0xFFFF, 16)]
    # Little endian: offset fills the low bits of the first 16-bit unit, type its top 3 bits.
    assert pack_bits(entry, "little") == bytes([0x23, 0x41, 0x04, 0xFF, 0xFF])
    # Big endian: offset fills the top 13 bits, type the low 3 bits.
    assert pack_bits(entry, "big") == bytes([0x09, 0x1A, 0x04, 0xFF, 0xFF])


def test_legacy_superblock_agrees_with_unblobs_own_3x_struct(tmp_path: Path) -> None:
    source = make_source_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    write_squashfs3(source, image, endian="big", compression="gzip", block_size=BLOCK_SIZE)
    handler = builtin.SquashFSv3Handler()

    with File.from_path(image) as file:
        header = handler.parse_header(file, Endian.BIG)
        chunk = handler.calculate_chunk(file, 0)

    assert (header.s_major, header.s_minor, header.block_size) == (3, 1, BLOCK_SIZE)
    assert header.bytes_used < image.stat().st_size <= header.bytes_used + 4096
    assert chunk is not None
    assert chunk.end_offset == image.stat().st_size


# --- the extractor: unsquashfs first for standard 4.x little endian, Python otherwise ---------------


def fake_unsquashfs(tmp_path: Path, extraction: str) -> Unsquashfs:
    script = tmp_path / "fake-unsquashfs"
    script.write_text(
        f'#!/bin/sh\nif [ "$1" = -version ]; then echo "unsquashfs version 4.5.1"; exit 0; fi\n{extraction}\n'
    )
    script.chmod(0o755)
    return Unsquashfs(executable=str(script), timeout_seconds=1)


@needs_squashfs_tools
def test_standard_v4_images_are_extracted_by_unsquashfs(tmp_path: Path) -> None:
    source = make_source_tree(tmp_path / "source")
    image = mksquashfs(source, tmp_path / "image.sqfs", "-comp", "xz")
    outdir = tmp_path / "out"
    outdir.mkdir()

    result = SquashfsExtractor().extract(image, outdir)

    # unsquashfs keeps absolute symlink targets as they are; the Python path rewrites them.
    assert isinstance(result, ExtractResult)
    assert_same_tree(source, outdir, absolute_links_rewritten=False)


@needs_squashfs_tools
@pytest.mark.parametrize(
    ("extraction", "reason"),
    [
        ('mkdir -p "$3/half-written"; echo "FATAL ERROR: corrupt" >&2; exit 1', "failed with exit code 1"),
        ("sleep 5", "timed out"),
    ],
)
def test_extractor_falls_back_to_python_when_unsquashfs_fails(tmp_path: Path, extraction: str, reason: str) -> None:
    source = make_source_tree(tmp_path / "source")
    image = mksquashfs(source, tmp_path / "image.sqfs", "-comp", "gzip")
    outdir = tmp_path / "out"
    outdir.mkdir()

    result = SquashfsExtractor(native=fake_unsquashfs(tmp_path, extraction)).extract(image, outdir)

    assert isinstance(result, ExtractResult)
    assert any(isinstance(r, ExtractionProblem) and reason in r.problem for r in result.reports)
    assert_same_tree(source, outdir)


@needs_squashfs_tools
def test_extractor_uses_python_when_unsquashfs_is_missing(tmp_path: Path) -> None:
    source = make_source_tree(tmp_path / "source")
    image = mksquashfs(source, tmp_path / "image.sqfs", "-comp", "lz4")
    outdir = tmp_path / "out"
    outdir.mkdir()

    result = SquashfsExtractor(native=Unsquashfs(executable=str(tmp_path / "missing"))).extract(image, outdir)

    assert isinstance(result, ExtractResult)
    assert result.reports == []
    assert_same_tree(source, outdir)


@needs_squashfs_tools
@pytest.mark.parametrize("native", [True, False])
def test_device_nodes_and_fifos_are_recorded_not_created(tmp_path: Path, native: bool) -> None:
    source = tmp_path / "source"
    (source / "dev").mkdir(parents=True)
    image = mksquashfs(source, tmp_path / "image.sqfs", "-p", "dev/mem c 640 0 0 1 1", "-p", "dev/initctl i 600 0 0 f")
    outdir = tmp_path / "out"
    outdir.mkdir()
    extractor = SquashfsExtractor() if native else SquashfsExtractor(native=Unsquashfs(executable="absent"))

    result = extractor.extract(image, outdir)

    assert isinstance(result, ExtractResult)
    assert list((outdir / "dev").iterdir()) == []
    special = {r.path: r for r in result.reports if isinstance(r, SpecialFileExtractionProblem)}
    assert set(special) == {"dev/mem", "dev/initctl"}
    assert stat.S_ISCHR(special["dev/mem"].mode)
    assert special["dev/mem"].device == os.makedev(1, 1)


def test_handlers_keep_unblobs_names_and_use_our_extractor() -> None:
    names = {handler.NAME for handler in handlers.HANDLERS}

    assert names == {
        "squashfs_v2",
        "squashfs_v2_nonstandard",
        "squashfs_v3",
        "squashfs_v3_ddwrt",
        "squashfs_v3_broadcom",
        "squashfs_v3_nonstandard",
        "squashfs_v4_le",
        "squashfs_v4_be",
        "squashfs_v4_broadcom",
    }
    for handler in handlers.HANDLERS:
        assert isinstance(handler.EXTRACTOR, SquashfsExtractor)
        assert handler.DOC is not None
        assert "sasquatch" in (handler.DOC.description or "")
        assert handler.get_dependencies() == []


@pytest.mark.parametrize("variant", ["3.1 sqlz lzma", "4.0 big endian"])
def test_a_handler_extracts_a_vendor_image_end_to_end(tmp_path: Path, variant: str) -> None:
    source = make_source_tree(tmp_path / "source")
    image = tmp_path / "image.sqfs"
    handler: handlers.SquashFSv3NSHandler | handlers.SquashFSv4BEHandler
    if variant.startswith("3.1"):
        write_squashfs3(source, image, endian="big", compression="lzma", magic=b"sqlz", block_size=BLOCK_SIZE)
        handler = handlers.SquashFSv3NSHandler()  # type: ignore[no-untyped-call]
    else:
        write_squashfs4(source, image, endian="big", block_size=BLOCK_SIZE)
        handler = handlers.SquashFSv4BEHandler()  # type: ignore[no-untyped-call]
    with File.from_path(image) as file:
        chunk = handler.calculate_chunk(file, 0)
    assert chunk is not None
    assert chunk.end_offset == image.stat().st_size

    handler.extract(image, tmp_path / "out")

    assert_same_tree(source, tmp_path / "out")

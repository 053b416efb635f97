"""Writing a U-Boot image payload to disk, decompressed the way U-Boot would, within a size cap.

Both legacy uImages and FIT images name one of U-Boot's compressions for each payload. The output is
streamed in bounded pieces and stops at a cap, so a decompression bomb costs at most the cap in disk
and one piece in memory. Problems never abort the extraction: they are recorded on the `FileSystem`
and the payload is kept as well as it can be (the raw bytes when decoding fails).
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zlib
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import lz4.block
import lz4.frame
import lzallright
import pyzstd
from unblob.file_utils import File, FileSystem, iterate_file
from unblob.report import ExtractionProblem

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# The decompressed output of one payload may not exceed MAX_EXPANSION_RATIO times its compressed size
# nor MAX_DECOMPRESSED_SIZE, whichever is smaller. Kernels and ramdisks expand 2-5x; 64x leaves room
# for sparse filesystems while stopping bombs (gzip reaches ~1000x, bzip2 far more).
MAX_EXPANSION_RATIO = 64
MAX_DECOMPRESSED_SIZE = 1 << 30
OUTPUT_PIECE_SIZE = 1 << 20
# liblzma allocates the dictionary the header asks for; real kernels use at most 64 MiB.
LZMA_MEMORY_LIMIT = 256 << 20
# lzop writes 256 KiB blocks and the Linux unlzo decoder rejects larger ones; lzallright has no output
# bound, so the block size check is what keeps one block's output small.
LZOP_MAX_BLOCK_SIZE = 256 << 10
LZOP_MAGIC = b"\x89LZO\x00\r\n\x1a\n"
LZ4_LEGACY_MAGIC = b"\x02\x21\x4c\x18"
LZ4_LEGACY_BLOCK_SIZE = 8 << 20
LZ4_LEGACY_MAX_COMPRESSED_BLOCK = LZ4_LEGACY_BLOCK_SIZE + LZ4_LEGACY_BLOCK_SIZE // 255 + 16
_LZ4_LEGACY_MAGIC_VALUE = 0x184C2102

COMPRESSIONS = ("none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd")

_U32_BE = struct.Struct(">I")
_U32_LE = struct.Struct("<I")


class PayloadOutput(StrEnum):
    """What the written file holds."""

    COPIED = "copied"  # the payload is stored uncompressed
    DECOMPRESSED = "decompressed"
    CAPPED = "capped"  # decompression stopped at the size cap; the file holds the output up to it
    RAW = "raw"  # the payload could not be decompressed; the file holds its bytes as stored


class PayloadDecodeError(Exception):
    """The compressed payload is corrupt, truncated or of an unsupported kind."""


class DecompressionCapExceeded(Exception):
    def __init__(self, cap: int):
        super().__init__(f"decompressed output exceeds the {cap}-byte cap")
        self.cap = cap


def decompressed_size_cap(compressed_size: int) -> int:
    return min(MAX_EXPANSION_RATIO * compressed_size, MAX_DECOMPRESSED_SIZE)


def write_payload(fs: FileSystem, path: Path, file: File, offset: int, size: int, compression: str) -> PayloadOutput:
    """Write `size` bytes at `offset` of `file` to `path`, decompressed per `compression`."""
    if compression == "none":
        fs.write_chunks(path, iterate_file(file, offset, size))
        return PayloadOutput.COPIED

    cap = decompressed_size_cap(size)
    try:
        if compression not in COMPRESSIONS:
            raise PayloadDecodeError(f"unknown compression {compression!r}")
        fs.write_chunks(path, _capped(_decoded(compression, file, offset, size), cap))
    except DecompressionCapExceeded as exc:
        record_problem(fs, path, f"{compression} payload: {exc}", "Kept the output up to the cap.")
        return PayloadOutput.CAPPED
    except PayloadDecodeError as exc:
        record_problem(fs, path, f"cannot decompress {compression} payload: {exc}", "Wrote the raw payload.")
        fs.write_chunks(path, iterate_file(file, offset, size))
        return PayloadOutput.RAW
    return PayloadOutput.DECOMPRESSED


def record_problem(fs: FileSystem, path: Path | None, problem: str, resolution: str) -> None:
    fs.record_problem(ExtractionProblem(problem=problem, resolution=resolution, path=str(path) if path else None))


def _capped(pieces: Iterator[bytes], cap: int) -> Iterator[bytes]:
    written = 0
    for piece in pieces:
        if written + len(piece) > cap:
            yield piece[: cap - written]
            raise DecompressionCapExceeded(cap)
        written += len(piece)
        yield piece


# The library exceptions that mean "bad input"; anything else is a bug and should surface.
_DECODER_ERRORS = (
    zlib.error,
    lzma.LZMAError,
    OSError,  # bz2 reports corrupt data as OSError
    EOFError,
    RuntimeError,  # lz4.frame
    pyzstd.ZstdError,
    lzallright.LZOError,
    lz4.block.LZ4BlockError,
)


def _decoded(compression: str, file: File, offset: int, size: int) -> Iterator[bytes]:
    try:
        if compression == "lzo":
            yield from _lzop_blocks(_Region(file, offset, size))
        elif compression == "lz4" and file[offset : offset + 4] == LZ4_LEGACY_MAGIC:
            yield from _lz4_legacy_blocks(_Region(file, offset, size))
        else:
            yield from _stream(_stream_decompressor(compression), iterate_file(file, offset, size))
    except _DECODER_ERRORS as exc:
        raise PayloadDecodeError(str(exc) or type(exc).__name__) from exc


class _StreamDecompressor(Protocol):
    """The incremental interface bz2, lzma, lz4.frame and pyzstd decompressors share."""

    @property
    def eof(self) -> bool: ...
    @property
    def needs_input(self) -> bool: ...
    def decompress(self, data: bytes, max_length: int, /) -> bytes: ...


class _GzipDecompressor:
    """zlib's decompressobj behind the same interface; U-Boot's gunzip wants a gzip header."""

    def __init__(self) -> None:
        self._zlib = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        self.needs_input = True

    @property
    def eof(self) -> bool:
        return self._zlib.eof

    def decompress(self, data: bytes, max_length: int, /) -> bytes:
        output = self._zlib.decompress(self._zlib.unconsumed_tail + data, max_length)
        # A full output piece may leave decoded bytes inside zlib even when all input is consumed.
        self.needs_input = not self._zlib.unconsumed_tail and len(output) < max_length
        return output


def _stream_decompressor(compression: str) -> _StreamDecompressor:
    if compression == "gzip":
        return _GzipDecompressor()
    if compression == "bzip2":
        return bz2.BZ2Decompressor()
    if compression == "lzma":
        # U-Boot's lzma is the legacy "alone" format: properties, dictionary size, 64-bit size.
        return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE, memlimit=LZMA_MEMORY_LIMIT)
    if compression == "lz4":
        return lz4.frame.LZ4FrameDecompressor()  # type: ignore[no-any-return]
    return pyzstd.ZstdDecompressor()


def _stream(decompressor: _StreamDecompressor, chunks: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        data = chunk
        while True:
            if output := decompressor.decompress(data, OUTPUT_PIECE_SIZE):
                yield output
            data = b""
            if decompressor.eof:
                return  # bytes after the end of the stream are padding
            if decompressor.needs_input:
                break
    raise PayloadDecodeError("compressed stream ends before its end marker")


class _Region:
    """Sequential, bounds-checked reads from a slice of a file."""

    def __init__(self, file: File, offset: int, size: int):
        self._file = file
        self._pos = offset
        self._end = min(offset + size, file.size())

    @property
    def remaining(self) -> int:
        return self._end - self._pos

    def read(self, size: int) -> bytes:
        if size > self.remaining:
            raise PayloadDecodeError(f"needs {size} bytes, {self.remaining} left in the payload")
        data = self._file[self._pos : self._pos + size]
        self._pos += size
        return data

    def u32(self, layout: struct.Struct = _U32_BE) -> int:
        return int(layout.unpack(self.read(4))[0])


# lzop header flags that add fields, from lzop's conf.h.
_LZOP_ADLER32_D, _LZOP_ADLER32_C = 0x1, 0x2
_LZOP_EXTRA_FIELD, _LZOP_CRC32_D, _LZOP_CRC32_C = 0x40, 0x100, 0x200
_LZOP_FILTER = 0x800
_LZOP_VERSION_WITH_LEVEL = 0x0940


def _lzop_blocks(region: _Region) -> Iterator[bytes]:
    """U-Boot's "lzo" is the lzop file format: a header, then checksummed LZO1X blocks."""
    if region.read(len(LZOP_MAGIC)) != LZOP_MAGIC:
        raise PayloadDecodeError("not an lzop stream")
    flags = _skip_lzop_header(region)
    while block_size := region.u32():
        stored_size = region.u32()
        if block_size > LZOP_MAX_BLOCK_SIZE or stored_size > block_size:
            raise PayloadDecodeError(f"implausible lzop block ({stored_size} -> {block_size} bytes)")
        checksums = bool(flags & _LZOP_ADLER32_D) + bool(flags & _LZOP_CRC32_D)
        if stored_size < block_size:
            checksums += bool(flags & _LZOP_ADLER32_C) + bool(flags & _LZOP_CRC32_C)
        region.read(4 * checksums)
        data = region.read(stored_size)
        block = data if stored_size == block_size else lzallright.LZOCompressor.decompress(data, block_size)
        if len(block) != block_size:
            raise PayloadDecodeError("lzop block decodes to the wrong size")
        yield block


def _skip_lzop_header(region: _Region) -> int:
    version = region.read(2)
    region.read(2)  # library version
    has_level = struct.unpack(">H", version)[0] >= _LZOP_VERSION_WITH_LEVEL
    region.read(2 if has_level else 0)  # version needed to extract
    region.read(2 if has_level else 1)  # method, level
    flags = region.u32()
    region.read(4 if flags & _LZOP_FILTER else 0)
    region.read(8 + (4 if has_level else 0))  # mode, mtime (low, high)
    name_length = region.read(1)[0]
    region.read(name_length + 4)  # name, header checksum
    if flags & _LZOP_EXTRA_FIELD:
        region.read(region.u32() + 4)
    return flags


def _lz4_legacy_blocks(region: _Region) -> Iterator[bytes]:
    """The lz4 legacy format (`lz4 -l`, Linux's Image.lz4): 8 MiB blocks with a size prefix."""
    region.read(len(LZ4_LEGACY_MAGIC))
    while region.remaining >= _U32_LE.size:
        block_size = region.u32(_U32_LE)
        if block_size == _LZ4_LEGACY_MAGIC_VALUE:
            continue  # a concatenated stream
        if block_size == 0 or region.remaining == 0:
            return  # end marker, or the uncompressed-size trailer the kernel build appends
        if block_size > LZ4_LEGACY_MAX_COMPRESSED_BLOCK:
            raise PayloadDecodeError(f"lz4 legacy block of {block_size} bytes is too large")
        yield lz4.block.decompress(region.read(block_size), uncompressed_size=LZ4_LEGACY_BLOCK_SIZE)

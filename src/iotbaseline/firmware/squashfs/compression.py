"""Block decompressors for every SquashFS compressor, each bounded to the size a block may have."""

from __future__ import annotations

import lzma
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import lz4.block
import pyzstd
from lzallright import LZOCompressor, LZOError

from iotbaseline.firmware.squashfs.errors import CorruptImage, UnsupportedImage
from iotbaseline.firmware.squashfs.lzma_variants import AdaptiveLzma
from iotbaseline.firmware.squashfs.superblock import Superblock


class Decompressor(Protocol):
    @property
    def name(self) -> str: ...

    def decompress(self, data: bytes, limit: int, *, exact: bool) -> bytes:
        """Decode one block into at most `limit` bytes; `exact` when the output size is known.

        Raises CorruptImage when the block does not decode or would exceed `limit`.
        """
        ...


class _StreamDecoder(Protocol):
    """A decoder of a stream that marks its own end (an xz stream, a zstd frame)."""

    @property
    def eof(self) -> bool: ...

    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


@contextmanager
def _errors_as_corrupt(codec: str, error_type: type[Exception]) -> Iterator[None]:
    try:
        yield
    except error_type as error:
        raise CorruptImage(f"{codec}: {error}") from None


def _decode_to_end(decoder: _StreamDecoder, data: bytes, limit: int, unit: str) -> bytes:
    """Decode at most `limit` bytes; a stream whose end was not reached is cut short or too large."""
    output = decoder.decompress(data, max_length=limit)
    if not decoder.eof:
        raise CorruptImage(f"{unit} is truncated or expands beyond the block size")
    return output


class Zlib:
    name = "gzip"

    def decompress(self, data: bytes, limit: int, *, exact: bool) -> bytes:
        decoder = zlib.decompressobj()
        with _errors_as_corrupt("zlib", zlib.error):
            output = decoder.decompress(data, limit)
        if decoder.unconsumed_tail:
            raise CorruptImage(f"zlib block expands beyond {limit} bytes")
        if not decoder.eof:
            raise CorruptImage("zlib stream is truncated")
        return output


class Xz:
    name = "xz"

    def decompress(self, data: bytes, limit: int, *, exact: bool) -> bytes:
        with _errors_as_corrupt("xz", lzma.LZMAError):
            return _decode_to_end(lzma.LZMADecompressor(format=lzma.FORMAT_XZ), data, limit, "xz stream")


class Lzo:
    name = "lzo"

    def decompress(self, data: bytes, limit: int, *, exact: bool) -> bytes:
        # LZO output can exceed the hint only by LZO's bounded expansion, then is rejected below.
        with _errors_as_corrupt("lzo", LZOError):
            output = LZOCompressor.decompress(data, output_size_hint=limit)
        if len(output) > limit:
            raise CorruptImage(f"lzo block expands beyond {limit} bytes")
        return output


class Lz4:
    name = "lz4"

    def decompress(self, data: bytes, limit: int, *, exact: bool) -> bytes:
        with _errors_as_corrupt("lz4", lz4.block.LZ4BlockError):
            output: bytes = lz4.block.decompress(data, uncompressed_size=limit)
        return output


class Zstd:
    name = "zstd"

    def decompress(self, data: bytes, limit: int, *, exact: bool) -> bytes:
        with _errors_as_corrupt("zstd", pyzstd.ZstdError):
            return _decode_to_end(pyzstd.ZstdDecompressor(), data, limit, "zstd frame")


class SniffingDecompressor:
    """For images that do not record their compressor (2.x, 3.x) or record it wrongly (some vendors' 4.x).

    Tries the declared compressor first, then picks by the block's own signature, falling back to the
    LZMA layouts, which have no reliable signature.
    """

    def __init__(self, declared: Decompressor | None = None) -> None:
        self._declared = declared
        self._zlib = Zlib()
        self._xz = Xz()
        self._zstd = Zstd()
        self._lzma = declared if isinstance(declared, AdaptiveLzma) else AdaptiveLzma()

    @property
    def name(self) -> str:
        return self._declared.name if self._declared else "detected per block (zlib or lzma)"

    def decompress(self, data: bytes, limit: int, *, exact: bool) -> bytes:
        declared_error: CorruptImage | None = None
        if self._declared is not None:
            try:
                return self._declared.decompress(data, limit, exact=exact)
            except CorruptImage as error:
                declared_error = error
        for candidate in self._by_signature(data):
            if candidate is self._declared:
                continue
            try:
                return candidate.decompress(data, limit, exact=exact)
            except CorruptImage:
                continue
        raise declared_error or CorruptImage("block does not decode with zlib or any LZMA layout")

    def _by_signature(self, data: bytes) -> list[Decompressor]:
        head = bytes(data[:6])
        if head.startswith(b"\xfd7zXZ\x00"):
            return [self._xz, self._lzma]
        if head.startswith(b"\x28\xb5\x2f\xfd"):
            return [self._zstd, self._lzma]
        if _looks_like_zlib(head):
            return [self._zlib, self._lzma]
        return [self._lzma, self._zlib]


def _looks_like_zlib(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and head[0] >> 4 <= 7 and (head[0] << 8 | head[1]) % 31 == 0


# Compressor ids of the 4.x superblock.
_BY_ID: dict[int, type[Zlib | AdaptiveLzma | Lzo | Xz | Lz4 | Zstd]] = {
    1: Zlib,
    2: AdaptiveLzma,
    3: Lzo,
    4: Xz,
    5: Lz4,
    6: Zstd,
}


def decompressor_for(superblock: Superblock) -> Decompressor:
    if superblock.compression_id is None:
        return SniffingDecompressor()
    codec = _BY_ID.get(superblock.compression_id)
    if codec is None:
        raise UnsupportedImage(f"unknown compressor id {superblock.compression_id}")
    if superblock.variant.vendor == "standard":
        return codec()
    # Vendor builds are known to declare one compressor and use another (usually LZMA).
    return SniffingDecompressor(codec())

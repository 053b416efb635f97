"""Single-stream compression handlers (gzip, xz, lzma, bzip2, zstd) decompressing in process.

unblob starts 7z or zstd for every compressed stream. A root filesystem holds hundreds of small
ones (gzipped changelogs and man pages, compressed kernel modules), and one process each was
more than half of the extraction time of our 61 MB benchmark image. Python's own zlib, lzma and
bz2 modules and pyzstd decompress the same streams in process; on an error the original command
runs instead, so a damaged stream is recovered at least as well as unblob would.
A bomb is stopped by the kernel's file-size limit the worker sets (EFBIG), reported as such.
"""

import bz2
import errno
import gzip
import lzma
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pyzstd
from unblob.extractors import Command
from unblob.file_utils import FileSystem
from unblob.handlers.compression import bzip2 as unblob_bzip2
from unblob.handlers.compression import gzip as unblob_gzip
from unblob.handlers.compression import lzma as unblob_lzma
from unblob.handlers.compression import xz as unblob_xz
from unblob.handlers.compression import zstd as unblob_zstd
from unblob.models import ExtractError, Extractor, ExtractResult, Handler
from unblob.report import ExtractionProblem

_BLOCK = 1024 * 1024
Opener = Callable[[Path], IO[bytes]]

SINGLE_FILE_CAP_PROBLEM = "stopped when the output reached the single-file cap (half the output budget)"


class StreamExtractor(Extractor):
    def __init__(self, opener: Opener, output_name: str, fallback: Command) -> None:
        self._opener = opener
        self._output_name = output_name
        self._fallback = fallback

    def get_dependencies(self) -> list[str]:
        return list(self._fallback.get_dependencies())

    def output_name(self, inpath: Path) -> str:
        return self._output_name

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult | None:
        fs = FileSystem(outdir)
        name = Path(self.output_name(inpath))
        try:
            with self._opener(inpath) as stream, fs.open(name) as out:
                shutil.copyfileobj(stream, out, _BLOCK)
        except OSError as error:
            if error.errno != errno.EFBIG:
                return self._with_command(inpath, outdir, fs, name)
            raise ExtractError(
                ExtractionProblem(problem=SINGLE_FILE_CAP_PROBLEM, resolution="Output cut.", path=str(name))
            ) from None
        except (EOFError, lzma.LZMAError, pyzstd.ZstdError, ValueError, gzip.BadGzipFile):
            return self._with_command(inpath, outdir, fs, name)
        return ExtractResult(reports=fs.problems)

    def _with_command(self, inpath: Path, outdir: Path, fs: FileSystem, name: Path) -> ExtractResult | None:
        fs.unlink(name)
        return self._fallback.extract(inpath, outdir)  # type: ignore[no-any-return]


class GzipExtractor(StreamExtractor):
    def output_name(self, inpath: Path) -> str:
        # unblob's handler names the output after the name stored in the gzip header
        return str(unblob_gzip.get_gzip_embedded_name(inpath)) or self._output_name


def _gzip(path: Path) -> IO[bytes]:
    return gzip.GzipFile(path, "rb")  # type: ignore[return-value]


def _xz(path: Path) -> IO[bytes]:
    return lzma.open(path, "rb", format=lzma.FORMAT_XZ)


def _lzma_alone(path: Path) -> IO[bytes]:
    return lzma.open(path, "rb", format=lzma.FORMAT_ALONE)


def _bzip2(path: Path) -> IO[bytes]:
    return bz2.open(path, "rb")


def _zstd(path: Path) -> IO[bytes]:
    return pyzstd.ZstdFile(path, "rb")  # type: ignore[return-value]


def _7z_to(name: str) -> Command:
    return Command("7z", "x", "-y", "{inpath}", "-so", stdout=name)


class GZIPHandler(unblob_gzip.GZIPHandler):
    EXTRACTOR = GzipExtractor(_gzip, "gzip.uncompressed", _7z_to("gzip.uncompressed"))  # type: ignore[assignment]


class XZHandler(unblob_xz.XZHandler):
    EXTRACTOR = StreamExtractor(_xz, "xz.uncompressed", _7z_to("xz.uncompressed"))  # type: ignore[assignment]


class LZMAHandler(unblob_lzma.LZMAHandler):
    EXTRACTOR = StreamExtractor(_lzma_alone, "lzma.uncompressed", _7z_to("lzma.uncompressed"))  # type: ignore[assignment]


class BZip2Handler(unblob_bzip2.BZip2Handler):
    EXTRACTOR = StreamExtractor(_bzip2, "bzip2.uncompressed", _7z_to("bzip2.uncompressed"))  # type: ignore[assignment]


class ZSTDHandler(unblob_zstd.ZSTDHandler):
    EXTRACTOR = StreamExtractor(  # type: ignore[assignment]
        _zstd, "zstd.uncompressed", Command("zstd", "-d", "{inpath}", "-o", "{outdir}/zstd.uncompressed")
    )


HANDLERS: tuple[type[Handler[Any]], ...] = (GZIPHandler, XZHandler, LZMAHandler, BZip2Handler, ZSTDHandler)

"""The unblob Extractor for every SquashFS variant: unsquashfs when it can, the Python reader otherwise."""

from __future__ import annotations

from pathlib import Path

from unblob.file_utils import FileSystem
from unblob.models import ExtractError, Extractor, ExtractResult
from unblob.report import Report, UnknownError

from iotbaseline.firmware.squashfs.errors import SquashfsError
from iotbaseline.firmware.squashfs.image import open_image
from iotbaseline.firmware.squashfs.limits import ReaderLimits
from iotbaseline.firmware.squashfs.materialize import TreeWriter
from iotbaseline.firmware.squashfs.reader import SquashfsImage
from iotbaseline.firmware.squashfs.superblock import SUPERBLOCK_READ_SIZE
from iotbaseline.firmware.squashfs.unsquashfs import Unsquashfs

_STANDARD_V4_LE = b"hsqs"


class SquashfsExtractor(Extractor):
    """Extracts SquashFS 2.x/3.x/4.x in either byte order and the vendor variants, without sasquatch.

    Standard 4.x little-endian images go to Debian's unsquashfs first, the native speed floor; if it
    is missing, older than 4.5, fails or times out, the pure-Python reader takes over. Everything else
    is read in Python. The Python path writes only through unblob's FileSystem.
    """

    def __init__(self, native: Unsquashfs | None = None, limits: ReaderLimits | None = None) -> None:
        self.native = native if native is not None else Unsquashfs()
        self.limits = limits or ReaderLimits()

    def get_dependencies(self) -> list[str]:
        # unsquashfs only speeds things up; nothing is required.
        return []

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult | None:
        reports: list[Report] = []
        if self._is_standard_v4_little_endian(inpath) and self.native.available():
            outcome = self.native.extract(inpath, outdir)
            if outcome.succeeded:
                return ExtractResult(reports=outcome.reports)
            reports.extend(outcome.reports)
        fs = FileSystem(outdir)
        try:
            with open_image(inpath) as data:
                image = SquashfsImage(data, self.limits)
                TreeWriter(image, fs).write_all()
        except SquashfsError as error:
            raise ExtractError(
                *reports, *fs.problems, UnknownError(exception=f"SquashFS image unreadable: {error}")
            ) from None
        except Exception as error:  # a defect, not the image: keep the partial output, report it
            raise ExtractError(*reports, *fs.problems, UnknownError(exception=error)) from None
        if fs.problems and not any(outdir.iterdir()):
            raise ExtractError(*reports, *fs.problems, UnknownError(exception="no part of the image was readable"))
        return ExtractResult(reports=[*reports, *fs.problems])

    @staticmethod
    def _is_standard_v4_little_endian(inpath: Path) -> bool:
        with inpath.open("rb") as file:
            header = file.read(SUPERBLOCK_READ_SIZE)
        return len(header) >= 30 and header[:4] == _STANDARD_V4_LE and header[28:30] == b"\x04\x00"

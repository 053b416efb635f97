"""cpio handlers: unblob's, with an extractor that records device nodes and reports its problems.

unblob 26.6's cpio extractor passes only the permission bits to `FileSystem.mknod`, so running as
root it turns every device node of an initramfs into an empty regular file (and as a normal user
it reports a special file without its type); it drops FIFOs with a log line; it relocates
absolute names without a word; and it returns none of the problems its FileSystem recorded, so a
traversal attempt inside a cpio never reaches the report. It also writes every file 0644, so
programs lose their executable and set-ID bits; ours returns the modes of the headers (see
declared_modes). Ours keeps unblob's parsers and handlers and fixes those things around them.
"""

import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from unblob.file_utils import File, FileSystem, chop_root
from unblob.handlers.archive import cpio
from unblob.models import Extractor, ExtractResult, Handler
from unblob.report import ExtractionProblem, SpecialFileExtractionProblem

from iotbaseline.firmware.declared_modes import DeclaredModesReport

_RECORDED = "special file recorded in the index, not created on the host"


class _SpecialRecordingFileSystem(FileSystem):
    def __init__(self, root: Path, modes: dict[Path, int]) -> None:
        super().__init__(root)
        self._modes = modes

    def mknod(self, path: Path, mode: int = 0o600, device: int = 0) -> None:
        self.record_special(path, self._modes.get(path, mode), device)

    def record_special(self, path: Path, mode: int, device: int) -> None:
        self.record_problem(
            SpecialFileExtractionProblem(
                problem=_RECORDED, resolution="Indexed.", path=str(path), mode=mode, device=device
            )
        )


class CpioExtractor(Extractor):
    def __init__(self, parser: type[Any]) -> None:
        self.PARSER = parser  # unblob's cpio handlers find their parser here

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult:
        with File.from_path(inpath) as file:
            parser = self.PARSER(file, 0)
            parser.parse()
            fs = _SpecialRecordingFileSystem(outdir, {entry.path: entry.mode for entry in parser.entries})
            parser.dump_entries(fs)
            for entry in parser.entries:
                if stat.S_ISFIFO(entry.mode):
                    fs.record_special(entry.path, entry.mode, 0)
                if entry.path.is_absolute():  # FileSystem relocates these silently
                    fs.record_problem(
                        ExtractionProblem(
                            problem="Absolute path.",
                            resolution="Written inside the output folder.",
                            path=str(entry.path),
                        )
                    )
        return ExtractResult(reports=[*fs.problems, _header_modes(outdir, parser.entries)])


def _header_modes(outdir: Path, entries: list[Any]) -> DeclaredModesReport:
    """Each header's mode by the path the FileSystem wrote it to (absolute names relocated inside,
    as unblob's FileSystem does); names that climb out were redirected elsewhere and are left out."""
    modes: dict[str, int] = {}
    for entry in entries:
        name = os.path.normpath(PurePosixPath(chop_root(entry.path)).as_posix())
        if name != "." and not name.startswith("../") and name != "..":
            modes[name] = entry.mode
    return DeclaredModesReport(folder=str(outdir), modes=modes)


class BinaryHandler(cpio.BinaryHandler):
    EXTRACTOR = CpioExtractor(cpio.BinaryCPIOParser)  # type: ignore[assignment]


class PortableOldASCIIHandler(cpio.PortableOldASCIIHandler):
    EXTRACTOR = CpioExtractor(cpio.PortableOldASCIIParser)  # type: ignore[assignment]


class PortableASCIIHandler(cpio.PortableASCIIHandler):
    EXTRACTOR = CpioExtractor(cpio.PortableASCIIParser)  # type: ignore[assignment]


class PortableASCIIWithCRCHandler(cpio.PortableASCIIWithCRCHandler):
    EXTRACTOR = CpioExtractor(cpio.PortableASCIIWithCRCParser)  # type: ignore[assignment]


HANDLERS: tuple[type[Handler[Any]], ...] = (
    BinaryHandler,
    PortableOldASCIIHandler,
    PortableASCIIHandler,
    PortableASCIIWithCRCHandler,
)

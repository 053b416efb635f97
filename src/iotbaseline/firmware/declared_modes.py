"""The file modes an image declares, kept before the host changes them.

unblob's clean-up after each extraction ORs 0644 into every file's mode (`/etc/shadow` 0600 reads
as 0644 on disk), and some extractors lose bits before that: debugfs `rdump` (ext) keeps only the
0777 bits, unblob's cpio and romfs extractors and ubireader (UBIFS) write every file 0644. The
index must show the modes the device has: a set-user-ID program or a world-readable key is what
the hardening and secrets checks look for, and a lost bit is a false PASS.

So every handler is wrapped (`recording_modes`, applied to the handler selection): the moment its
extraction returns, before unblob's clean-up runs, the modes of what it wrote are taken from
disk, and set-ID bits are cleared on disk at once. unblob calls a handler's public `extract` and
then its clean-up, so a subclass overriding `extract` sees the files first; unblob is not patched.
An extractor that knows better than the disk (it parsed the container's own metadata) returns a
`DeclaredModesReport` itself; its modes take
precedence where the file type agrees. The result travels to the journal as one more extraction
report of the chunk, and the indexer prefers it to what the secure walk sees.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from unblob.models import DirectoryHandler, ExtractError, Extractor, ExtractResult, Handler
from unblob.report import ExtractionProblem, Report, UnknownError

SET_ID_BITS = stat.S_ISUID | stat.S_ISGID
MODES_NOT_LISTED = "File modes could not be listed from the image"


class DeclaredModesReport(Report):
    """The modes of what one extraction wrote, as the image declares them."""

    folder: str
    """The extraction folder, absolute."""
    modes: dict[str, int]
    """st_mode (type bits included) by path relative to `folder`, for regular and special files."""


def modes_not_listed(reason: str) -> ExtractionProblem:
    """A listing of the container's modes failed: modes then come from disk, where set-ID bits
    may be missing, so the gap is reported rather than passed over."""
    return ExtractionProblem(
        problem=f"{MODES_NOT_LISTED}: {reason}", resolution="Modes taken from the extracted files."
    )


def take_modes(folder: Path, declared: dict[str, int] | None = None) -> dict[str, int]:
    """The mode of every regular and special file under `folder`, by relative path; `declared`
    (from the container) wins where its file type matches the one on disk. Clears set-ID bits
    on disk as it goes: a set-user-ID root program must not sit in the output folder."""
    declared = declared or {}
    modes: dict[str, int] = {}
    if not folder.is_dir() or folder.is_symlink():
        return modes
    pending = [(folder, "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            scanner = os.scandir(directory)
        except OSError:
            continue
        with scanner:
            for entry in scanner:
                relative = prefix + entry.name
                try:
                    mode = entry.stat(follow_symlinks=False).st_mode
                except OSError:
                    continue
                if stat.S_ISDIR(mode):
                    pending.append((Path(entry.path), relative + "/"))
                    continue
                if stat.S_ISLNK(mode):
                    continue
                if stat.S_ISREG(mode) and mode & SET_ID_BITS:
                    _clear_set_id(entry.path, mode)
                claimed = declared.get(relative)
                modes[relative] = claimed if claimed is not None and stat.S_IFMT(claimed) == stat.S_IFMT(mode) else mode
    return modes


def _clear_set_id(path: str, mode: int) -> None:
    # On failure the secure walk tries again, and removes what it cannot make safe.
    with contextlib.suppress(OSError):
        Path(path).chmod(stat.S_IMODE(mode) & ~SET_ID_BITS)


def with_modes(outdir: Path, reports: Iterable[Report]) -> list[Report]:
    """`reports` with the container's mode reports folded into one report of what is on disk."""
    declared: dict[str, int] = {}
    kept: list[Report] = []
    for report in reports:
        if isinstance(report, DeclaredModesReport):
            declared.update(report.modes)
        else:
            kept.append(report)
    modes = take_modes(outdir, declared)
    if modes:
        kept.append(DeclaredModesReport(folder=str(outdir), modes=modes))
    return kept


def _recorded(outdir: Path, extract: Callable[[], ExtractResult | None]) -> ExtractResult:
    try:
        result = extract()
    except ExtractError as error:
        error.reports = tuple(with_modes(outdir, error.reports))
        raise
    except Exception as error:  # unblob turns this into an UnknownError report; so do we, with the modes
        raise ExtractError(*with_modes(outdir, [UnknownError(exception=error)])) from error
    return ExtractResult(reports=with_modes(outdir, result.reports if result is not None else []))


H = TypeVar("H", bound=Handler[Any])
D = TypeVar("D", bound=DirectoryHandler[Any])


def recording_modes(handler: type[H]) -> type[H]:
    """`handler` with an extraction that ends by taking the modes of what it wrote."""

    def extract(self: H, inpath: Path, outdir: Path) -> ExtractResult:
        return _recorded(outdir, lambda: handler.extract(self, inpath, outdir))

    return type(handler.__name__, (handler,), {"extract": extract, "__doc__": handler.__doc__})


def recording_directory_modes(handler: type[D]) -> type[D]:
    """The same for a handler of files split over several parts (multi-volume archives)."""

    def extract(self: D, paths: list[Path], outdir: Path) -> ExtractResult:
        return _recorded(outdir, lambda: handler.extract(self, paths, outdir))

    return type(handler.__name__, (handler,), {"extract": extract, "__doc__": handler.__doc__})


class ModeListingExtractor(Extractor):
    """Runs `extractor`, then `listing` for the modes the container declares where the extractor
    loses them (even after a failed run: what it wrote is still indexed)."""

    def __init__(self, extractor: Extractor, listing: Callable[[Path, Path], list[Report]]) -> None:
        self._extractor = extractor
        self._listing = listing

    def get_dependencies(self) -> list[str]:
        return self._extractor.get_dependencies()

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult:
        try:
            result = self._extractor.extract(inpath, outdir)
        except ExtractError as error:
            error.reports = (*error.reports, *self._listing(inpath, outdir))
            raise
        reports = list(result.reports) if result is not None else []
        return ExtractResult(reports=[*reports, *self._listing(inpath, outdir)])

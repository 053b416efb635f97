"""UBIFS handler: unblob's detection and `ubireader_extract_files`, with the modes of the inodes.

ubireader writes every file 0644 (restoring modes needs `--keep-permissions`, which also
changes owners and so needs root). `ubifs_listing` reads the inode modes in a process of its own,
alongside the extraction (both only read the image), and they are returned as the declared
modes (see declared_modes).
"""

import json
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from unblob.handlers.filesystem import ubi
from unblob.models import Extractor, ExtractResult, Handler
from unblob.report import Report

from iotbaseline.firmware.declared_modes import DeclaredModesReport, ModeListingExtractor, modes_not_listed

LIST_TIMEOUT_SECONDS = 300.0
_LISTING = "iotbaseline.firmware.ubifs_listing"
_STDERR_EXCERPT = 300


def list_modes(image: Path, outdir: Path) -> list[Report]:
    return _reports(_run_listing(image), outdir)


def _run_listing(image: Path) -> subprocess.CompletedProcess[bytes] | str:
    """The listing process's outcome, or why it did not complete."""
    try:
        return subprocess.run(
            [sys.executable, "-m", _LISTING, str(image)],
            capture_output=True,
            timeout=LIST_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"ubifs_listing: {error}"


def _reports(done: subprocess.CompletedProcess[bytes] | str, outdir: Path) -> list[Report]:
    if isinstance(done, str):
        return [modes_not_listed(done)]
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip()[-_STDERR_EXCERPT:]
        return [modes_not_listed(f"ubifs_listing exited with {done.returncode}: {tail}")]
    return [DeclaredModesReport(folder=str(outdir), modes=parse_listing(done.stdout))]


def parse_listing(stdout: bytes) -> dict[str, int]:
    modes: dict[str, int] = {}
    for line in stdout.splitlines():
        try:
            path, mode = json.loads(line)
        except (ValueError, TypeError):
            continue
        if isinstance(path, str) and isinstance(mode, int):
            modes[path] = mode
    return modes


class UbifsExtractor(Extractor):
    """unblob's `ubireader_extract_files`, with the listing running in a thread meanwhile."""

    def __init__(self, files: Extractor) -> None:
        self._files = files

    def get_dependencies(self) -> list[str]:
        return self._files.get_dependencies()

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult:
        with ThreadPoolExecutor(max_workers=1) as pool:
            listing: Future[subprocess.CompletedProcess[bytes] | str] = pool.submit(_run_listing, inpath)
            listed = ModeListingExtractor(self._files, lambda _image, folder: _reports(listing.result(), folder))
            return listed.extract(inpath, outdir)


class UBIFSHandler(ubi.UBIFSHandler):
    EXTRACTOR = UbifsExtractor(ubi.UBIFSHandler.EXTRACTOR)  # type: ignore[assignment]


HANDLERS: tuple[type[Handler[Any]], ...] = (UBIFSHandler,)

"""zip handler: unblob's, with the archive's unsafe entry names reported.

unblob extracts zip with 7z, which silently drops or rewrites entries named `../../etc/x` or
`/etc/x`. Nothing then tells the user that the archive tried; we list the central directory
first (Python's zipfile reads only the directory, not the data) and report each unsafe name.
"""

import zipfile
from pathlib import PurePosixPath
from typing import Any

from unblob.extractors import Command
from unblob.handlers.archive import zip as unblob_zip
from unblob.models import Extractor, ExtractResult, Handler
from unblob.report import ExtractionProblem, Report

_MAX_LISTED_NAMES = 1_000_000


class ZipExtractor(Extractor):
    def __init__(self) -> None:
        self._command = Command("7z", "x", "-p", "-y", "{inpath}", "-o{outdir}")

    def get_dependencies(self) -> list[str]:
        return ["7z"]

    def extract(self, inpath: Any, outdir: Any) -> ExtractResult | None:
        problems = unsafe_names(inpath)
        self._command.extract(inpath, outdir)
        return ExtractResult(reports=problems)


def unsafe_names(path: Any) -> list[Report]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()[:_MAX_LISTED_NAMES]
    except (zipfile.BadZipFile, OSError, ValueError):
        return []  # 7z reads more damaged archives than zipfile; it reports its own failures
    problems: list[Report] = []
    for name in names:
        pure = PurePosixPath(name.replace("\\", "/"))
        if ".." in pure.parts:
            problems.append(ExtractionProblem(problem="Traversal attempt.", resolution="Not written there.", path=name))
        elif pure.is_absolute():
            problems.append(
                ExtractionProblem(problem="Absolute path.", resolution="Written inside the output folder.", path=name)
            )
    return problems


class ZIPHandler(unblob_zip.ZIPHandler):
    EXTRACTOR = ZipExtractor()  # type: ignore[assignment]


HANDLERS: tuple[type[Handler[Any]], ...] = (ZIPHandler,)

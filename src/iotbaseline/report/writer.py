"""The one place that writes reports to disk."""

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from iotbaseline.catalogue import Catalogue
from iotbaseline.errors import OutputError
from iotbaseline.model import Assessment
from iotbaseline.report.formats import FORMATS
from iotbaseline.report.interface import ReportFormat


def write_reports(
    assessment: Assessment,
    catalogue: Catalogue,
    out_dir: Path,
    formats: Iterable[ReportFormat] = FORMATS,
) -> list[Path]:
    """Render each format and write it to `out_dir / format.file_name` (UTF-8), creating `out_dir` if needed.

    Each file is written under a temporary name and renamed into place, so that a reader never sees half a report.
    Every format is rendered before anything is written: a renderer's error leaves no report behind.
    Returns the paths written, in the order of `formats`.
    """
    rendered = [(f.file_name, f.render(assessment, catalogue)) for f in formats]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return [_write_atomically(out_dir / name, text) for name, text in rendered]
    except OSError as error:
        raise OutputError(f"cannot write reports to {out_dir}: {error.strerror or error}") from error


def _write_atomically(path: Path, text: str) -> Path:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path

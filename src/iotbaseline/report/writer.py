"""The one place that writes reports to disk."""

from collections.abc import Iterable
from pathlib import Path

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import Assessment
from iotbaseline.output_files import write_rendered
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
    return write_rendered(out_dir, rendered, "reports")

"""What a scan offers for download: a fixed set of names, never a path from the request.

Reports are rendered from the stored assessment (the store keeps it whole, so they exist for every finished scan,
wherever it ran); SBOMs and VEX are the files the scan wrote into its folder, opened by fixed name without
following links; the label is drawn on demand from the PSTI verdicts.
"""

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from iotbaseline.catalogue import Catalogue
from iotbaseline.model import Assessment
from iotbaseline.report.formats import FORMATS
from iotbaseline.sbom.writer import CYCLONEDX_FILE, SPDX_FILE, VEX_FILE

MAX_FILE_BYTES = 128 * 1024 * 1024
HTML_REPORT = "report.html"
HTML_REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
"""The HTML report's own policy (it keeps its styles inline, to be one self-contained file)."""


class Origin(StrEnum):
    REPORT = "report"
    SCAN_FILE = "scan file"
    LABEL = "label"


@dataclass(frozen=True)
class Artefact:
    name: str
    """In the URL and as the downloaded file's name."""
    title: str
    media_type: str
    origin: Origin


ARTEFACTS: tuple[Artefact, ...] = (
    Artefact(CYCLONEDX_FILE, "SBOM, CycloneDX 1.6", "application/vnd.cyclonedx+json", Origin.SCAN_FILE),
    Artefact(SPDX_FILE, "SBOM, SPDX 2.3", "application/spdx+json", Origin.SCAN_FILE),
    Artefact(VEX_FILE, "VEX, CycloneDX 1.6", "application/vnd.cyclonedx+json", Origin.SCAN_FILE),
    Artefact("report.sarif", "SARIF 2.1.0", "application/sarif+json", Origin.REPORT),
    Artefact("report.json", "Report, JSON", "application/json", Origin.REPORT),
    Artefact("report.md", "Report, Markdown", "text/markdown; charset=utf-8", Origin.REPORT),
    Artefact("report.junit.xml", "Report, JUnit XML", "application/xml", Origin.REPORT),
    Artefact("label.png", "Consumer label, PNG", "image/png", Origin.LABEL),
    Artefact("label.svg", "Consumer label, SVG", "image/svg+xml", Origin.LABEL),
)
BY_NAME: Mapping[str, Artefact] = {artefact.name: artefact for artefact in ARTEFACTS}


class ArtefactMissing(Exception):
    """The scan has no such file (it ran elsewhere, or wrote none); the message says which."""


def render_report(name: str, assessment: Assessment, catalogue: Catalogue) -> bytes:
    report = next(report for report in FORMATS if report.file_name == name)
    return report.render(assessment, catalogue).encode("utf-8")


def artefact_bytes(artefact: Artefact, assessment: Assessment, catalogue: Catalogue, folder: str | None) -> bytes:
    if artefact.origin is Origin.REPORT:
        return render_report(artefact.name, assessment, catalogue)
    if artefact.origin is Origin.LABEL:
        return _label(artefact.name, assessment, catalogue)
    if folder is None:
        raise ArtefactMissing(f"this scan kept no folder, so no {artefact.name}")
    return read_scan_file(Path(folder), artefact.name)


def read_scan_file(folder: Path, name: str) -> bytes:
    """`name` (one of the fixed names) in the scan's folder: a regular file, not a link, of bounded size."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            descriptor = os.open(name, flags, dir_fd=directory)
        finally:
            os.close(directory)
    except OSError:
        raise ArtefactMissing(f"the scan's folder holds no {name}") from None
    with open(descriptor, "rb", closefd=True) as source:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            raise ArtefactMissing(f"the scan's {name} is not a file that can be served")
        return source.read(MAX_FILE_BYTES)


def _label(name: str, assessment: Assessment, catalogue: Catalogue) -> bytes:
    from iotbaseline.label.facts import label_facts
    from iotbaseline.label.layout import lay_out
    from iotbaseline.label.render import render_png, render_svg
    from iotbaseline.label.wording import default_widths, default_wording

    wording = default_wording()
    layout = lay_out(label_facts(assessment, catalogue, wording), wording, default_widths())
    svg = render_svg(layout)
    return svg.encode("utf-8") if name.endswith(".svg") else render_png(svg, layout)

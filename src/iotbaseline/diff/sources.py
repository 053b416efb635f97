"""What `iotbaseline diff OLD NEW` accepts, read as a Release: a firmware image (scanned by the caller), a
report folder or report.json from an earlier scan, or a stored scan (`scan:ID`, with a results store).

    `scan:12`            a scan in the results store
    a folder             holding report.json (and the SBOMs the scan wrote beside it)
    `*.json`             a report.json
    any other file       a firmware image
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from iotbaseline.assessment_file import load_assessment
from iotbaseline.components.model import Component
from iotbaseline.diff.component_sources import from_components, from_cyclonedx, from_inventory
from iotbaseline.diff.model import Release
from iotbaseline.errors import InputError
from iotbaseline.model import Assessment

if TYPE_CHECKING:
    from iotbaseline.scan import ScanOutcome
    from iotbaseline.store.interface import ResultStore

STORED_PREFIX = "scan:"
REPORT_FILE = "report.json"
SBOM_FILE = "sbom.cdx.json"
IMAGES_FOLDER = "images"  # scan.IMAGES_FOLDER, not imported: scan.py loads the extractor


class SourceKind(StrEnum):
    IMAGE = "image"
    REPORT = "report"
    STORED = "stored"


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    label: str
    path: Path | None = None
    """The image, or the report.json."""
    scan_id: int | None = None


def classify(argument: str) -> Source:
    """What the user named; an InputError when it is none of the accepted kinds."""
    if argument.startswith(STORED_PREFIX):
        number = argument[len(STORED_PREFIX) :]
        if not number.isascii() or not number.isdigit() or int(number) < 1:
            raise InputError(f"{argument}: a stored scan is named scan:ID, ID a positive number")
        return Source(SourceKind.STORED, argument, scan_id=int(number))
    path = Path(argument)
    if path.is_dir():
        report = path / REPORT_FILE
        if not report.is_file():
            raise InputError(f"{path}: a folder without {REPORT_FILE}; name a firmware image, a scan's output folder "
                             "or its report.json")  # fmt: skip
        return Source(SourceKind.REPORT, argument, path=report)
    if path.suffix.lower() == ".json":
        return Source(SourceKind.REPORT, argument, path=path)
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    return Source(SourceKind.IMAGE, argument, path=path)


def load_report(source: Source) -> Release:
    """A report.json, with the components of the SBOMs the scan wrote beside it, else of its inventory finding."""
    if source.path is None:
        raise InputError(f"{source.label}: not a report")
    assessment = well_formed(source.label, load_assessment(source.path))
    sboms = _sboms_beside(source.path.parent, assessment)
    components = from_cyclonedx(sboms) if sboms else None
    if components is not None:
        return Release(source.label, assessment, components, "sbom")
    return _with_inventory(source.label, assessment)


@runtime_checkable
class StoredComponents(Protocol):
    """A store that keeps each scan's components (beyond the `ResultStore` contract)."""

    def components(self, scan_id: int) -> Mapping[str, Sequence[Component]]: ...


def load_stored(source: Source, store: "ResultStore") -> Release:
    """A stored scan: its assessment, with the components the store kept, else those of its inventory finding."""
    if source.scan_id is None:
        raise InputError(f"{source.label}: not a stored scan")
    assessment = store.assessment(source.scan_id)
    if assessment is None:
        raise InputError(f"{source.label}: no finished scan with this id in the results store")
    assessment = well_formed(source.label, assessment)
    kept = store.components(source.scan_id) if isinstance(store, StoredComponents) else None
    if kept:
        return Release(source.label, assessment, from_components(kept), "store")
    return _with_inventory(source.label, assessment)


def well_formed(label: str, assessment: Assessment) -> Assessment:
    """The assessment, if the fields a diff reads have their types (`Assessment.from_dict` takes a report's
    values as they are); else an InputError naming the first that does not."""
    for index, finding in enumerate(assessment.findings):
        location = finding.location
        texts = (finding.check, finding.title, finding.discriminator, finding.outcome.value)
        places = (
            location.image,
            location.path,
            location.extracted_path,
            location.host,
            location.protocol,
            location.url,
        )
        numbers = (location.line, location.offset, location.port)
        if not (
            all(isinstance(text, str) for text in texts)
            and all(place is None or isinstance(place, str) for place in places)
            and all(number is None or (isinstance(number, int) and not isinstance(number, bool)) for number in numbers)
            and isinstance(finding.evidence, dict)
        ):
            raise InputError(f"{label}: finding {index + 1} is malformed (a field has the wrong type)")
    for index, verdict in enumerate(assessment.verdicts):
        if not all(isinstance(text, str) for text in (verdict.standard, verdict.provision, verdict.reason)):
            raise InputError(f"{label}: verdict {index + 1} is malformed (a field has the wrong type)")
    if not all(isinstance(run.check, str) and isinstance(run.version, str) for run in assessment.checks):
        raise InputError(f"{label}: a check run is malformed (a field has the wrong type)")
    if not all(isinstance(item.kind, str) and isinstance(item.path, str) for item in assessment.inputs):
        raise InputError(f"{label}: an input is malformed (a field has the wrong type)")
    return assessment


def release_of_scan(label: str, outcome: "ScanOutcome") -> Release:
    return Release(label, outcome.assessment, from_components(outcome.components), "scan")


def _with_inventory(label: str, assessment: Assessment) -> Release:
    components = from_inventory(assessment)
    if components is None:
        return Release(label, assessment, (), "none")
    return Release(label, assessment, components, "inventory finding")


def _sboms_beside(folder: Path, assessment: Assessment) -> Sequence[Path]:
    """`sbom.cdx.json` beside the report (one image), or in `images/<name>/` for each image (several); none
    unless every image's SBOM is there (a partial list would read as components removed)."""
    single = folder / SBOM_FILE
    if single.is_file():
        return [single]
    names = [Path(item.path).name for item in assessment.inputs if item.kind == "firmware"]
    found = [folder / IMAGES_FOLDER / name / SBOM_FILE for name in names if name not in ("", ".", "..")]
    return found if names and all(path.is_file() for path in found) and len(found) == len(names) else []

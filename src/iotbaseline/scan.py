"""scan: firmware images (and a product profile) in, an Assessment and each image's components out.

Orchestration only: extract each image into its own folder, run the checks over all of them in
one pass, judge with the verdict engine. Writing reports and SBOMs is the caller's choice.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from iotbaseline import __version__
from iotbaseline.assess import assess
from iotbaseline.catalogue import Catalogue, default_catalogue
from iotbaseline.checks.base import Check, CheckSettings, Need, ScanEvidence, ScannedImage
from iotbaseline.checks.registry import ALL_CHECKS
from iotbaseline.checks.runner import run_checks
from iotbaseline.components.model import Component
from iotbaseline.documents.fetch import HttpsFetcher
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.firmware.supervisor import ProgressCallback
from iotbaseline.live.model import LiveHost
from iotbaseline.model import Assessment, Input, JSONValue
from iotbaseline.profile.model import ProductProfile
from iotbaseline.vulndb.match import VulnerabilityMatch

IMAGES_FOLDER = "images"


@dataclass(frozen=True)
class ScanOutcome:
    assessment: Assessment
    images: tuple[ScannedImage, ...]
    components: Mapping[str, list[Component]]
    """Image name -> the software components identified in it (what SBOMs are written from)."""
    vulnerabilities: Mapping[str, list[VulnerabilityMatch]]
    """Image name -> the CVEs matched to its components (what the VEX document is written from)."""


@dataclass(frozen=True)
class ScanOptions:
    limits: ExtractionLimits = field(default_factory=ExtractionLimits)
    force: bool = False
    checks: tuple[type[Check], ...] = ALL_CHECKS
    settings: CheckSettings = field(default_factory=CheckSettings)
    """What the checks read: --reveal, the vulnerability database, VEX statements."""
    fetch_documents: bool = True
    """Fetch the documents the profile names (over HTTPS only); False (`--offline`): their checks are skipped."""


def scan(
    images: Sequence[Path],
    output: Path,
    profile: ProductProfile | None = None,
    product: dict[str, JSONValue] | None = None,
    options: ScanOptions | None = None,
    catalogue: Catalogue | None = None,
    progress: ProgressCallback | None = None,
    hosts: Sequence[LiveHost] = (),
) -> ScanOutcome:
    """`hosts`: devices already probed (`scan IMAGE --host ADDR`), judged with the images in one assessment."""
    options = options or ScanOptions()
    scanned = [
        ScannedImage(
            name,
            extract_firmware(
                image, output / IMAGES_FOLDER / name, options.limits, force=options.force, progress=progress
            ),
        )
        for image, name in zip(images, _distinct_names(images), strict=True)
    ]
    documents = HttpsFetcher() if profile is not None and options.fetch_documents else None
    evidence = ScanEvidence(profile=profile, documents=documents, hosts=tuple(hosts))
    return judge(scanned, evidence, product, options, catalogue)


def judge(
    scanned: Sequence[ScannedImage],
    evidence: ScanEvidence,
    product: dict[str, JSONValue] | None = None,
    options: ScanOptions | None = None,
    catalogue: Catalogue | None = None,
) -> ScanOutcome:
    """The one judging path of `scan` and `probe`: the checks whose inputs are there run (firmware
    checks need images, live checks probed hosts), then the verdict engine."""
    options = options or ScanOptions()
    catalogue = catalogue or default_catalogue()
    available = frozenset(
        ({Need.FIRMWARE} if scanned else set())
        | ({Need.PROFILE} if evidence.profile is not None else set())
        | ({Need.DOCUMENTS} if evidence.documents is not None else set())
        | ({Need.LIVE} if evidence.hosts else set())
    )
    checks = [check(options.settings) for check in options.checks]
    findings, runs = run_checks(checks, scanned, available, evidence)
    verdicts = assess(catalogue, findings, runs, evidence.profile)
    assessment = Assessment(
        tool_version=__version__,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        product=product or {},
        inputs=(*(_input(image) for image in scanned), *(_host_input(host) for host in evidence.hosts)),
        findings=tuple(findings),
        verdicts=verdicts,
        checks=tuple(runs),
    )
    return ScanOutcome(
        assessment,
        tuple(scanned),
        {image.name: image.facts.components for image in scanned if image.facts.components is not None},
        {image.name: image.facts.vulnerabilities for image in scanned if image.facts.vulnerabilities is not None},
    )


def _input(image: ScannedImage) -> Input:
    result = image.extraction
    return Input(
        kind="firmware",
        path=str(result.image),
        sha256=result.image_sha256,
        size=result.image_size,
        incomplete=tuple(item.to_dict() for item in result.incomplete),
    )


def _host_input(host: LiveHost) -> Input:
    """A probed device: what was named, the address probed, and what the probe could not cover."""
    shown = host.target if host.target == host.address else f"{host.target} ({host.address})"
    notes = tuple({"what": "probe", "where": host.address, "reason": note} for note in host.notes)
    return Input(kind="host", path=shown, incomplete=notes)


def _distinct_names(images: Sequence[Path]) -> list[str]:
    """Image names as findings report them; two images with one file name get a number."""
    names: list[str] = []
    for image in images:
        name, number = image.name, 2
        while name in names:
            name, number = f"{image.name}.{number}", number + 1
        names.append(name)
    return names

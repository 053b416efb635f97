"""What a check is: a small class that declares what it is and what it needs, and yields Findings.

A firmware check sees each image three ways: `start` (before its files), `visit` (each file of a
kind it asked for, with the file's content read once for all checks), `finish` (after the files:
where it says what it looked at, the evidence a PASS needs); then, once all images are done,
`conclude` sees them together (a key seen in two images is on every unit). A check of what is not
in the firmware (published documents, the profile's declarations, a live device) implements
`examine`, called once per scan with that evidence. A check instance lives for one scan.
"""

from abc import ABC
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from iotbaseline.model import Finding

if TYPE_CHECKING:
    from iotbaseline.components.model import Component
    from iotbaseline.documents.model import DocumentSource
    from iotbaseline.firmware.extract import ExtractionResult  # imports unblob: 0.5 s a check-only run need not pay
    from iotbaseline.live.model import LiveHost
    from iotbaseline.profile.model import ProductProfile
    from iotbaseline.vulndb.match import VulnerabilityMatch
    from iotbaseline.vulndb.vex import VexStatement

MIB = 1024 * 1024


class Need(StrEnum):
    FIRMWARE = "firmware"
    LIVE = "live"
    DOCUMENTS = "documents"
    PROFILE = "profile"


@dataclass
class ImageFacts:
    """What one check established about an image for the checks after it (in registry order) and
    for the scan's other outputs: the inventory's components feed vulnerability matching and the SBOM,
    the matches feed the VEX document."""

    components: "list[Component] | None" = None
    """None until the component inventory has finished the image (or when it failed)."""
    vulnerabilities: "list[VulnerabilityMatch] | None" = None
    """The CVEs matched to those components, with any VEX statement (None until matched)."""


@dataclass(frozen=True)
class ScannedImage:
    name: str
    extraction: "ExtractionResult"
    facts: ImageFacts = field(default_factory=ImageFacts, compare=False)

    @property
    def tree(self) -> FirmwareTree:
        return self.extraction.tree


@dataclass(frozen=True)
class ScanEvidence:
    """What a scan holds besides firmware files, for the checks' `examine` hook."""

    profile: "ProductProfile | None" = None
    documents: "DocumentSource | None" = None
    """None when the scan may not fetch (offline): document checks are then skipped, not failed."""
    hosts: "tuple[LiveHost, ...]" = ()
    """The devices probed (`probe HOST`, `scan IMAGE --host ADDR`)."""


@dataclass(frozen=True)
class CheckSettings:
    """The scan's choices that checks read."""

    reveal: bool = False
    """Whether findings may carry secrets in clear (`--reveal`); masked otherwise, since reports are shared."""
    vulnerability_db: Path | None = None
    """The downloaded vulnerability database; None: the default location if it exists, else the bundled snapshot."""
    vex: "tuple[VexStatement, ...]" = ()
    """The manufacturer's "not affected" statements (`--vex`)."""


class Check(ABC):
    """Every hook has a default; a check implements the ones it needs."""

    id: ClassVar[str]
    version: ClassVar[str] = "1"
    title: ClassVar[str]
    provisions: ClassVar[tuple[str, ...]]
    """Qualified ids of the provisions its findings are evidence for."""
    needs: ClassVar[frozenset[Need]] = frozenset({Need.FIRMWARE})
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset()
    """Kinds of file `visit` is called for; empty: none."""
    max_file_bytes: ClassVar[int] = 16 * MIB
    """Files larger than this are visited with their first `max_file_bytes` only."""
    time_budget: ClassVar[float] = 300.0
    """Seconds the check may spend in all; past it, it gets no more files and is reported."""

    def __init__(self, settings: CheckSettings | None = None) -> None:
        self.settings = settings or CheckSettings()

    @property
    def reveal(self) -> bool:
        return self.settings.reveal

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        return ()

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        return ()

    def conclude(self, images: Sequence[ScannedImage]) -> Iterable[Finding]:
        return ()

    def examine(self, evidence: ScanEvidence) -> Iterable[Finding]:
        """Once per scan, after the images: judge documents, declarations or a live device."""
        return ()

"""What the batch runner, `diff` and the dashboard need of the results store: the contract both sides keep.

A scan's life in the store: `begin` (status running, so an interrupted batch knows what was in flight),
then `finish` with the assessment and what the scan established, or `fail` with the reason. The image is
identified by its SHA-256: the same bytes under another name are the same image.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from iotbaseline.components.model import Component
from iotbaseline.model import Assessment, JSONValue
from iotbaseline.vulndb.match import VulnerabilityMatch


class ScanStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class ImageRef:
    path: str
    """As given to the batch (for the record; not an identity)."""
    sha256: str
    size: int
    product: Mapping[str, JSONValue]
    """vendor, model, version... as known (profile, batch list, or the image's own release file)."""


@dataclass(frozen=True)
class StoredScan:
    id: int
    image_sha256: str
    image_path: str
    status: ScanStatus
    started: str
    finished: str | None
    tool_version: str
    output: str | None
    """Folder holding this scan's reports and SBOMs."""
    error: str | None
    product: Mapping[str, JSONValue] = field(default_factory=dict)
    """The image's product facts as first given (`ImageRef.product`)."""


class ResultStore(Protocol):
    def begin(self, image: ImageRef, tool_version: str, output: str | None) -> int:
        """Records a scan as running and returns its id."""
        ...

    def finish(
        self,
        scan_id: int,
        assessment: Assessment,
        components: Mapping[str, Sequence[Component]],
        vulnerabilities: Mapping[str, Sequence[VulnerabilityMatch]],
    ) -> None:
        """Stores the assessment (findings, verdicts, check versions) and components; status done."""
        ...

    def fail(self, scan_id: int, reason: str) -> None: ...

    def latest(self, sha256: str) -> StoredScan | None:
        """The newest scan of the image with these bytes, whatever its status."""
        ...

    def assessment(self, scan_id: int) -> Assessment | None: ...

    def scans(self, limit: int = 100, offset: int = 0) -> Sequence[StoredScan]: ...

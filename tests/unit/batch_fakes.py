"""Fakes for the batch's unit tests: an in-memory `ResultStore` (the contract of `store/interface.py`, nothing more)
and a small Assessment."""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from iotbaseline.components.model import Component
from iotbaseline.model import Assessment, Finding, Location, Outcome, Severity
from iotbaseline.store.interface import ImageRef, ScanStatus, StoredScan
from iotbaseline.vulndb.match import VulnerabilityMatch


class MemoryStore:
    def __init__(self) -> None:
        self.rows: list[StoredScan] = []
        self.assessments: dict[int, Assessment] = {}
        self.components: dict[int, Mapping[str, Sequence[Component]]] = {}

    def begin(self, image: ImageRef, tool_version: str, output: str | None) -> int:
        scan_id = len(self.rows) + 1
        self.rows.append(
            StoredScan(scan_id, image.sha256, image.path, ScanStatus.RUNNING, _now(), None, tool_version, output, None)
        )
        return scan_id

    def finish(
        self,
        scan_id: int,
        assessment: Assessment,
        components: Mapping[str, Sequence[Component]],
        vulnerabilities: Mapping[str, Sequence[VulnerabilityMatch]],
    ) -> None:
        self._update(scan_id, ScanStatus.DONE, None)
        self.assessments[scan_id] = assessment
        self.components[scan_id] = components

    def fail(self, scan_id: int, reason: str) -> None:
        self._update(scan_id, ScanStatus.FAILED, reason)

    def latest(self, sha256: str) -> StoredScan | None:
        return next((row for row in reversed(self.rows) if row.image_sha256 == sha256), None)

    def assessment(self, scan_id: int) -> Assessment | None:
        return self.assessments.get(scan_id)

    def scans(self, limit: int = 100, offset: int = 0) -> Sequence[StoredScan]:
        return list(reversed(self.rows))[offset : offset + limit]

    def _update(self, scan_id: int, status: ScanStatus, error: str | None) -> None:
        row = self.rows[scan_id - 1]
        assert row.status == ScanStatus.RUNNING, f"scan {scan_id} is {row.status} already"
        self.rows[scan_id - 1] = replace(row, status=status, finished=_now(), error=error)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def assessment_with(*paths: str) -> Assessment:
    """An assessment with one FAIL finding per device path."""
    findings = tuple(
        Finding("firmware.test", Outcome.FAIL, ("EN303645:5.1-1",), Severity.HIGH, "planted", Location("fw", path))
        for path in paths
    )
    return Assessment("0.1.0", _now(), {}, (), findings, ())

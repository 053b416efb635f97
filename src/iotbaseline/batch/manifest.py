"""`OUT/batch.json`: one entry per image of the batch (`image`, `status` done or failed, `reason`, `seconds`, and
more), rewritten whole and atomically as results arrive, so a reader (or a kill -9) never meets half a file.

While the batch runs, images without a result yet are counted as `pending` and have no entry; `complete` turns
true when every image has one.
"""

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from iotbaseline import __version__
from iotbaseline.batch.folders import BATCH_FILE
from iotbaseline.model import JSONValue
from iotbaseline.output_files import write_rendered
from iotbaseline.store.interface import ScanStatus

MAX_MANIFEST_BYTES = 256 * 1024 * 1024
WRITE_INTERVAL = 1.0
"""Seconds between rewrites while results arrive: a batch of thousands must not spend its time rewriting the
file. The store has every result at once; a rerun rebuilds the file from it."""


@dataclass(frozen=True)
class BatchEntry:
    image: str
    """Absolute path of the image file."""
    name: str
    """Its folder under OUT."""
    sha256: str | None
    """None when the file could not be read."""
    status: ScanStatus
    reason: str | None
    """Why it failed; None when done."""
    seconds: float | None
    """Wall time of its scan; None when it was never scanned (unreadable)."""
    incomplete: int | None = None
    """Parts of the image its extraction could not cover (a bomb cut at the budget, a damaged container): listed
    in report.json under `inputs[].incomplete`; 0 for a complete extraction; None when unknown."""
    earlier_run: bool = False
    """Done (or failed) in an earlier run of the batch, kept as it was."""

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "image": self.image,
            "name": self.name,
            "sha256": self.sha256,
            "status": self.status.value,
            "reason": self.reason,
            "seconds": self.seconds,
            "incomplete": self.incomplete,
            "earlier_run": self.earlier_run,
        }


class BatchManifest:
    def __init__(self, output: Path, names: Sequence[str]) -> None:
        """`names`: the images' folder names in the batch's order, the order of the entries."""
        self._output = output
        self._order = {name: index for index, name in enumerate(names)}
        self._entries: dict[str, BatchEntry] = {}
        self._written_at = float("-inf")

    @property
    def entries(self) -> list[BatchEntry]:
        return sorted(self._entries.values(), key=lambda entry: self._order[entry.name])

    def record(self, entry: BatchEntry) -> None:
        self._entries[entry.name] = entry

    def write(self, *, now: bool = True) -> None:
        """`now=False`: only if the last write is older than `WRITE_INTERVAL`."""
        if not now and time.monotonic() - self._written_at < WRITE_INTERVAL:
            return
        text = json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n"
        write_rendered(self._output, [(BATCH_FILE, text)], BATCH_FILE)
        self._written_at = time.monotonic()

    def to_dict(self) -> dict[str, JSONValue]:
        entries = self.entries
        counts: dict[str, JSONValue] = {
            status.value: sum(1 for entry in entries if entry.status == status)
            for status in (ScanStatus.DONE, ScanStatus.FAILED)
        }
        counts["pending"] = len(self._order) - len(entries)
        return {
            "tool": {"name": "iotbaseline", "version": __version__},
            "complete": len(entries) == len(self._order),
            "counts": counts,
            "images": [entry.to_dict() for entry in entries],
        }


@dataclass(frozen=True)
class EarlierFacts:
    seconds: float
    incomplete: int | None


def earlier_facts(output: Path) -> Mapping[tuple[str, str], EarlierFacts]:
    """What an earlier run's batch.json says of each image by (folder name, SHA-256): a kept image keeps its time
    and its count of incomplete parts. Nothing if the file is missing or is not one of ours."""
    try:
        with (output / BATCH_FILE).open("rb") as stream:
            document = json.loads(stream.read(MAX_MANIFEST_BYTES))
    except (OSError, ValueError):
        return {}
    images = document.get("images") if isinstance(document, dict) else None
    found: dict[tuple[str, str], EarlierFacts] = {}
    for item in images if isinstance(images, list) else ():
        if not isinstance(item, dict):
            continue
        name, sha256, seconds = item.get("name"), item.get("sha256"), _number(item.get("seconds"))
        if isinstance(name, str) and isinstance(sha256, str) and seconds is not None:
            incomplete = _number(item.get("incomplete"))
            found[(name, sha256)] = EarlierFacts(seconds, int(incomplete) if incomplete is not None else None)
    return found


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

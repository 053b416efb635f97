"""One pass of a multi-pattern engine (Hyperscan, through pyperscan) over a file's bytes.

All anchors of all signatures are compiled into one database, so a file is read once whatever the
number of components; a regex only runs where an anchor was seen.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pyperscan import BlockDatabase, BlockScanner, Pattern, Scan

MAX_HITS_PER_ANCHOR = 256
"""Occurrences of one anchor kept per buffer: error tables repeat "OpenSSL " hundreds of times."""
MAX_HITS = 16384
"""Occurrences kept per buffer in all; a file made of anchors cannot make the scan quadratic."""


@dataclass
class _Hits:
    lengths: Sequence[int]
    found: list[tuple[int, int]] = field(default_factory=list)
    per_anchor: dict[int, int] = field(default_factory=dict)


def _on_match(hits: _Hits, tag: Any, start: int, end: int) -> Scan:
    del start  # without SOM_LEFTMOST Hyperscan reports 0; a literal's start is end - length
    index = int(tag)
    count = hits.per_anchor.get(index, 0)
    if count < MAX_HITS_PER_ANCHOR:
        hits.per_anchor[index] = count + 1
        hits.found.append((index, end - hits.lengths[index]))
    return Scan.Terminate if len(hits.found) >= MAX_HITS else Scan.Continue


class AnchorScanner:
    """Finds every occurrence of a fixed set of byte literals. Not thread-safe (one scratch space)."""

    def __init__(self, anchors: Sequence[bytes]) -> None:
        self._hits = _Hits([len(a) for a in anchors])
        self._scanner: BlockScanner | None = None
        if anchors:
            patterns = [Pattern(_literal(anchor), tag=index) for index, anchor in enumerate(anchors)]
            self._scanner = BlockDatabase(*patterns).build(self._hits, _on_match)

    def scan(self, data: bytes) -> list[tuple[int, int]]:
        """(anchor index, offset) of each occurrence, in the order found."""
        if self._scanner is None or not data:
            return []
        self._hits.found = []
        self._hits.per_anchor = {}
        self._scanner.scan(data)
        return self._hits.found


def _literal(anchor: bytes) -> bytes:
    """The anchor as a Hyperscan expression that matches exactly its bytes."""
    return b"".join(b"\\x%02x" % byte for byte in anchor)

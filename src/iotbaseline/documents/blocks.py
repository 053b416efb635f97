"""A document's text before it is split into sentences: blocks (a heading, a paragraph, a list item, a table row),
and what every reader shares: the cleaning, the collecting of a block's words and links, a table row as one line."""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    text: str
    section: str = ""
    """The heading it falls under."""
    heading: bool = False
    page: int | None = None
    links: tuple[tuple[int, str], ...] = ()
    """(offset in `text`, link target) of the links in the block."""
    line: int | None = None
    """1-based line of the source where the block starts (of its page's text, for a PDF); None for HTML, whose
    lines are the markup's, not the reader's."""
    cells: tuple[str, ...] = ()
    """A table row's cells in order (its `text` may name each by its column)."""


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Compatibility forms folded (non-breaking spaces, full-width letters), invisible characters dropped,
    white space collapsed: what a reader sees, in a form the phrase patterns match."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_INVISIBLE)).strip()


def row_text(headers: Sequence[str], cells: Sequence[str]) -> str:
    """A table row as one line: each cell named by its column's header when the header row matches it ("Model: X;
    Updates until: Y"), so that the row keeps the meaning its columns give it; else its cells apart by bars."""
    if headers and len(headers) == len(cells):
        return "; ".join(f"{h}: {t}" if h else t for h, t in zip(headers, cells, strict=True) if t)
    return " | ".join(t for t in cells if t)


@dataclass
class BlockText:
    """A block's words as a reader meets them, piece by piece, white space collapsed, with where its links start."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    links: list[tuple[int, str]] = field(default_factory=list)

    def add(self, text: str) -> None:
        piece = _SPACE.sub(" ", text)
        if not piece or (piece == " " and (not self.parts or self.parts[-1].endswith(" "))):
            return
        if piece.startswith(" ") and self.parts and self.parts[-1].endswith(" "):
            piece = piece[1:]
        self.parts.append(piece)
        self.length += len(piece)

    def link(self, target: str) -> None:
        self.links.append((self.length, target))

    def take(self) -> tuple[str, tuple[tuple[int, str], ...]]:
        raw = "".join(self.parts)
        lead = len(raw) - len(raw.lstrip())
        links = tuple((max(0, offset - lead), target) for offset, target in self.links)
        self.parts, self.length, self.links = [], 0, []
        return clean(raw), links

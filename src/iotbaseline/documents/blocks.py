"""A document's text before it is split into sentences: blocks (a heading, a paragraph, a list item, a table row),
and the one cleaning every reader applies."""

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    text: str
    section: str = ""
    """The heading it falls under."""
    heading: bool = False
    page: int | None = None
    links: tuple[tuple[int, str], ...] = ()
    """(offset in `text`, link target) of the links in the block."""


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Compatibility forms folded (non-breaking spaces, full-width letters), invisible characters dropped,
    white space collapsed: what a reader sees, in a form the phrase patterns match."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_INVISIBLE)).strip()

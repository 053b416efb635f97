"""Blocks split into sentences, each with its place (sentence and paragraph number, page, section) so that
evidence can quote it. Deterministic rules, not a language model: a full stop, question or exclamation mark
followed by a space and a capital or digit ends a sentence, unless it closes a known abbreviation or an initial."""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from iotbaseline.documents.blocks import Block

MAX_SENTENCE_CHARS = 2_000
"""A longer run of words without a full stop is cut at a space: the phrase searches stay cheap and quotes short."""
MAX_SENTENCES = 5_000
MAX_TEXT_CHARS = 500_000
"""Text judged from one document: many times any policy or product page, small enough for the phrase searches."""
MAX_QUOTE_CHARS = 400

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9\u00c0-\u00de•])")
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ABBREVIATIONS = _words(
    "e.g i.e etc cf al approx ca inc ltd co corp plc gmbh no nr vs mr mrs ms dr prof st fig ref dept tel "
    "jan feb mar apr jun jul aug sep sept oct nov dec min max incl excl"
)


@dataclass(frozen=True)
class Quote:
    """A sentence as evidence: its words and where they stand."""

    text: str
    sentence: int
    """1-based over the document; reported as the location's line."""
    paragraph: int
    page: int | None = None

    def to_dict(self) -> dict[str, str | int]:
        data: dict[str, str | int] = {"text": self.text, "sentence": self.sentence, "paragraph": self.paragraph}
        if self.page is not None:
            data["page"] = self.page
        return data


@dataclass(frozen=True)
class Sentence:
    text: str
    index: int
    """1-based over the document."""
    paragraph: int
    """1-based block number."""
    section: str = ""
    """The heading it falls under."""
    heading: bool = False
    page: int | None = None
    links: tuple[str, ...] = ()
    """Targets of the links whose text lies in this sentence."""

    def quote(self) -> Quote:
        shown = self.text if len(self.text) <= MAX_QUOTE_CHARS else self.text[: MAX_QUOTE_CHARS - 1] + "…"
        return Quote(shown, self.index, self.paragraph, self.page)


def split_blocks(blocks: Iterable[Block]) -> tuple[tuple[Sentence, ...], bool]:
    """The sentences, and whether the text was cut at MAX_SENTENCES or MAX_TEXT_CHARS."""
    sentences: list[Sentence] = []
    chars = 0
    for paragraph, block in enumerate(blocks, start=1):
        for start, end in _spans(block.text):
            links = tuple(target for offset, target in block.links if start <= offset < end)
            text = block.text[start:end].strip()
            if not text:
                continue
            sentences.append(
                Sentence(text, len(sentences) + 1, paragraph, block.section, block.heading, block.page, links)
            )
            chars += len(text)
            if len(sentences) >= MAX_SENTENCES or chars >= MAX_TEXT_CHARS:
                return tuple(sentences), True
    return tuple(sentences), False


def _spans(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _closes_abbreviation(text, match.start()):
            continue
        end = match.end()
        yield from _cut(text, start, end)
        start = end
    if start < len(text):
        yield from _cut(text, start, len(text))


def _closes_abbreviation(text: str, stop: int) -> bool:
    if text[stop] != ".":
        return False
    words = text[max(0, stop - 32) : stop].split()
    if not words:
        return False
    token = words[-1].lstrip("(\"'“‘").lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()) or bool(_INITIALS.fullmatch(token))


def _cut(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Pieces of at most MAX_SENTENCE_CHARS, cut at a space where there is one."""
    while end - start > MAX_SENTENCE_CHARS:
        space = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        cut = space if space > start else start + MAX_SENTENCE_CHARS
        yield start, cut
        start = cut
    yield start, end

"""Markdown to blocks: what a reader of the rendered file sees, each block with the line it starts on.

Parsed with markdown-it-py (CommonMark with GitHub's tables and strikethrough; it comes with rich): emphasis,
escapes, entities and list markers are read as a renderer reads them, not guessed at with patterns. Paragraphs
are joined as rendered, or kept line by line (`keep_lines`: a statement's `Label: value` lines). Raw HTML blocks go
through the one HTML reader. The parser builds several objects per character of hostile input (200,000 characters
took 1.4 s and 150 MB at worst), so the text is cut before it.
"""

import functools
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from iotbaseline.documents.blocks import Block, BlockText, clean, row_text
from iotbaseline.documents.html_text import read_html

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MAX_MARKDOWN_CHARS = 200_000
"""A policy or a statement in Markdown is a few kilobytes."""
_WORDS = frozenset(("text", "text_special", "code_inline"))


@dataclass(frozen=True)
class MarkdownText:
    blocks: tuple[Block, ...]
    problem: str
    """Why it cannot be read (raw HTML built to exhaust a parser); empty when it can."""
    truncated: bool


def read_markdown(text: str, furniture: re.Pattern[str], *, keep_lines: bool = False) -> MarkdownText:
    reader = _Reader(furniture, keep_lines)
    for token in _parser().parse(text[:MAX_MARKDOWN_CHARS]):
        reader.take(token)
    return MarkdownText(tuple(reader.blocks), reader.problem, len(text) > MAX_MARKDOWN_CHARS or reader.truncated)


@functools.cache
def _parser() -> "MarkdownIt":
    from markdown_it import MarkdownIt  # here: 30 ms to import, which a scan that reads no Markdown need not pay

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def _first_line(token: "Token") -> int | None:
    return token.map[0] + 1 if token.map else None


class _Reader:
    """Walks the parser's flat token stream: block tokens say where a block starts and what it is, `inline`
    tokens hold its words."""

    def __init__(self, furniture: re.Pattern[str], keep_lines: bool) -> None:
        self.furniture = furniture
        self.keep_lines = keep_lines
        self.blocks: list[Block] = []
        self.problem = ""
        self.truncated = False
        self.section = ""
        self._text = BlockText()
        self._heading = False
        self._headers: list[str] = []
        self._in_head = False
        self._row: list[str] | None = None
        self._row_links: list[tuple[int, str]] = []
        self._row_line: int | None = None

    def take(self, token: "Token") -> None:
        kind = token.type
        if kind in ("heading_open", "heading_close"):
            self._heading = kind == "heading_open"
        elif kind == "inline":
            self._inline(token)
        elif kind == "table_open":
            self._headers = []
        elif kind in ("thead_open", "thead_close"):
            self._in_head = kind == "thead_open"
        elif kind == "tr_open":
            self._row, self._row_links, self._row_line = [], [], _first_line(token)
        elif kind == "tr_close":
            self._end_row()
        elif kind in ("fence", "code_block"):
            self._code(token)
        elif kind == "html_block":
            self._html(token)

    def _inline(self, token: "Token") -> None:
        line = start = _first_line(token)
        for child in token.children or ():
            if child.type in _WORDS:
                self._text.add(child.content)
            elif child.type == "link_open" and str(child.attrs.get("href") or "").strip():
                self._text.link(str(child.attrs["href"]).strip())
            elif child.type in ("softbreak", "hardbreak"):
                line = line + 1 if line is not None else None
                if child.type == "hardbreak" or self.keep_lines:  # a hard break is a <br>: a line of its own
                    self._flush(start)
                    start = line
                else:
                    self._text.add(" ")
        if self._row is not None:  # a table cell: its row becomes the block
            text, links = self._text.take()
            self._row.append(text)
            self._row_links.extend((0, target) for _, target in links)
        else:
            self._flush(start)

    def _flush(self, line: int | None) -> None:
        text, links = self._text.take()
        if not text:
            return
        if self._heading:
            self.section = text
        section = "" if self._heading else self.section
        self.blocks.append(Block(text, section=section, heading=self._heading, links=links, line=line))

    def _end_row(self) -> None:
        cells, self._row = self._row or [], None
        if not any(cells):
            return
        if self._in_head:  # Markdown requires a header row, and key-value tables put their first pair in it
            self._headers = cells
        text = " | ".join(c for c in cells if c) if self._in_head else row_text(self._headers, cells)
        links = tuple(self._row_links)
        self.blocks.append(Block(text, section=self.section, links=links, line=self._row_line, cells=tuple(cells)))

    def _code(self, token: "Token") -> None:
        """Code keeps its lines: each is a block, its words untouched by Markdown."""
        first = _first_line(token)
        if first is not None and token.type == "fence":
            first += 1  # the opening fence
        for offset, raw in enumerate(token.content.split("\n")):
            text = clean(raw)
            if text:
                self.blocks.append(Block(text, section=self.section, line=first + offset if first else None))

    def _html(self, token: "Token") -> None:
        page = read_html(token.content, self.furniture)
        self.problem = self.problem or page.problem
        self.truncated = self.truncated or page.truncated
        line = _first_line(token)
        self.blocks.extend(replace(block, section=block.section or self.section, line=line) for block in page.blocks)

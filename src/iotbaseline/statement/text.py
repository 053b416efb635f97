"""A statement's text, line by line, from Markdown, HTML, plain text or PDF (pypdf).

Statements come from manufacturers' websites and mailboxes: the file is read bounded, its format decided by its
first bytes before its name, and anything that cannot be read is a `StatementReadError` (exit 2), never a
traceback. Lines keep their number (and page, for a PDF) so a check can quote where it found an item.
"""

import html
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path

from iotbaseline.errors import InputError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PDF_PAGES = 200
MAX_TEXT_CHARS = 2_000_000
"""A statement is a page or two; anything longer is cut here, before any pattern sees it."""


class StatementReadError(InputError):
    """The file cannot be read as a statement (missing, too large, not text, an unreadable or textless PDF)."""


class TextFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    TEXT = "text"
    PDF = "pdf"


@dataclass(frozen=True)
class TextLine:
    number: int
    """1-based line in the file's text (in the page's text for a PDF)."""
    text: str
    page: int | None = None


@dataclass(frozen=True)
class StatementText:
    source: str
    format: TextFormat
    lines: tuple[TextLine, ...]
    truncated: bool = False

    @property
    def joined(self) -> str:
        return "\n".join(line.text for line in self.lines)


def read_statement(path: Path) -> StatementText:
    data = _read_bounded(path)
    text_format = detect_format(data, path.name)
    if text_format is TextFormat.PDF:
        pages = _pdf_pages(data, str(path))
        lines = tuple(
            TextLine(number, text, page)
            for page, page_text in enumerate(pages, start=1)
            for number, text in enumerate(_normalised_lines(page_text), start=1)
        )
    else:
        text = _decode(data, str(path))
        if text_format is TextFormat.HTML:
            text = html_text(text)
        elif text_format is TextFormat.MARKDOWN:
            text = markdown_text(text)
        lines = tuple(TextLine(number, line) for number, line in enumerate(_normalised_lines(text), start=1))
    return _bounded(StatementText(str(path), text_format, lines))


def detect_format(data: bytes, name: str) -> TextFormat:
    """By content first (a `.txt` that is a PDF is read as one), then by the file name's ending."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data[:1024].find(b"%PDF-") != -1:
        return TextFormat.PDF
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return TextFormat.HTML
    suffix = Path(name).suffix.lower()
    if suffix in {".html", ".htm", ".xhtml"}:
        return TextFormat.HTML
    if suffix in {".md", ".markdown"}:
        return TextFormat.MARKDOWN
    return TextFormat.TEXT


def _read_bounded(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise StatementReadError(f"{path}: not a file")
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise StatementReadError(f"{path}: cannot read: {error.strerror or error}") from error
    if len(data) > MAX_FILE_BYTES:
        raise StatementReadError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not a statement")
    if not data.strip():
        raise StatementReadError(f"{path}: empty")
    return data


def _decode(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        raise StatementReadError(f"{source}: binary data, not a text, HTML, Markdown or PDF statement")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # older Windows editors' default for English text


def _pdf_pages(data: bytes, source: str) -> list[str]:
    import pypdf  # here: only a PDF needs it, and the CLI's start-up counts

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a malformed PDF's warnings are not the user's business
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise StatementReadError(f"{source}: the PDF is encrypted with a password")
        pages: list[str] = []
        total = 0
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            pages.append(text)
            total += len(text)
            if total > MAX_TEXT_CHARS:
                break
    except StatementReadError:
        raise
    except Exception as error:  # pypdf on a hostile file raises what its parser meets (ValueError, KeyError, ...)
        raise StatementReadError(f"{source}: not a readable PDF ({type(error).__name__}: {error})") from error
    if not any(page.strip() for page in pages):
        raise StatementReadError(f"{source}: the PDF has no text (a scanned image?); run it through OCR first")
    return pages


_SPACES = re.compile(r"[^\S\t\n]+")


def _normalised_lines(text: str) -> Iterator[str]:
    """NFKC (ligatures, full-width colons, no-break spaces), typographic apostrophes as `'`, runs of spaces as one;
    tabs are kept: they separate table cells."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        yield _SPACES.sub(" ", line).rstrip()


def _bounded(text: StatementText) -> StatementText:
    kept: list[TextLine] = []
    total = 0
    for line in text.lines:
        total += len(line.text) + 1
        if total > MAX_TEXT_CHARS:
            return StatementText(text.source, text.format, tuple(kept), truncated=True)
        kept.append(line)
    return text


_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|~~)(?=\S)|(?<=\S)(\*\*|__|\*|~~)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>])")
_MD_LINK = re.compile(r"\[([^\]\n]{0,500})\]\(([^)\s]{0,2000})\)")
_HTML_TAG = re.compile(r"<[^<>\n]{1,200}>")
_PROTECTED = 0xF0000
"""Escaped characters are moved into a private-use plane while markup is removed, then put back."""
_PROTECTED_CHAR = re.compile("[\U000f0000-\U000f007f]")


def markdown_text(source: str) -> str:
    """What a reader of the rendered Markdown sees, close enough for phrase matching: no heading or quote markers,
    emphasis or escapes; a table row as its cells separated by tabs; a link as its text and address."""
    lines = []
    for line in source.split("\n"):
        if _MD_TABLE_RULE.match(line) and "-" in line:
            lines.append("")  # kept as an empty line: quotes give the file's own line numbers
            continue
        line = _MD_QUOTE.sub("", _MD_HEADING.sub("", line))
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            line = "\t".join(cell.strip() for cell in stripped[1:-1].split("|"))
        line = _MD_ESCAPE.sub(lambda m: chr(_PROTECTED + ord(m.group(1))), line)  # an escaped * is no emphasis
        line = _MD_LINK.sub(r"\1 (\2)", line)
        line = _HTML_TAG.sub("", line)
        line = _MD_EMPHASIS.sub("", line)
        line = _PROTECTED_CHAR.sub(lambda m: chr(ord(m.group()) - _PROTECTED), line)
        lines.append(html.unescape(line).replace("\u2060", ""))
    return "\n".join(lines)


def html_text(source: str) -> str:
    parser = _TextParser()
    parser.feed(source)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    """Text as a browser lays it out, roughly: block elements on lines of their own, table cells apart by tabs,
    nothing from scripts, styles or the head."""

    BLOCKS = frozenset(
        {"address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption", "footer"}
        | {"form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre"}
        | {"section", "table", "tbody", "thead", "tfoot", "tr", "ul"}
    )
    CELLS = frozenset({"td", "th"})
    HIDDEN = frozenset({"script", "style", "head", "template", "noscript", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.BLOCKS:
            self._parts.append("\n")
        elif tag in self.CELLS:
            self._parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.BLOCKS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = ("".join(self._parts)).split("\n")
        return "\n".join(line.strip(" ") for line in lines if line.strip())

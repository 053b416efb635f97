"""PDF to blocks, with pypdf (pure Python, maintained, with configurable limits on what a stream may inflate to,
set far lower here than its defaults).

A page's lines are joined into paragraphs, or kept as they are (`keep_lines`: a statement's `Label: value`
lines); either way a block knows its page and the line it starts on. Bounded by pages and by time, checked between
pages. A PDF that needs a password to open, that pypdf cannot parse, or whose text layer is missing or garbled (a
scan, fonts without a character map) cannot be read: that is reported as such, never judged as a document that
says nothing.
"""

import io
import logging
import re
import time
from dataclasses import dataclass

from iotbaseline.documents.blocks import Block, clean

MAX_PAGES = 100
MAX_SECONDS = 20.0
MAX_CHARS = 1_000_000
MAX_STREAM_BYTES = 8 * 1024 * 1024
"""Decoded bytes of one stream: pypdf allows 75 MB; a policy's page needs a few kilobytes, and a 60 KB file that
inflates to 60 MB of text took 15 s and 1.5 GB to extract."""
_LIMITS = {
    f"{kind}_maximum_output_length": MAX_STREAM_BYTES
    for kind in ("zlib", "lzw", "run_length", "brotli", "jbig2", "array_based_stream")
} | {"maximum_declared_stream_length": MAX_STREAM_BYTES, "stream_decoding_work_maximum_length": 4 * MAX_STREAM_BYTES}
MIN_LETTERS = 20
"""Fewer letters than this in the whole text: no text layer to speak of."""
MIN_LETTER_SHARE = 0.5
"""Letters among the visible characters below this share: garbled text (glyph codes, not words)."""

_BULLET = re.compile(r"^(?:[•·▪◦‣*–-]|\d{1,2}[.)]|\(?[a-z][.)])\s")
_TERMINAL = (".", "!", "?", ":", ";")


@dataclass(frozen=True)
class PdfText:
    blocks: tuple[Block, ...]
    problem: str
    """Why it cannot be read; empty when it can."""
    truncated: bool
    title: str = ""


def read_pdf(body: bytes, seconds: float = MAX_SECONDS, *, keep_lines: bool = False) -> PdfText:
    # Imported here: pypdf takes 80 ms to import, which a scan that reads no PDF need not pay.
    from pypdf import apply_configuration

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed files are normal here; we report them ourselves
    try:
        with apply_configuration(None, **_LIMITS):
            return _read(body, time.monotonic() + seconds, keep_lines)
    except Exception as error:  # pypdf raises many kinds on hostile files; any of them means "cannot read"
        return PdfText((), f"the PDF cannot be read ({type(error).__name__}: {str(error)[:200]})", False)


def _read(body: bytes, deadline: float, keep_lines: bool) -> PdfText:
    from pypdf import PasswordType, PdfReader

    reader = PdfReader(io.BytesIO(body), strict=False)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        return PdfText((), "the PDF is encrypted with a password: it cannot be opened without one", False)
    title = _title(reader)
    count = len(reader.pages)
    blocks: list[Block] = []
    chars = 0
    truncated = count > MAX_PAGES
    for number in range(min(count, MAX_PAGES)):
        if time.monotonic() > deadline or chars > MAX_CHARS:
            truncated = True
            break
        text = reader.pages[number].extract_text() or ""
        chars += len(text)
        blocks.extend(_lines(text, number + 1) if keep_lines else _blocks(text, number + 1))
    return PdfText(tuple(blocks), _garbled(blocks), truncated, title)


def _title(reader: object) -> str:
    try:
        metadata = getattr(reader, "metadata", None)
        return clean(str(metadata.title)) if metadata is not None and metadata.title else ""
    except Exception:  # a broken info dictionary only costs the title
        return ""


def _garbled(blocks: list[Block]) -> str:
    visible = "".join(b.text for b in blocks).replace(" ", "")
    letters = sum(c.isalpha() for c in visible)
    if letters < MIN_LETTERS:
        return "the PDF has no text layer (a scanned image?): its words cannot be read"
    if letters / len(visible) < MIN_LETTER_SHARE or visible.count("\ufffd") * 10 > len(visible):
        return "the PDF's text layer is garbled (fonts without a character map): its words cannot be read"
    return ""


def _heading_like(line: str, following: str, widest: int) -> bool:
    short = len(line) < 0.6 * widest and len(line.split()) <= 12
    return short and not line.endswith(_TERMINAL) and following[:1].isupper()


def _lines(text: str, page: int) -> list[Block]:
    return [
        Block(line, page=page, line=number) for number, raw in enumerate(text.splitlines(), 1) if (line := clean(raw))
    ]


def _blocks(text: str, page: int) -> list[Block]:
    """A page's lines as paragraphs: lines are joined until a blank line, a bullet, a short line that ends a
    sentence, or a short line without punctuation followed by a capital (a heading)."""
    lines = [line.strip() for line in text.splitlines()]
    widest = max((len(line) for line in lines), default=0)
    blocks: list[Block] = []
    current: list[str] = []
    start = 0
    section = ""

    def flush(heading: bool = False) -> None:
        nonlocal section
        joined = clean(" ".join(current))
        current.clear()
        if joined:
            blocks.append(Block(joined, section="" if heading else section, heading=heading, page=page, line=start))
            if heading:
                section = joined

    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line:
            flush()
            continue
        if _BULLET.match(line):
            flush()
        if not current:
            start = index + 1
        if not current and _heading_like(line, following, widest):
            current.append(line)
            flush(heading=True)
            continue
        if current and current[-1].endswith("-") and line[:1].islower() and current[-1][-2:-1].isalpha():
            current[-1] = current[-1][:-1] + line  # a word hyphenated at the line's end
        else:
            current.append(line)
        if line.endswith((".", "!", "?")) and len(line) < 0.8 * widest:
            flush()
    flush()
    return blocks

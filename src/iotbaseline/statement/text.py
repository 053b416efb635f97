"""A statement's text, line by line, read as every published document is (`documents.text`, with `keep_lines`).

Statements come from manufacturers' websites and mailboxes: the file is read bounded, its format decided by its
first bytes before its name, and anything that cannot be read is a `StatementReadError` (exit 2), never a
traceback. Lines keep their number (and page, for a PDF) so a check can quote where it found an item.
"""

from dataclasses import dataclass
from pathlib import Path

from iotbaseline.documents.blocks import Block
from iotbaseline.documents.fetch import read_document_file
from iotbaseline.documents.model import DocumentFetchError
from iotbaseline.documents.text import Form, read_text
from iotbaseline.errors import InputError

MAX_FILE_BYTES = 20 * 1024 * 1024
_APOSTROPHES = str.maketrans("\u2018\u2019", "''")
"""Typographic apostrophes as the items' patterns spell them (`manufacturer's`)."""


class StatementReadError(InputError):
    """The file cannot be read as a statement (missing, too large, not text, an unreadable or textless PDF)."""


@dataclass(frozen=True)
class TextLine:
    number: int
    """1-based line in the file (in the page, for a PDF; the block's place, for HTML, whose lines are markup)."""
    text: str
    page: int | None = None


@dataclass(frozen=True)
class StatementText:
    source: str
    format: Form
    lines: tuple[TextLine, ...]
    truncated: bool = False

    @property
    def joined(self) -> str:
        return "\n".join(line.text for line in self.lines)


def read_statement(path: Path) -> StatementText:
    try:
        document = read_document_file(path, MAX_FILE_BYTES)
    except DocumentFetchError as error:
        raise StatementReadError(f"{path}: {error.reason}") from error
    if document.truncated:
        raise StatementReadError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not a statement")
    text = read_text(document, keep_lines=True)
    if text.problem:
        raise StatementReadError(f"{path}: {text.problem}")
    lines = tuple(_line(block, place) for place, block in enumerate(text.blocks, start=1))
    return StatementText(str(path), text.form, lines, text.truncated)


def _line(block: Block, place: int) -> TextLine:
    """A table row as its cells apart by bars, so that a label in one cell reads with its value in the next."""
    shown = " | ".join(cell for cell in block.cells if cell) if block.cells else block.text
    return TextLine(block.line if block.line is not None else place, shown.translate(_APOSTROPHES), block.page)

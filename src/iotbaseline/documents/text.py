"""Readable text from a published document, in sentences that evidence can quote with their place.

HTML (`html_text`), PDF (`pdf_text`), Markdown (`markdown_text`) and plain text become blocks (a heading, a
paragraph, a list item, a table row), or with `keep_lines` the source's own lines where it has any (a statement's
`Label: value` lines); blocks become sentences (`sentences`). Whether anyone can read the document at all (a login
wall, a refusal, bot protection, a page that needs JavaScript) is judged here too (`access`), because a judgement of
the words is worthless when a buyer never sees them.
"""

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice

from iotbaseline.documents.access import Access, AccessRules, LoginSigns, default_access_rules, judge_access
from iotbaseline.documents.blocks import Block, clean
from iotbaseline.documents.html_text import HtmlPage, read_html
from iotbaseline.documents.markdown_text import read_markdown
from iotbaseline.documents.model import FetchedDocument
from iotbaseline.documents.pdf_text import read_pdf
from iotbaseline.documents.sentences import Quote, Sentence, split_blocks

__all__ = ["Access", "DocumentText", "Form", "Quote", "Sentence", "read_text"]

MAX_TEXT_CHARS = 2_000_000
MAX_BLOCKS = 20_000
"""Blocks kept of one document: its sentences stop at 5,000 anyway, and a statement has a few dozen lines."""
BINARY_SCAN_BYTES = 8192
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


class Form(StrEnum):
    HTML = "html"
    PDF = "pdf"
    MARKDOWN = "markdown"
    TEXT = "text"
    OTHER = "other"


@dataclass(frozen=True)
class DocumentText:
    requested_url: str
    url: str
    """Where the text came from, after redirects."""
    status: int
    form: Form
    access: Access
    access_note: str
    """What shows an access problem (the status, the login text, the redirect); empty when public."""
    problem: str
    """Why the words could not be read; empty when they could."""
    title: str = ""
    language: str = ""
    """The language the document declares (HTML `lang`), empty when it declares none."""
    sentences: tuple[Sentence, ...] = ()
    truncated: bool = False
    """Only the first part was read (size, page, node or time limit)."""
    blocks: tuple[Block, ...] = ()
    """What the sentences were split from, each with its place (page, source line, table cells)."""

    @property
    def public(self) -> bool:
        return self.access is Access.PUBLIC

    @property
    def readable(self) -> bool:
        return not self.problem

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.sentences)


def read_text(document: FetchedDocument, rules: AccessRules | None = None, *, keep_lines: bool = False) -> DocumentText:
    """What a person who opens the document can read, and whether they can open it."""
    rules = rules or default_access_rules()
    form = form_of(document)
    title, language, problem, truncated, login = "", "", "", document.truncated, None
    blocks: tuple[Block, ...] = ()
    if not document.body.strip():
        problem = "the document is empty"
    elif form in (Form.TEXT, Form.MARKDOWN) and _binary(document):
        problem = f"binary data, not text (NUL bytes in what is labelled {document.content_type})"
    elif form is Form.HTML:
        page = read_html(decode(document.body, document.charset or _meta_charset(document.body)), rules.furniture_class)
        blocks, title, language, truncated = page.blocks, page.title, page.language, truncated or page.truncated
        words = sum(len(b.text.split()) for b in blocks)
        login = LoginSigns(page.password_field, _login_phrase(page, rules), words)
        problem = page.problem or _script_shell(page, words, rules)
    elif form is Form.PDF:
        pdf = read_pdf(document.body, keep_lines=keep_lines)
        blocks, title, problem, truncated = pdf.blocks, pdf.title, pdf.problem, truncated or pdf.truncated
    elif form is Form.MARKDOWN:
        text = decode(document.body, document.charset)
        markdown = read_markdown(text, rules.furniture_class, keep_lines=keep_lines)
        blocks, problem, truncated = markdown.blocks, markdown.problem, truncated or markdown.truncated
    elif form is Form.TEXT:
        text = decode(document.body, document.charset)[:MAX_TEXT_CHARS]
        blocks = tuple(islice(plain_blocks(text, keep_lines=keep_lines), MAX_BLOCKS + 1))
    else:
        problem = f"a {document.content_type or 'file of unknown type'}, not a format whose words can be read here"
    if len(blocks) > MAX_BLOCKS:
        blocks, truncated = blocks[:MAX_BLOCKS], True
    sentences, cut = split_blocks(blocks)
    truncated = truncated or cut
    if not problem and not sentences:
        problem = "the document has no readable text"
    access, note = judge_access(document, login, rules)
    return DocumentText(
        document.requested_url, document.final_url, document.status, form, access, note, problem,
        title, language, sentences, truncated, blocks,
    )  # fmt: skip


def form_of(document: FetchedDocument) -> Form:
    """The declared media type, overruled by the body's own signature (servers mislabel files)."""
    head = document.body[:1024].lstrip().lower()
    if head.startswith(b"%pdf-"):
        return Form.PDF
    if head.startswith((b"<!doctype html", b"<html")):
        return Form.HTML
    kind = document.content_type.lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return Form.HTML
    if kind == "application/pdf":
        return Form.PDF
    if kind in ("text/markdown", "text/x-markdown"):
        return Form.MARKDOWN
    if kind.startswith("text/"):
        return Form.TEXT
    return Form.OTHER


def decode(body: bytes, charset: str | None) -> str:
    """The body as text: by its byte-order mark, else in its declared charset; with neither (or one unknown) UTF-8,
    or Windows-1252 when it is not UTF-8 (older editors' default for Western text); bad bytes replaced."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    if charset:
        try:
            return body.decode(codecs.lookup(charset).name, errors="replace")
        except LookupError:
            pass  # an unknown charset: read as if none were declared
    try:  # final=False: a body cut at the size limit may end inside a character
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


_BULLET = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)])\s")


def plain_blocks(text: str, *, keep_lines: bool = False) -> Iterator[Block]:
    """Paragraphs at blank lines, a line that starts with a bullet its own block; or every line its own block."""
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if current and (keep_lines or not line.strip() or _BULLET.match(line)):
            if joined := clean(" ".join(current)):
                yield Block(joined, line=start)
            current = []
        if line.strip():
            start = start if current else number
            current.append(line)
    if joined := clean(" ".join(current)):
        yield Block(joined, line=start)


def _binary(document: FetchedDocument) -> bool:
    """NUL bytes are not text, unless it is UTF-16 (marked by its byte-order mark or declared)."""
    if b"\x00" not in document.body[:BINARY_SCAN_BYTES]:
        return False
    utf16 = document.body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    return not utf16 and not (document.charset or "").lower().startswith(("utf-16", "utf-32"))


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


def _login_phrase(page: HtmlPage, rules: AccessRules) -> str:
    for text in (page.controls_text, page.title, *(b.text for b in page.blocks[:200])):
        match = rules.login_phrases.search(text)
        if match:
            return match.group(0)
    return ""


def _script_shell(page: HtmlPage, words: int, rules: AccessRules) -> str:
    """A page that shows (almost) nothing until its scripts run: its words cannot be judged without a browser."""
    if words >= rules.script_shell_words:
        return ""
    asks_for_scripts = rules.script_only_phrases.search(f"{page.noscript_text} {page.title}") is not None
    if asks_for_scripts or page.scripts >= 3:
        return f"the page shows {words} words until its scripts run (a script-rendered page): its text cannot be read"
    return ""

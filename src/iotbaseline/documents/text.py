"""Readable text from a published document, in sentences that evidence can quote with their place.

HTML (`html_text`), PDF (`pdf_text`) and plain text become blocks (a heading, a paragraph, a list item, a table
row); blocks become sentences (`sentences`). Whether anyone can read the document at all (a login wall, a refusal,
bot protection, a page that needs JavaScript) is judged here too (`access`), because a judgement of the words is
worthless when a buyer never sees them.
"""

import codecs
import re
from dataclasses import dataclass
from enum import StrEnum

from iotbaseline.documents.access import Access, AccessRules, LoginSigns, default_access_rules, judge_access
from iotbaseline.documents.blocks import Block, clean
from iotbaseline.documents.html_text import HtmlPage, read_html
from iotbaseline.documents.model import FetchedDocument
from iotbaseline.documents.pdf_text import read_pdf
from iotbaseline.documents.sentences import Quote, Sentence, split_blocks

__all__ = ["Access", "DocumentText", "Form", "Quote", "Sentence", "read_text"]

MAX_TEXT_CHARS = 2_000_000
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


class Form(StrEnum):
    HTML = "html"
    PDF = "pdf"
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

    @property
    def public(self) -> bool:
        return self.access is Access.PUBLIC

    @property
    def readable(self) -> bool:
        return not self.problem

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.sentences)


def read_text(document: FetchedDocument, rules: AccessRules | None = None) -> DocumentText:
    """What a person who opens the document can read, and whether they can open it."""
    rules = rules or default_access_rules()
    form = form_of(document)
    title, language, problem, truncated, login = "", "", "", document.truncated, None
    blocks: tuple[Block, ...] = ()
    if form is Form.HTML:
        page = read_html(decode(document.body, document.charset or _meta_charset(document.body)), rules.furniture_class)
        blocks, title, language, truncated = page.blocks, page.title, page.language, truncated or page.truncated
        words = sum(len(b.text.split()) for b in blocks)
        login = LoginSigns(page.password_field, _login_phrase(page, rules), words)
        problem = page.problem or _script_shell(page, words, rules)
    elif form is Form.PDF:
        pdf = read_pdf(document.body)
        blocks, title, problem, truncated = pdf.blocks, pdf.title, pdf.problem, truncated or pdf.truncated
    elif form is Form.TEXT:
        blocks = plain_blocks(decode(document.body, document.charset)[:MAX_TEXT_CHARS])
    else:
        problem = f"a {document.content_type or 'file of unknown type'}, not a format whose words can be read here"
    sentences, cut = split_blocks(blocks)
    truncated = truncated or cut
    if not problem and not sentences:
        problem = "the document has no readable text"
    access, note = judge_access(document, login, rules)
    return DocumentText(
        document.requested_url, document.final_url, document.status, form, access, note, problem,
        title, language, sentences, truncated,
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
    if kind.startswith("text/"):
        return Form.TEXT
    return Form.OTHER


def decode(body: bytes, charset: str | None) -> str:
    """The body as text in its declared charset (UTF-8 when none or unknown), bad bytes replaced."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        encoding = codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        encoding = "utf-8"
    return body.decode(encoding, errors="replace")


def plain_blocks(text: str) -> tuple[Block, ...]:
    """Paragraphs at blank lines; a line that starts with a bullet is its own block."""
    blocks: list[Block] = []
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        current: list[str] = []
        for line in paragraph.split("\n"):
            if re.match(r"\s*(?:[-*•]|\d{1,2}[.)])\s", line) and current:
                blocks.append(Block(clean(" ".join(current))))
                current = []
            current.append(line)
        joined = clean(" ".join(current))
        if joined:
            blocks.append(Block(joined))
    return tuple(blocks)


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

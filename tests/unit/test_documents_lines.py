"""Where a document's words stand (source line, page, table cells), Markdown read as rendered, and the bodies that
are not text at all: what the statement check reads through the documents layer, and what the policy checks gain."""

import codecs
from pathlib import Path

from iotbaseline.documents.markdown_text import MAX_MARKDOWN_CHARS
from iotbaseline.documents.model import FetchedDocument
from iotbaseline.documents.text import MAX_BLOCKS, DocumentText, Form, read_text

FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents"
URL = "file:///statement"


def fetched(body: bytes | str, content_type: str, charset: str | None = None) -> FetchedDocument:
    data = body.encode() if isinstance(body, str) else body
    return FetchedDocument(URL, URL, 200, content_type, charset, data)


def placed(document: DocumentText) -> list[tuple[int | None, str]]:
    return [(block.line, block.text) for block in document.blocks]


MARKDOWN = (
    "# Security policy\n"
    "\n"
    "Report issues to **[our team](mailto:psirt@acme.example)**; we\n"
    "answer within 5 days.\n"
    "\n"
    "| Model | Updates until |\n"
    "|---|---|\n"
    "| Cam 200 | 2028-12-31 |\n"
    "\n"
    "- Batch: B\\_7 &amp; *later*\n"
    "\n"
    "```\n"
    "gpg --import *key*\n"
    "```\n"
)


def test_markdown_is_read_as_rendered_with_headings_sections_tables_and_links() -> None:
    page = read_text(fetched(MARKDOWN, "text/markdown"))
    assert page.form is Form.MARKDOWN and page.readable
    assert placed(page) == [
        (1, "Security policy"),
        (3, "Report issues to our team; we answer within 5 days."),
        (6, "Model | Updates until"),
        (8, "Model: Cam 200; Updates until: 2028-12-31"),
        (10, "Batch: B_7 & later"),
        (13, "gpg --import *key*"),
    ]
    assert page.blocks[0].heading and page.blocks[1].section == "Security policy"
    assert page.blocks[3].cells == ("Cam 200", "2028-12-31")
    assert page.sentences[1].links == ("mailto:psirt@acme.example",)


def test_markdown_keeps_its_source_lines_when_asked() -> None:
    page = read_text(fetched(MARKDOWN, "text/markdown"), keep_lines=True)
    assert placed(page)[1:3] == [(3, "Report issues to our team; we"), (4, "answer within 5 days.")]


def test_raw_html_in_markdown_goes_through_the_html_reader_and_its_guard() -> None:
    page = read_text(fetched("Intro\n\n<div><p>Inner <b>words</b></p><script>x()</script></div>\n", "text/markdown"))
    assert placed(page) == [(1, "Intro"), (3, "Inner words")]
    bomb = read_text(fetched("Intro\n\n<div>\n" + "<div>" * 5_000 + "\n", "text/markdown"))
    assert not bomb.readable and "not parsed" in bomb.problem


def test_markdown_beyond_its_limit_is_cut_and_marked() -> None:
    page = read_text(fetched("Start here.\n\n" + "[" * (MAX_MARKDOWN_CHARS + 10), "text/markdown"))
    assert page.readable and page.truncated and page.blocks[0].text == "Start here."


def test_plain_text_blocks_know_their_first_line_and_can_keep_every_line() -> None:
    text = "Title line\n\nFirst paragraph\nwraps here.\n- item one\n"
    assert placed(read_text(fetched(text, "text/plain"))) == [
        (1, "Title line"),
        (3, "First paragraph wraps here."),
        (5, "- item one"),
    ]
    assert placed(read_text(fetched(text, "text/plain"), keep_lines=True))[1:3] == [
        (3, "First paragraph"),
        (4, "wraps here."),
    ]


def test_pdf_blocks_know_their_page_and_line_and_can_keep_every_line() -> None:
    body = (FIXTURES / "vdp_policy.pdf").read_bytes()
    paragraphs = read_text(fetched(body, "application/pdf"))
    lines = read_text(fetched(body, "application/pdf"), keep_lines=True)
    assert all(block.page is not None and block.line is not None for block in paragraphs.blocks + lines.blocks)
    assert len(lines.blocks) > len(paragraphs.blocks)
    confirm = next(block for block in lines.blocks if "confirm receipt" in block.text)
    assert confirm.page == 1 and confirm.line is not None and confirm.line > 1
    assert [b.line for b in lines.blocks if b.page == 1] == sorted(b.line or 0 for b in lines.blocks if b.page == 1)


def test_html_table_rows_keep_their_cells_beside_the_named_text() -> None:
    html = "<table><tr><th>Item</th><th>Details</th></tr><tr><td>Batch</td><td>B-1</td></tr></table>"
    row = read_text(fetched(html, "text/html")).blocks[0]
    assert (row.text, row.cells, row.line) == ("Item: Batch; Details: B-1", ("Batch", "B-1"), None)


def test_empty_and_binary_bodies_are_not_read_as_text() -> None:
    assert read_text(fetched(b" \n\t", "text/plain")).problem == "the document is empty"
    binary = read_text(fetched(b"\x7fELF\x02\x01\x00\x00", "text/markdown"))
    assert not binary.readable and "binary data" in binary.problem


def test_utf16_with_its_byte_order_mark_and_undeclared_windows_1252_are_decoded() -> None:
    utf16 = read_text(fetched(codecs.BOM_UTF16_LE + "Sécurité: écrivez-nous.".encode("utf-16-le"), "text/plain"))
    assert utf16.readable and utf16.blocks[0].text == "Sécurité: écrivez-nous."
    windows = read_text(fetched("Café policy costs £5.".encode("cp1252"), "text/plain"))
    assert windows.blocks[0].text == "Café policy costs £5."
    cut_in_a_character = read_text(fetched("Café".encode()[:-1], "text/plain"))
    assert cut_in_a_character.blocks[0].text == "Caf"


def test_a_document_of_more_blocks_than_the_limit_is_cut_and_marked() -> None:
    page = read_text(fetched("a\n" * (MAX_BLOCKS + 5), "text/plain"), keep_lines=True)
    assert len(page.blocks) == MAX_BLOCKS and page.truncated

"""Readable text from published documents: what a reader sees, in quotable sentences, and whether they can see it."""

import io
import time
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from iotbaseline.documents.access import Access
from iotbaseline.documents.model import FetchedDocument
from iotbaseline.documents.text import DocumentText, Form, read_text

FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents"
URL = "https://acme.example/security"


def fetched(
    body: bytes | str,
    content_type: str = "text/html",
    *,
    status: int = 200,
    charset: str | None = None,
    final_url: str = URL,
    truncated: bool = False,
) -> FetchedDocument:
    data = body.encode() if isinstance(body, str) else body
    return FetchedDocument(URL, final_url, status, content_type, charset, data, truncated=truncated)


def fixture(name: str, content_type: str = "text/html") -> DocumentText:
    return read_text(fetched((FIXTURES / name).read_bytes(), content_type))


def texts(document: DocumentText) -> list[str]:
    return [s.text for s in document.sentences]


# --- HTML --------------------------------------------------------------------------------------------------------


def test_html_keeps_the_main_content_and_drops_scripts_styles_navigation_cookie_banners_and_hidden_text() -> None:
    page = fixture("vdp_with_timelines.html")
    words = " ".join(texts(page))
    assert page.public and page.readable and page.form is Form.HTML
    assert page.title == "Vulnerability Disclosure Policy | ACME Home" and page.language == "en"
    assert "We will acknowledge receipt of your report within 5 working days." in texts(page)
    for boilerplate in ("1 hour", "1 day", "cookies", "Products", "Sign in", "press@acme.example"):
        assert boilerplate not in words


def test_headings_are_sentences_and_name_the_section_of_what_follows() -> None:
    page = fixture("vdp_with_timelines.html")
    heading = next(s for s in page.sentences if s.text == "What to expect")
    following = page.sentences[heading.index]  # index is 1-based: this is the next sentence
    assert heading.heading and not following.heading
    assert following.section == "What to expect" and following.text.startswith("We will acknowledge")


def test_sentences_are_numbered_over_the_document_with_their_paragraph() -> None:
    page = read_text(fetched("<main><p>One is here. Two is here.</p><p>Three.</p></main>"))
    assert [(s.text, s.index, s.paragraph) for s in page.sentences] == [
        ("One is here.", 1, 1),
        ("Two is here.", 2, 1),
        ("Three.", 3, 2),
    ]


def test_abbreviations_initials_and_month_abbreviations_do_not_end_a_sentence() -> None:
    page = read_text(
        fetched("<p>Updates e.g. fixes come from ACME Ltd. Until Dec. 31 2028 we patch. J. Smith signs.</p>")
    )
    assert texts(page) == ["Updates e.g. fixes come from ACME Ltd. Until Dec. 31 2028 we patch.", "J. Smith signs."]


def test_links_belong_to_the_sentence_whose_words_they_are() -> None:
    page = read_text(fetched('<p>Read this first. Mail <a href="mailto:sec@acme.example">us</a> today.</p>'))
    assert [s.links for s in page.sentences] == [(), ("mailto:sec@acme.example",)]


def test_table_rows_keep_their_column_names() -> None:
    page = fixture("support_several_products.html")
    assert "Model: ACME Cam 200; Released: 2024-03-12; Security updates until: 31 December 2028" in texts(page)


def test_the_declared_charset_and_a_meta_charset_decode_the_page() -> None:
    latin = "<p>Sécurité: contactez-nous.</p>".encode("latin-1")
    assert texts(read_text(fetched(latin, charset="iso-8859-1"))) == ["Sécurité: contactez-nous."]
    meta = b'<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9 policy.</p></body></html>'
    assert texts(read_text(fetched(meta))) == ["Café policy."]


def test_a_page_mislabelled_as_text_plain_is_still_read_as_html() -> None:
    page = read_text(fetched("<!DOCTYPE html><html><body><p>Hello reader.</p></body></html>", "text/plain"))
    assert page.form is Form.HTML and texts(page) == ["Hello reader."]


def test_a_page_that_shows_nothing_without_its_scripts_cannot_be_read() -> None:
    shell = (
        "<html><head><script src=a.js></script><script src=b.js></script><script src=c.js></script></head>"
        '<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>'
    )
    page = read_text(fetched(shell))
    assert not page.readable and "scripts" in page.problem


# --- who can read it ---------------------------------------------------------------------------------------------


def test_a_login_form_on_a_short_page_is_a_login_wall() -> None:
    page = fixture("vdp_login_wall.html")
    assert page.access is Access.LOGIN_WALL and "password" in page.access_note


def test_login_words_on_a_short_page_are_a_login_wall_without_any_form() -> None:
    page = read_text(fetched("<main><h1>Members only</h1><p>Please log in to view this document.</p></main>"))
    assert page.access is Access.LOGIN_WALL


def test_a_long_policy_with_a_sign_in_box_in_its_header_is_public() -> None:
    policy = " ".join(f"Sentence {n} of the policy explains how we handle reports." for n in range(40))
    body = f'<header><form><input type="password"><button>Sign in</button></form></header><main><p>{policy}</p></main>'
    assert read_text(fetched(body)).access is Access.PUBLIC


def test_a_redirect_to_a_login_address_is_a_login_wall() -> None:
    page = read_text(fetched("<p>Welcome back.</p>", final_url="https://sso.acme.example/login?next=/security"))
    assert page.access is Access.LOGIN_WALL and "sso.acme.example/login" in page.access_note


@pytest.mark.parametrize(
    ("status", "access"),
    [
        (401, Access.DENIED),
        (403, Access.DENIED),
        (404, Access.NOT_FOUND),
        (410, Access.NOT_FOUND),
        (503, Access.SERVER_ERROR),
        (429, Access.HTTP_ERROR),
    ],
)
def test_error_statuses_say_whether_the_document_is_public(status: int, access: Access) -> None:
    page = read_text(fetched("<p>Error.</p>", status=status))
    assert page.access is access and str(status) in page.access_note


def test_a_bot_protection_page_is_a_challenge_not_a_refusal_of_the_public() -> None:
    body = "<html><head><title>Just a moment...</title></head><body><p>Checking your browser.</p></body></html>"
    assert read_text(fetched(body, status=403)).access is Access.CHALLENGE


# --- PDF, plain text, other ----------------------------------------------------------------------------------------


def test_a_pdf_is_read_with_its_pages_headings_and_sentences() -> None:
    pdf = fixture("vdp_policy.pdf", "application/pdf")
    assert pdf.form is Form.PDF and pdf.readable and pdf.title == "ACME vulnerability disclosure policy"
    confirm = next(s for s in pdf.sentences if "confirm receipt" in s.text)
    assert confirm.text == (
        "We will confirm receipt of your report within three business days and tell you who is handling it."
    )
    assert confirm.page == 1 and confirm.section == "Product Security Incident Response"
    assert next(s for s in pdf.sentences if "status update" in s.text).page == 2


def test_a_pdf_that_needs_a_password_cannot_be_read() -> None:
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "vdp_policy.pdf"))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    data = io.BytesIO()
    writer.write(data)
    pdf = read_text(fetched(data.getvalue(), "application/pdf"))
    assert not pdf.readable and "password" in pdf.problem and pdf.sentences == ()


def test_a_pdf_encrypted_only_against_editing_opens_like_in_any_viewer() -> None:
    writer = PdfWriter(clone_from=PdfReader(FIXTURES / "vdp_policy.pdf"))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    data = io.BytesIO()
    writer.write(data)
    pdf = read_text(fetched(data.getvalue(), "application/pdf"))
    assert pdf.readable and any("psirt@acme.example" in s.text for s in pdf.sentences)


def test_a_pdf_without_a_text_layer_cannot_be_read() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    data = io.BytesIO()
    writer.write(data)
    pdf = read_text(fetched(data.getvalue(), "application/pdf"))
    assert not pdf.readable and "text layer" in pdf.problem


@pytest.mark.parametrize(
    "body",
    [b"%PDF-1.7\n" + b"\x00\xff garbage " * 500, (FIXTURES / "vdp_policy.pdf").read_bytes()[:900], b"%PDF-"],
)
def test_a_broken_pdf_cannot_be_read_and_raises_nothing(body: bytes) -> None:
    pdf = read_text(fetched(body, "application/pdf"))
    assert not pdf.readable and pdf.problem


def test_a_pdf_whose_page_inflates_to_megabytes_is_refused_quickly() -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    helvetica = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}
    font = DictionaryObject({NameObject(k): NameObject(v) for k, v in helvetica.items()})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 10 10 Td (" + b"Ab. " * 15_000_000 + b") Tj ET")
    page[NameObject("/Contents")] = writer._add_object(stream.flate_encode(level=9))
    data = io.BytesIO()
    writer.write(data)
    assert len(data.getvalue()) < 100_000
    started = time.monotonic()
    pdf = read_text(fetched(data.getvalue(), "application/pdf"))
    assert time.monotonic() - started < 5
    assert not pdf.readable and "LimitReachedError" in pdf.problem


def test_plain_text_is_read_in_paragraphs_and_list_items() -> None:
    page = read_text(fetched("Title line\n\nFirst paragraph\nwraps here.\n- item one\n- item two\n", "text/plain"))
    assert [(s.text, s.paragraph) for s in page.sentences] == [
        ("Title line", 1),
        ("First paragraph wraps here.", 2),
        ("- item one", 3),
        ("- item two", 4),
    ]


def test_a_format_without_words_is_not_readable() -> None:
    page = read_text(fetched(b"\x89PNG\r\n\x1a\n....", "image/png"))
    assert page.form is Form.OTHER and not page.readable and "image/png" in page.problem


# --- hostile markup ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("nesting", b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000),
        ("formatting left open", b"<p>" + b"".join(b"<b id=%d>" % i for i in range(1000)) + b"<p>x</p>" * 250_000),
        ("unclosed formatting", b"<p>" + b"<b><i><a href=x>w " * 100_000),
    ],
)
def test_markup_built_to_exhaust_the_parser_is_refused_at_once(name: str, body: bytes) -> None:
    started = time.monotonic()
    page = read_text(fetched(body))
    assert time.monotonic() - started < 5, name
    assert not page.readable
    assert "not parsed" in page.problem or "millions of nodes" in page.problem


def test_a_huge_flat_page_is_read_in_bounded_time_and_marked_cut() -> None:
    started = time.monotonic()
    page = read_text(fetched(b"<p>" + b"<span>word</span>. " * 200_000 + b"<script>" * 1000))
    assert time.monotonic() - started < 10
    assert page.readable and page.truncated


def test_a_page_cut_at_the_fetch_limit_says_so() -> None:
    assert read_text(fetched("<p>The first part.</p>", truncated=True)).truncated

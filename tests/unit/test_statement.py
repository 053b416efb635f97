"""The PSTI statement of compliance: drafts from a profile (every required item, placeholders for what the profile
lacks, a warning when the assessment found a requirement not met), and the check of existing statements in
Markdown, HTML and PDF (present, unfilled or missing, with the lines quoted)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iotbaseline.catalogue import default_catalogue
from iotbaseline.documents.text import Form
from iotbaseline.errors import EXIT_USAGE_ERROR
from iotbaseline.model import Assessment, Input, Verdict, VerdictValue
from iotbaseline.profile.loader import load_profile, parse_profile
from iotbaseline.report.markdown_report import md
from iotbaseline.statement.check import ItemStatus, StatementCheck, check_statement
from iotbaseline.statement.content import DraftStatement, draft_statement
from iotbaseline.statement.items import default_requirements, parse_requirements
from iotbaseline.statement.render import BLANK, render_html, render_markdown
from iotbaseline.statement.text import StatementReadError, read_statement
from iotbaseline.statement_cli import statement

FIXTURES = Path(__file__).parents[1] / "fixtures" / "statement"
COMPLETE_PROFILE = FIXTURES / "profile-complete.yaml"
PARTIAL_PROFILE = FIXTURES / "profile-partial.yaml"
ITEM_IDS = ("product", "manufacturer", "made-for-manufacturer", "compliance-opinion", "support-period", "signature")


def psti_assessment(*verdicts: tuple[str, VerdictValue], model: str | None = None) -> Assessment:
    return Assessment(
        tool_version="9.9.9",
        created="2026-11-26T09:08:22+00:00",
        product={"model_designation": model} if model else {},
        inputs=(Input("firmware", "camera-2.4.0.bin"),),
        findings=(),
        verdicts=tuple(
            Verdict("PSTI", provision, value, f"reason for requirement {provision}") for provision, value in verdicts
        ),
    )


def draft(profile: Path = COMPLETE_PROFILE, assessment: Assessment | None = None) -> DraftStatement:
    return draft_statement(load_profile(profile), assessment, default_requirements())


def check_text(tmp_path: Path, name: str, text: str) -> StatementCheck:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return check_statement(read_statement(path), default_requirements())


def statuses(result: StatementCheck) -> dict[str, ItemStatus]:
    return {item.item.id: item.status for item in result.items}


def part_statuses(result: StatementCheck, item_id: str) -> dict[str, ItemStatus]:
    item = next(item for item in result.items if item.item.id == item_id)
    return {part.part.name: part.status for part in item.parts}


def signed(text: str) -> str:
    """The draft with its blanks filled in, as a signatory would."""
    values = iter(["(signed)", "Jane Doe", "Director of Engineering", "Cambridge", "3 December 2026"])
    blank = md(BLANK) if md(BLANK) in text else BLANK  # the Markdown rendering escapes the underscores
    while blank in text:
        text = text.replace(blank, next(values), 1)
    return text


# --- the data -------------------------------------------------------------------------------------------------


def test_required_items_match_the_catalogue_schedule_4_list_and_are_all_unconfirmed() -> None:
    schedule = default_catalogue().standard("PSTI").statement_of_compliance
    contents = {item.id: item for item in schedule if item.id != "retention"}  # a record-keeping duty, not content
    requirements = default_requirements()
    assert tuple(item.id for item in requirements.items) == ITEM_IDS
    assert set(contents) == set(ITEM_IDS)
    for item in requirements.items:
        assert item.confirmed is contents[item.id].confirmed is False
        assert "Sch. 4" in item.source
    assert "legislation.gov.uk/uksi/2023/1007/schedule/4" in requirements.verify_at


def test_a_malformed_items_file_is_refused_with_its_name() -> None:
    from iotbaseline.statement.items import StatementDataError

    with pytest.raises(StatementDataError, match=r"psti_statement\.yaml"):
        parse_requirements("source: x\nverify_at: y\nplaceholders: []\nitems:\n  - id: a\n    parts: []\n")
    with pytest.raises(StatementDataError, match="unknown fragment"):
        parse_requirements(
            "source: x\nverify_at: y\nplaceholders: []\nitems:\n  - {id: a, description: d, source: s, "
            "confirmed: false, parts: [{name: n, phrases: ['@nope@']}]}\n"
        )


# --- drafts ---------------------------------------------------------------------------------------------------


def test_draft_from_a_complete_profile_holds_every_required_item_once_signed(tmp_path: Path) -> None:
    content = draft()
    assert content.missing == ()
    for name, text in (("statement.md", render_markdown(content)), ("statement.html", render_html(content))):
        unsigned = check_text(tmp_path, name, text)
        assert {key: value for key, value in statuses(unsigned).items() if key != "signature"} == dict.fromkeys(
            ITEM_IDS[:-1], ItemStatus.PRESENT
        ), name
        # the signatory's blanks are found as blanks, not as a signature
        assert statuses(unsigned)["signature"] is ItemStatus.UNFILLED
        assert part_statuses(unsigned, "signature")["date of issue"] is ItemStatus.UNFILLED
        assert check_text(tmp_path, name, signed(text)).complete, name


def test_draft_states_the_declaration_support_period_and_manufacturer_from_the_profile() -> None:
    markdown = render_markdown(draft())
    assert (
        "In the opinion of the manufacturer, Acme Connected Devices Ltd, the security requirements in Schedule 1"
        in (markdown)
    )
    assert "prepared by or on behalf of the manufacturer, Acme Connected Devices Ltd" in markdown
    assert "**Security updates provided until:** 30 June 2031" in markdown
    assert "**Support period starts:** 1 July 2026" in markdown
    assert "**Batch:** B-2026-07 (units made from July 2026)" in markdown
    assert "Cambridge CB1 2AB" in markdown
    for label in ("Name of signatory:", "Function of signatory:", "Place of issue:", "Date of issue:"):
        assert f"**{label}** \\_\\_\\_" in markdown
    assert "Unconfirmed: 6 of the 6 items" in markdown
    assert "WARNING" not in markdown


def test_missing_profile_items_are_visible_placeholders_and_listed() -> None:
    content = draft(PARTIAL_PROFILE)
    assert {item.path for item in content.missing} == {
        "product.batch",
        "manufacturer.address",
        "support_period.end_date",
    }
    markdown, html = render_markdown(content), render_html(content)
    assert "**Address:** **\\[TO FILL: postal address\\]**" in markdown
    assert '<mark class="missing">[TO FILL: end date]</mark>' in html
    assert "profile field <code>manufacturer.address</code>" in html


def test_a_draft_of_a_partial_profile_checks_as_unfilled_where_the_placeholders_are(tmp_path: Path) -> None:
    result = check_text(tmp_path, "draft.md", render_markdown(draft(PARTIAL_PROFILE)))
    assert part_statuses(result, "manufacturer") == {
        "manufacturer's name": ItemStatus.PRESENT,
        "manufacturer's address": ItemStatus.UNFILLED,
    }
    assert statuses(result)["support-period"] is ItemStatus.UNFILLED
    assert part_statuses(result, "product")["batch"] is ItemStatus.UNFILLED


def test_a_failed_psti_requirement_puts_a_warning_on_the_draft() -> None:
    assessment = psti_assessment(("1", VerdictValue.FAIL), ("2", VerdictValue.INCONCLUSIVE), ("3", VerdictValue.PASS))
    content = draft(assessment=assessment)
    assert content.warning
    markdown, html = render_markdown(content), render_html(content)
    assert markdown.index("WARNING: do not sign this statement as it stands") < markdown.index("## Product")
    assert "> - Requirement 1 (Passwords): reason for requirement 1" in markdown
    assert '<section class="warning"' in html and html.index('class="warning"') < html.index("<h2>Product</h2>")
    # the requirement not decided is noted, not warned of; the one met is not listed
    assert "Requirement 2 (How to report security issues): not decided, evidence is missing." in markdown
    assert "Requirement 3" not in markdown


def test_no_warning_when_nothing_failed_and_the_undecided_are_noted() -> None:
    content = draft(assessment=psti_assessment(("1", VerdictValue.PASS), ("3", VerdictValue.INCONCLUSIVE)))
    assert not content.warning
    markdown = render_markdown(content)
    assert "WARNING" not in markdown
    assert "Requirement 3 (Minimum security update period): not decided" in markdown
    assert "Assessment: iotbaseline 9.9.9, 26 November 2026, of camera-2.4.0.bin." in markdown


def test_an_assessment_of_another_model_is_pointed_out() -> None:
    content = draft(assessment=psti_assessment(("1", VerdictValue.PASS), model="AC-CAM-100"))
    assert "The assessment is of model AC-CAM-100, this statement of model AC-CAM-200." in render_markdown(content)


def test_hostile_profile_values_stay_text_in_both_renderings() -> None:
    profile = parse_profile(
        "manufacturer:\n"
        '  name: "<script>alert(1)</script> **Evil** [x](javascript:y) @team #1 \\x1b[31m"\n'
        '  address: "</dd></dl><img src=x onerror=alert(2)>"\n'
    )
    content = draft_statement(profile, None, default_requirements())
    html = render_html(content)
    assert "<script>" not in html and "<img" not in html and "\x1b" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "\\x1b" in html
    markdown = render_markdown(content)
    assert "<script>" not in markdown and "**Evil**" not in markdown and "[x](javascript" not in markdown
    assert "&lt;script&gt;" in markdown and "\\*\\*Evil\\*\\*" in markdown


# --- checking existing statements ------------------------------------------------------------------------------


def test_a_complete_markdown_statement_passes_with_quotes() -> None:
    result = check_statement(read_statement(FIXTURES / "complete.md"), default_requirements())
    assert result.complete
    support = next(item for item in result.items if item.item.id == "support-period")
    assert [quote.text for quote in support.evidence] == [
        "Defined support period: security updates are provided until 31 March 2030."
    ]
    address = next(item for item in result.items if item.item.id == "manufacturer").parts[1]
    assert address.evidence[0].line == 11
    assert "Leeds LS11 5QP" in address.evidence[0].text


def test_an_incomplete_markdown_statement_names_what_is_missing() -> None:
    result = check_statement(read_statement(FIXTURES / "incomplete.md"), default_requirements())
    assert not result.complete
    assert statuses(result) == {
        "product": ItemStatus.MISSING,
        "manufacturer": ItemStatus.MISSING,
        "made-for-manufacturer": ItemStatus.MISSING,
        "compliance-opinion": ItemStatus.MISSING,
        "support-period": ItemStatus.MISSING,
        "signature": ItemStatus.MISSING,
    }
    assert part_statuses(result, "product") == {
        "product type or model": ItemStatus.PRESENT,
        "batch": ItemStatus.MISSING,
    }
    # "complies with all applicable laws" is an opinion, but not about the Schedule 1 requirements
    assert part_statuses(result, "compliance-opinion") == {
        "declaration of the manufacturer's opinion": ItemStatus.PRESENT,
        "the security requirements it refers to": ItemStatus.MISSING,
    }
    assert part_statuses(result, "signature")["date of issue"] is ItemStatus.UNFILLED


def test_a_complete_pdf_statement_passes() -> None:
    text = read_statement(FIXTURES / "complete.pdf")
    assert text.format is Form.PDF
    result = check_statement(text, default_requirements())
    assert result.complete
    batch = next(item for item in result.items if item.item.id == "product").parts[1]
    assert batch.evidence[0].page == 1
    assert batch.evidence[0].text == "Batch: All units manufactured from 1 January 2026"


def test_an_unsigned_draft_printed_to_pdf_is_incomplete_with_page_and_line() -> None:
    result = check_statement(read_statement(FIXTURES / "incomplete.pdf"), default_requirements())
    assert statuses(result) == {
        "product": ItemStatus.UNFILLED,
        "manufacturer": ItemStatus.UNFILLED,
        "made-for-manufacturer": ItemStatus.PRESENT,
        "compliance-opinion": ItemStatus.PRESENT,
        "support-period": ItemStatus.UNFILLED,
        "signature": ItemStatus.UNFILLED,
    }
    address = next(item for item in result.items if item.item.id == "manufacturer").parts[1]
    assert address.evidence[0].where.startswith("page 1 line ")
    assert address.evidence[0].text == "Address: [TO FILL: postal address]"


def test_a_support_period_without_an_end_date_is_missing_with_the_vague_line_quoted(tmp_path: Path) -> None:
    result = check_text(tmp_path, "s.txt", "Support period: for the lifetime of the product\n")
    support = next(item for item in result.items if item.item.id == "support-period").parts[0]
    assert support.status is ItemStatus.MISSING
    assert support.reason == "stated without a date"
    assert support.evidence[0].text == "Support period: for the lifetime of the product"
    assert check_text(tmp_path, "s.txt", "Support period: until 2031-06-30\n").items[4].status is ItemStatus.PRESENT


def test_a_heading_is_not_taken_for_a_label_with_the_next_line_as_its_value(tmp_path: Path) -> None:
    result = check_text(tmp_path, "s.md", "## Manufacturer\n\nAddress: 1 High Street, York YO1 7HH\n")
    assert part_statuses(result, "manufacturer")["manufacturer's name"] is ItemStatus.MISSING
    # a label alone on its line (with its colon) takes the next line as its value
    result = check_text(tmp_path, "s.md", "Manufacturer:\nAcme Ltd\n")
    assert part_statuses(result, "manufacturer")["manufacturer's name"] is ItemStatus.PRESENT


def test_words_inside_a_sentence_are_not_labels(tmp_path: Path) -> None:
    result = check_text(tmp_path, "s.txt", "Enter the product name: then press OK.\nThe date: unknown.\n")
    assert part_statuses(result, "signature")["date of issue"] is ItemStatus.MISSING
    assert part_statuses(result, "product")["product type or model"] is ItemStatus.MISSING


# --- reading files ---------------------------------------------------------------------------------------------


def lines(path: Path, text: str) -> list[tuple[int, str]]:
    path.write_text(text, encoding="utf-8")
    return [(line.number, line.text) for line in read_statement(path).lines]


def test_html_text_drops_scripts_and_keeps_table_cells_apart(tmp_path: Path) -> None:
    html = (
        "<html><head><title>t</title><style>p{}</style></head><body><script>Batch: fake</script>"
        "<table><tr><th>Batch</th><td>B-1</td></tr></table><p>a &amp; b</p></body></html>"
    )
    assert lines(tmp_path / "s.html", html) == [(1, "Batch | B-1"), (2, "a & b")]


def test_markdown_text_removes_markup_and_keeps_escaped_characters_and_line_numbers(tmp_path: Path) -> None:
    markdown = "## Title\n| Batch | B\\_1 |\n|---|---|\n\n- **Name:** A \\*B\\*"
    assert lines(tmp_path / "s.md", markdown) == [(1, "Title"), (2, "Batch | B_1"), (5, "Name: A *B*")]


def test_unusable_files_are_refused(tmp_path: Path) -> None:
    import pypdf

    blank = tmp_path / "blank.pdf"
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with blank.open("wb") as out:
        writer.write(out)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x7fELF\x00\x00\x01")
    empty = tmp_path / "empty.md"
    empty.write_text("  \n")
    for path, message in (
        (blank, "has no text"),
        (broken, "the PDF cannot be read"),
        (binary, "binary data"),
        (empty, "empty"),
        (tmp_path / "absent.md", "cannot read: No such file"),
        (tmp_path, "not a regular file"),
    ):
        with pytest.raises(StatementReadError, match=message):
            read_statement(path)


# --- the command line ------------------------------------------------------------------------------------------


def test_cli_draft_lists_missing_items_and_writes_both_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(statement, ["draft", "--profile", str(PARTIAL_PROFILE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "missing in the profile: manufacturer.address (postal address)" in result.stderr
    assert (tmp_path / "statement.md").is_file() and (tmp_path / "statement.html").is_file()


def test_cli_draft_warns_on_stderr_when_a_report_has_a_psti_fail(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps(psti_assessment(("1", VerdictValue.FAIL)).to_dict()))
    result = CliRunner().invoke(
        statement, ["draft", "--profile", str(COMPLETE_PROFILE), "--report", str(report), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert "warning: the assessment found PSTI requirement(s) not met: 1 (Passwords)" in result.stderr
    assert "WARNING" in (tmp_path / "o" / "statement.md").read_text()


def test_cli_draft_refuses_a_report_that_is_not_one(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text('{"tool": {"version": "1"}}')
    result = CliRunner().invoke(
        statement, ["draft", "--profile", str(COMPLETE_PROFILE), "--report", str(report), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == EXIT_USAGE_ERROR
    assert "not an iotbaseline report.json" in result.stderr
    assert not (tmp_path / "o").exists()


def test_cli_check_exit_codes_and_unconfirmed_marks() -> None:
    runner = CliRunner()
    complete = runner.invoke(statement, ["check", str(FIXTURES / "complete.md")])
    assert complete.exit_code == 0, complete.output
    assert "(unconfirmed requirement)" in complete.stdout
    incomplete = runner.invoke(statement, ["check", str(FIXTURES / "incomplete.md")])
    assert incomplete.exit_code == 1
    assert "MISSING" in incomplete.stdout
    unusable = runner.invoke(statement, ["check", str(FIXTURES / "does-not-exist.pdf")])
    assert unusable.exit_code == EXIT_USAGE_ERROR
    assert "cannot read: No such file" in unusable.stderr


def test_cli_check_json() -> None:
    result = CliRunner().invoke(statement, ["check", "--json", str(FIXTURES / "incomplete.pdf")])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["complete"] is False and document["format"] == "pdf"
    items = {item["id"]: item for item in document["items"]}
    assert set(items) == set(ITEM_IDS)
    assert all(item["confirmed"] is False for item in items.values())
    assert items["manufacturer"]["status"] == "unfilled"
    assert {"line", "text", "page"} <= set(items["manufacturer"]["evidence"][0])

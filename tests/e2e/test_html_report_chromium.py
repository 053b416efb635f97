"""The HTML report as a reader sees it: opened from disk in headless Debian Chromium, with scripts disabled and the
network out of reach, it shows what the JSON report says."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from iotbaseline.catalogue import default_catalogue
from iotbaseline.model import Assessment, Finding, Input, Location, Outcome, Severity, Verdict, VerdictValue
from iotbaseline.report import write_reports
from iotbaseline.report.formats import formats_named

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium; CI installs it)"
)

ROOT_PASSWORD = Finding(
    check="firmware.accounts.weak-password",
    outcome=Outcome.FAIL,
    provisions=("EN303645:5.1-1", "PSTI:1"),
    severity=Severity.CRITICAL,
    title="root password 'admin' found in /etc/shadow",
    location=Location(image="doorbell.bin", path="/etc/shadow", line=1),
    detail="Every doorbell ships with the same root password. Give each device its own, or make the user set one.",
    evidence={"account": "root", "scheme": "md5crypt"},
    discriminator="root",
)
HOSTILE_FILE = Finding(
    check="firmware.secrets.private-key",
    outcome=Outcome.FAIL,
    provisions=("EN303645:5.4-3",),
    severity=Severity.HIGH,
    title="Private key in /www/<script>document.title='pwned'</script>.pem",
    location=Location(image="doorbell.bin", path="/www/<script>document.title='pwned'</script>.pem"),
)
POLICY = Finding(
    check="documents.disclosure-policy",
    outcome=Outcome.PASS,
    provisions=("EN303645:5.2-1", "PSTI:2"),
    severity=Severity.INFO,
    title="Disclosure policy published",
    location=Location(url="https://doorbell.example/security"),
)


def doorbell() -> Assessment:
    """PSTI 1 fails, PSTI 2 passes, PSTI 3 and two EN 303 645 provisions are inconclusive."""
    needed = ("URL of the published support period",)
    return Assessment(
        tool_version="0.1.0",
        created="2026-11-26T08:00:00Z",
        product={"model": "Ding 3 video doorbell", "manufacturer": "Ding Ltd"},
        inputs=(Input(kind="firmware", path="doorbell.bin", sha256="b" * 64, size=3_000_000),),
        findings=(ROOT_PASSWORD, HOSTILE_FILE, POLICY),
        verdicts=(
            Verdict("PSTI", "1", VerdictValue.FAIL, "root password 'admin' found in /etc/shadow", (ROOT_PASSWORD.id,)),
            Verdict("PSTI", "2", VerdictValue.PASS, "A disclosure policy is published", (POLICY.id,)),
            Verdict(
                "PSTI",
                "3",
                VerdictValue.INCONCLUSIVE,
                "No support period was found",
                missing_evidence=needed,
                question="Where is the support period published?",
            ),
            Verdict("EN303645", "5.1-1", VerdictValue.FAIL, "A universal default password", (ROOT_PASSWORD.id,)),
            Verdict("EN303645", "5.1-2", VerdictValue.NOT_APPLICABLE, "No pre-installed unique passwords"),
            Verdict("EN303645", "5.2-1", VerdictValue.PASS, "Policy published", (POLICY.id,)),
            Verdict("EN303645", "5.3-13", VerdictValue.INCONCLUSIVE, "Not found", missing_evidence=needed),
            Verdict("EN303645", "5.4-3", VerdictValue.FAIL, "A private key in the web root", (HOSTILE_FILE.id,)),
            Verdict("EN303645", "5.5-1", VerdictValue.INCONCLUSIVE, "No live host was scanned"),
        ),
    )


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    write_reports(doorbell(), default_catalogue(), out, formats_named("json,html"))
    return out


@pytest.fixture(scope="module")
def report_json(reports: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, reports: Path) -> Iterator[Page]:
    """The report, opened with scripts disabled: it must need none. Every request is recorded."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    requests: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    opened.goto((reports / "report.html").as_uri())
    yield opened
    assert requests == [(reports / "report.html").as_uri()], "the report loaded something besides itself"
    context.close()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_psti_summary_shows_each_requirement_with_the_json_verdict_and_reason(
    page: Page, report_json: dict[str, Any]
) -> None:
    psti = {v["provision"]: v for v in report_json["verdicts"] if v["standard"] == "PSTI"}
    rows = page.locator("tr.psti-row")
    assert rows.count() == 3
    for index in range(3):
        row = rows.nth(index)
        provision = (row.get_attribute("data-provision") or "").removeprefix("PSTI:")
        expected = psti[provision]
        assert row.get_attribute("data-verdict") == expected["verdict"]
        text = squeeze(row.inner_text())
        assert expected["reason"] in text
        assert {"FAIL": "✘ FAIL", "PASS": "✔ PASS", "INCONCLUSIVE": "? INCONCLUSIVE"}[expected["verdict"]] in text
    first = squeeze(rows.nth(0).inner_text())
    assert first.startswith("Passwords")
    assert "✘ FAIL not met root password 'admin' found in /etc/shadow" in first
    headline = squeeze(page.locator(".headline").inner_text())
    assert "Does not meet the UK PSTI security requirements." in headline


def test_verdict_table_has_one_row_per_json_verdict_and_as_many_fail_rows(
    page: Page, report_json: dict[str, Any]
) -> None:
    rows = page.locator("tr.verdict-row")
    shown = sorted(
        (rows.nth(i).get_attribute("data-provision"), rows.nth(i).get_attribute("data-verdict"))
        for i in range(rows.count())
    )
    in_json = sorted((f"{v['standard']}:{v['provision']}", v["verdict"]) for v in report_json["verdicts"])
    assert shown == in_json
    fail_verdicts = [v for v in report_json["verdicts"] if v["verdict"] == "FAIL"]
    assert page.locator('tr.verdict-row[data-verdict="FAIL"]').count() == len(fail_verdicts) == 3
    counts = page.locator('tr[data-standard="EN303645"] td[data-verdict="FAIL"]')
    assert counts.inner_text() == str(sum(v["standard"] == "EN303645" for v in fail_verdicts))


def test_inconclusive_rows_say_what_evidence_is_missing(page: Page) -> None:
    row = page.locator('tr.verdict-row[data-provision="PSTI:3"]')
    text = squeeze(row.inner_text())
    assert "EVIDENCE STILL NEEDED" in text.upper()
    assert "URL of the published support period" in text
    assert "Where is the support period published?" in text


def test_verdicts_are_told_apart_by_colour_and_by_a_word(page: Page) -> None:
    def badge(verdict: str) -> tuple[str, str]:
        element = page.locator(f'tr.verdict-row[data-verdict="{verdict}"] .badge').first
        colour = element.evaluate("e => getComputedStyle(e).backgroundColor")
        return element.inner_text(), str(colour)

    shown = {verdict: badge(verdict) for verdict in ("FAIL", "PASS", "INCONCLUSIVE", "NOT_APPLICABLE")}
    assert [label for label, _ in shown.values()] == ["✘ FAIL", "✔ PASS", "? INCONCLUSIVE", "– N/A"]
    assert len({colour for _, colour in shown.values()}) == 4


def test_a_hostile_file_name_is_shown_as_text_and_never_runs(page: Page) -> None:
    assert page.title() == "Security baseline report: Ding 3 video doorbell"
    assert page.locator("script").count() == 0
    finding = page.locator(f"#f-{HOSTILE_FILE.id} h3")
    assert finding.inner_text() == HOSTILE_FILE.title


def test_screenshot_of_the_report_for_a_reader(page: Page, tmp_path: Path) -> None:
    screenshot = tmp_path / "report.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")  # pytest -s shows where, to look at it


def test_the_report_prints_to_pdf(page: Page, tmp_path: Path) -> None:
    page.emulate_media(media="print")
    assert page.locator(".badge").first.is_visible()
    pdf = tmp_path / "report.pdf"
    page.pdf(path=str(pdf), format="A4")
    assert pdf.read_bytes().startswith(b"%PDF")

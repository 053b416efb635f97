"""The dashboard as a person uses it: the real `iotbaseline serve` (uvicorn, worker processes, a SQLite store in a
temporary folder) on a free loopback port, driven by headless Debian Chromium with JavaScript off (the pages need
none). Upload a corpus router, watch it finish on the queue, read its PSTI verdicts and a finding, open the HTML
report, upload the next release that fixes the telnet shell, compare the two, download the SBOM."""

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.corpus import build_image
from tests.corpus.recipes import ROUTER_FIRST_RELEASE

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
NEXT_RELEASE = f"{ROUTER_FIRST_RELEASE}-v2"
TELNET_TITLE = "Network shell without authentication"
SCAN_SECONDS = 60_000  # ms a scan may take to show as done on the queue page

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    log = (folder / "server.log").open("w")
    command = [sys.executable, "-m", "iotbaseline.serve_cli", "--port", str(port)]
    command += ["--data", str(folder / "data"), "--db", str(folder / "results.sqlite"), "--workers", "1"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (folder / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start listening in 30 s"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    assert process.returncode == 0, (folder / "server.log").read_text()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """JavaScript off; every request is recorded: none may leave the dashboard."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900}, base_url=server)
    opened = context.new_page()
    requests: list[str] = []
    opened.on("request", lambda request: requests.append(request.url))
    yield opened
    assert requests and all(url.startswith(server + "/") for url in requests), requests
    context.close()


def upload(page: Page, image: Path, version: str) -> str:
    """Uploads through the form; returns the queue row's id once the queue page (refreshing itself) shows it done."""
    page.goto("/upload")
    page.fill("#vendor", "Acme")
    page.fill("#model", "R1 router")
    page.fill("#firmware_version", version)
    page.set_input_files("#image", str(image))
    page.click("#upload-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/queue#job-\d+$"))
    row = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{row}")).to_have_attribute("data-state", "done", timeout=SCAN_SECONDS)
    return row


def test_upload_scan_browse_report_compare_and_download(page: Page, tmp_path: Path) -> None:
    first, second = build_image(ROUTER_FIRST_RELEASE), build_image(NEXT_RELEASE)

    # Upload the first release; the queue page refreshes itself until the scan is done.
    row = upload(page, first, "2.1.7")
    page.click(f"#{row} a.scan-link")
    expect(page.locator("h1")).to_contain_text(first.name)
    old_scan = page.url.rsplit("/", 1)[1]

    # The PSTI verdicts, and the planted telnet shell among the problems.
    psti = page.locator("tr.psti-row")
    expect(psti).to_have_count(3)
    assert [psti.nth(i).get_attribute("data-provision") for i in range(3)] == ["PSTI:1", "PSTI:2", "PSTI:3"]
    assert all(psti.nth(i).get_attribute("data-verdict") in ("FAIL", "INCONCLUSIVE", "PASS") for i in range(3))
    telnet = page.locator("tr.finding-row", has_text=TELNET_TITLE)
    expect(telnet).to_have_count(1)
    telnet.locator("a.finding-link").click()
    expect(page.locator("#finding-title")).to_contain_text(TELNET_TITLE)
    expect(page.locator("dl.facts").first).to_contain_text("/etc/init.d/rcS")

    # The full HTML report, served by the dashboard.
    page.goto(f"/scans/{old_scan}")
    page.click("#html-report")
    expect(page).to_have_title(re.compile(r"^Security baseline report"))
    expect(page.locator("tr.psti-row")).to_have_count(3)
    assert page.locator("script").count() == 0

    # The next release, then the comparison from its scan page: the telnet shell is fixed.
    row = upload(page, second, "2.1.8")
    page.click(f"#{row} a.scan-link")
    new_scan = page.url.rsplit("/", 1)[1]
    page.select_option("#old", old_scan)
    page.click("form[action='/compare'] button[type=submit]")
    expect(page).to_have_url(re.compile(rf"/compare\?old={old_scan}&new={new_scan}$"))
    expect(page.locator("#count-fixed")).to_have_text("1")
    expect(page.locator("#count-introduced")).to_have_text("0")
    fixed = page.locator("tr.fixed-row")
    expect(fixed).to_have_count(1)
    expect(fixed).to_contain_text(TELNET_TITLE)
    expect(fixed).to_contain_text("/etc/init.d/rcS")
    changed = page.locator('tr.verdict-change[data-provision="EN303645:5.5-4"]')
    expect(changed).to_contain_text("FAIL")
    expect(page.locator("#regressions")).to_contain_text("nothing new fails")
    page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)

    # The SBOM of the new release.
    page.goto(f"/scans/{new_scan}")
    with page.expect_download() as downloading:
        page.click('a.download[data-name="sbom.cdx.json"]')
    download = downloading.value
    assert download.suggested_filename == f"scan-{new_scan}-sbom.cdx.json"
    sbom = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.6"
    names = {component["name"] for component in sbom.get("components", [])}
    assert "openwrt" in names or "busybox" in names, names
    page.screenshot(path=str(tmp_path / "scan.png"), full_page=True)
    print(f"screenshots: {tmp_path}")  # pytest -s shows where, to look at them


def test_the_products_and_scans_pages_list_what_was_uploaded(page: Page) -> None:
    """Runs after the upload test (same server): both releases under one product."""
    page.goto("/products")
    product = page.locator("#products tbody tr", has_text="R1 router")
    expect(product).to_contain_text("Acme")
    product.locator("a").first.click()
    rows = page.locator("tr.scan-row")
    expect(rows).to_have_count(2)
    expect(page.locator("#scans")).to_contain_text("2.1.8")
    expect(page.locator('tr.scan-row[data-status="done"]')).to_have_count(2)

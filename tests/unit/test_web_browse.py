"""Reading the store through the dashboard: hostile text from firmware shown as text, downloads by fixed name only,
the HTML report under its own policy, the comparison of two scans, the overview figures."""

import json
from pathlib import Path

import pytest

from iotbaseline.sbom.writer import CYCLONEDX_FILE, SPDX_FILE
from iotbaseline.store.interface import ImageRef
from iotbaseline.web.artefacts import ARTEFACTS
from tests.unit.web_support import HOSTILE, TELNET, assessment, dashboard, stored_scan


def test_hostile_finding_text_is_escaped_on_every_page(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        scan_id = stored_scan(running.store, assessment(HOSTILE, TELNET))
        other = stored_scan(running.store, assessment(TELNET), number=2)
        client = running.client()
        pages = {
            "scan": client.get(f"/scans/{scan_id}").text,
            "finding": client.get(f"/scans/{scan_id}/findings/{HOSTILE.id}").text,
            "compare": client.get(f"/compare?old={scan_id}&new={other}").text,
            "report": client.get(f"/scans/{scan_id}/report.html").text,
        }

    for name, page in pages.items():
        assert "<script>alert" not in page, name
        assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page, name
        assert "\u202e" not in page and "\\u202e" in page, name  # the override is shown, not obeyed
    finding = pages["finding"]
    assert "<img src=x" not in finding and "&lt;img src=x onerror=alert(1)&gt;" in finding
    assert "\x1b" not in finding and "\\x1b[31m" in finding
    assert "<iframe" not in finding and "&lt;iframe src=//evil&gt;" in finding
    assert "<svg onload" not in finding
    assert "/www/&lt;b&gt;x&lt;/b&gt;.pem" in finding


def test_hostile_product_facts_from_the_upload_form_are_escaped(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        image = ImageRef("/x/<b>fw</b>.bin", "c" * 64, 10, {"vendor": "<script>v()</script>", "model": "\u202em"})
        running.store.finish(running.store.begin(image, "0.1.0", None), assessment(TELNET), {}, {})
        client = running.client()
        pages = [client.get(path).text for path in ("/products", "/scans", "/scans/1", "/", "/compare")]

    for page in pages:
        assert "<script>v()" not in page and "<b>fw" not in page and "\u202e" not in page
    assert "&lt;script&gt;v()&lt;/script&gt;" in pages[0]


def test_the_scan_page_shows_the_psti_verdicts_and_links_each_finding(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        scan_id = stored_scan(running.store, assessment(TELNET))
        page = running.client().get(f"/scans/{scan_id}").text

    assert 'class="psti-row" data-provision="PSTI:1" data-verdict="FAIL"' in page
    assert 'data-provision="PSTI:3" data-verdict="INCONCLUSIVE"' in page
    assert f'href="/scans/{scan_id}/findings/{TELNET.id}"' in page
    assert f'href="/scans/{scan_id}/report.html"' in page
    for artefact in ARTEFACTS:
        assert f'href="/scans/{scan_id}/download/{artefact.name}"' in page


def test_the_html_report_is_served_under_its_own_policy_without_script(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        scan_id = stored_scan(running.store, assessment(TELNET))
        response = running.client().get(f"/scans/{scan_id}/report.html")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'none'") and "script-src" not in policy
    assert "<script" not in response.text and TELNET.title in response.text


def test_downloads_are_rendered_or_read_by_fixed_name(tmp_path: Path) -> None:
    folder = tmp_path / "scan-folder"
    folder.mkdir()
    (folder / CYCLONEDX_FILE).write_text('{"bomFormat": "CycloneDX"}', encoding="utf-8")
    with dashboard(tmp_path) as running:
        scan_id = stored_scan(running.store, assessment(TELNET), output=folder)
        client = running.client()
        sbom = client.get(f"/scans/{scan_id}/download/{CYCLONEDX_FILE}")
        report = client.get(f"/scans/{scan_id}/download/report.json")
        sarif = client.get(f"/scans/{scan_id}/download/report.sarif")
        png = client.get(f"/scans/{scan_id}/download/label.png")
        svg = client.get(f"/scans/{scan_id}/download/label.svg")
        no_spdx = client.get(f"/scans/{scan_id}/download/{SPDX_FILE}")

    assert sbom.status_code == 200 and sbom.json() == {"bomFormat": "CycloneDX"}
    assert sbom.headers["content-type"] == "application/vnd.cyclonedx+json"
    assert sbom.headers["content-disposition"] == f'attachment; filename="scan-{scan_id}-{CYCLONEDX_FILE}"'
    assert sbom.headers["x-content-type-options"] == "nosniff"
    assert [f["id"] for f in report.json()["findings"]] == [TELNET.id]
    assert json.loads(sarif.content)["version"] == "2.1.0"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert svg.content.lstrip().startswith(b"<svg") or b"<svg" in svg.content[:200]
    assert no_spdx.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/scans/1/download/..%2F..%2F..%2Fetc%2Fpasswd",
        "/scans/1/download/%2e%2e",
        "/scans/1/download/sbom.cdx.json%00.txt",
        "/scans/1/download/images",
        "/scans/1/download/report.html/../../etc/passwd",
        "/scans/1/download/%2Fetc%2Fpasswd",
        "/scans/1/download/SBOM.CDX.JSON",
        "/scans/..%2F1/download/sbom.cdx.json",
        "/scans/0/download/sbom.cdx.json",
        "/scans/99/download/sbom.cdx.json",
        "/scans/1e3/download/sbom.cdx.json",
        "/scans/-1/report.html",
        "/scans/1/findings/..%2F..%2Fetc",
        "/scans/1/findings/0000000000000000",
        "/static/..%2F..%2Fpyproject.toml",
        "/static/report.css",
    ],
)
def test_no_request_path_reaches_the_file_system(tmp_path: Path, path: str) -> None:
    folder = tmp_path / "scan-folder"
    folder.mkdir()
    (folder / CYCLONEDX_FILE).write_text("{}", encoding="utf-8")
    with dashboard(tmp_path) as running:
        stored_scan(running.store, assessment(TELNET), output=folder)
        response = running.client().get(path)

    assert response.status_code == 404, response.text
    assert "root:" not in response.text and "[project]" not in response.text


def test_a_link_planted_in_the_scan_folder_is_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "scan-folder"
    folder.mkdir()
    (tmp_path / "secret").write_text("the secret", encoding="utf-8")
    (folder / CYCLONEDX_FILE).symlink_to(tmp_path / "secret")
    with dashboard(tmp_path) as running:
        scan_id = stored_scan(running.store, assessment(TELNET), output=folder)
        response = running.client().get(f"/scans/{scan_id}/download/{CYCLONEDX_FILE}")

    assert response.status_code == 404 and "the secret" not in response.text


def test_a_scan_without_results_has_no_downloads(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        scan_id = running.store.begin(ImageRef("/x/a.bin", "a" * 64, 1, {}), "0.1.0", None)
        running.store.fail(scan_id, "the scan process crashed (SIGSEGV)")
        page = running.client().get(f"/scans/{scan_id}")
        download = running.client().get(f"/scans/{scan_id}/download/report.json")
        report = running.client().get(f"/scans/{scan_id}/report.html")

    assert page.status_code == 200 and "crashed (SIGSEGV)" in page.text
    assert download.status_code == report.status_code == 409


def test_comparing_two_scans_shows_the_fixed_finding_and_the_verdict_that_changed(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        old = stored_scan(running.store, assessment(TELNET), number=1)
        new = stored_scan(running.store, assessment(image="fw-v2.bin"), number=2)
        page = running.client().get(f"/compare?old={old}&new={new}").text
        reverse = running.client().get(f"/compare?old={new}&new={old}").text

    fixed = page.split("<h2>Fixed</h2>")[1].split("<h2>Introduced</h2>")[0]
    assert f'data-finding="{TELNET.id}"' in fixed and TELNET.title in fixed
    assert '<span class="figure" id="count-fixed">1</span>' in page
    assert 'data-provision="EN303645:5.5-4"' in page
    assert "nothing new fails" in page
    assert '<span class="figure" id="count-introduced">1</span>' in reverse and "regressions" in reverse


@pytest.mark.parametrize("query", ["old=1&new=99", "old=abc&new=1", "old=1"])
def test_a_comparison_of_unknown_scans_says_so(tmp_path: Path, query: str) -> None:
    with dashboard(tmp_path) as running:
        stored_scan(running.store, assessment(TELNET))
        response = running.client().get(f"/compare?{query}")

    assert response.status_code in (200, 400)
    if "99" in query:
        assert response.status_code == 400 and "no finished scan" in response.text
    if "abc" in query:
        assert response.status_code == 400


def test_the_overview_counts_and_the_fleet_figures(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        stored_scan(running.store, assessment(TELNET), number=1)
        stored_scan(running.store, assessment(), number=2)
        failed = running.store.begin(ImageRef("/x/3.bin", "3" * 64, 1, {}), "0.1.0", None)
        running.store.fail(failed, "bad")
        page = running.client().get("/").text
        products = running.client().get("/products").text
        scans = running.client().get("/scans?status=done").text

    assert '<span class="figure" id="count-images">3</span>' in page
    assert '<span class="figure" id="count-done">2</span>' in page
    assert '<span class="figure" id="count-failed">1</span>' in page
    assert "1 of 2 images fail at least one PSTI requirement" in page
    assert "Acme" in products and "images of no known product" in products
    assert scans.count('class="scan-row"') == 2


def test_the_stylesheet_is_served_to_the_login_page_without_access(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        response = running.client(("203.0.113.9", 1), host="x.example").get("/static/dashboard.css")

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert "url(" not in response.text and "@import" not in response.text  # nothing external

"""Import (API page, gzipped feed, KEV), idempotence, the incremental update through a fake transport, status, VEX,
and the bundled snapshot on the sample image's components."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iotbaseline.vulndb import (
    DownloadError,
    MatchStatus,
    SourceKind,
    VulnDatabase,
    VulnDbError,
    apply_vex,
    find_vulnerabilities,
    import_file,
    load_bundled_snapshot,
    load_vex,
    status,
    update,
)
from iotbaseline.vulndb.download import KEV_URL, LAST_WINDOW_KEY

FIXTURES = Path(__file__).parents[1] / "fixtures" / "nvd"


@dataclass(frozen=True)
class Component:
    name: str
    version: str | None
    cpe: str | None = None


@pytest.fixture
def db(tmp_path: Path) -> VulnDatabase:
    return VulnDatabase.open(tmp_path / "vulndb.sqlite")


def test_api_page_feed_gz_and_kev_are_recognised_by_content(db: VulnDatabase) -> None:
    page = import_file(db, FIXTURES / "api-window1-page0.json")
    feed = import_file(db, FIXTURES / "nvdcve-2.0-sample.json.gz")
    kev = import_file(db, FIXTURES / "kev-sample.json")
    assert (page.kind, page.counts.added) == (SourceKind.NVD, 2)
    assert (feed.kind, feed.counts.added) == (SourceKind.NVD, 4)
    assert (kev.kind, kev.counts.added) == (SourceKind.KEV, 3)
    heartbleed = db.get_cve("CVE-2014-0160")
    assert heartbleed is not None and heartbleed.severity is not None
    assert heartbleed.severity.base_score == 7.5
    assert len(heartbleed.configurations[0].nodes[0].matches) == 11
    assert status(db).kev_catalog_version == "2026.11.19"


def test_importing_the_same_file_twice_changes_nothing(db: VulnDatabase) -> None:
    import_file(db, FIXTURES / "nvdcve-2.0-sample.json.gz")
    before = db.counts()
    again = import_file(db, FIXTURES / "nvdcve-2.0-sample.json.gz")
    assert (again.counts.added, again.counts.updated, again.counts.unchanged) == (0, 0, 4)
    assert db.counts() == before


def test_a_file_that_is_neither_nvd_nor_kev_is_refused(db: VulnDatabase, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"items": []}')
    with pytest.raises(VulnDbError, match="neither NVD"):
        import_file(db, other)


class FixtureTransport:
    """Serves NVD windows from fixture pages; can fail on a chosen request."""

    def __init__(self, window_pages: list[list[str]], fail_at: int | None = None) -> None:
        self.window_pages = window_pages
        self.fail_at = fail_at
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self._windows: list[str] = []

    def get(self, url: str, params: Mapping[str, str], headers: Mapping[str, str]) -> bytes:
        self.requests.append((url, dict(params), dict(headers)))
        if self.fail_at is not None and len(self.requests) == self.fail_at:
            raise DownloadError(f"{url}: HTTP 503 Service Unavailable")
        if url == KEV_URL:
            return (FIXTURES / "kev-sample.json").read_bytes()
        start = params["lastModStartDate"]
        if start not in self._windows:
            self._windows.append(start)
        pages = self.window_pages[self._windows.index(start)]
        return (FIXTURES / pages[int(params["startIndex"]) // 2]).read_bytes()


NOW = datetime(2026, 11, 20, tzinfo=UTC)
SINCE = NOW - timedelta(days=200)  # two windows: 120 days, then 80
WINDOWS = [["api-window1-page0.json", "api-window1-page1.json"], ["api-window2-page0.json"]]


def test_update_fetches_120_day_windows_page_by_page_with_the_api_key(db: VulnDatabase) -> None:
    transport = FixtureTransport(WINDOWS)
    result = update(db, transport=transport, api_key="k", now=NOW, since=SINCE, sleep=lambda _: None)
    nvd_requests = [r for r in transport.requests if r[0] != KEV_URL]
    assert [r[1]["startIndex"] for r in nvd_requests] == ["0", "2", "0"]
    assert nvd_requests[0][1]["lastModStartDate"] == "2026-05-04T00:00:00.000+00:00"
    assert nvd_requests[0][1]["lastModEndDate"] == "2026-09-01T00:00:00.000+00:00"
    assert all(r[2] == {"apiKey": "k"} for r in transport.requests)
    assert (result.windows, result.pages) == (2, 3)
    assert (result.cves.added, result.cves.updated) == (4, 1)  # window 2 brings a newer CVE-2022-28391
    newer = db.get_cve("CVE-2022-28391")
    assert newer is not None and newer.description.endswith("(reanalysed)")
    assert result.kev is not None and result.kev.added == 3
    assert db.get_meta(LAST_WINDOW_KEY) == NOW.isoformat()


def test_an_interrupted_update_resumes_at_the_window_it_had_not_finished(db: VulnDatabase) -> None:
    failing = FixtureTransport(WINDOWS, fail_at=3)  # the first page of window 2, and every retry after it
    with pytest.raises(DownloadError, match="resume"):
        update(db, transport=FlakyAfter(failing), now=NOW, since=SINCE, sleep=lambda _: None)
    assert db.get_meta(LAST_WINDOW_KEY) == (SINCE + timedelta(days=120)).isoformat()
    resumed = FixtureTransport([WINDOWS[1]])
    result = update(db, transport=resumed, now=NOW, sleep=lambda _: None)
    assert result.windows == 1
    assert resumed.requests[0][1]["lastModStartDate"] == "2026-09-01T00:00:00.000+00:00"
    assert db.counts()["cves"] == 4


class FlakyAfter:
    """Fails every request from the n-th on: the retries cannot save the window."""

    def __init__(self, inner: FixtureTransport) -> None:
        self.inner = inner

    def get(self, url: str, params: Mapping[str, str], headers: Mapping[str, str]) -> bytes:
        if self.inner.fail_at is not None and len(self.inner.requests) + 1 >= self.inner.fail_at:
            self.inner.requests.append((url, dict(params), dict(headers)))
            raise DownloadError(f"{url}: HTTP 503 Service Unavailable")
        return self.inner.get(url, params, headers)


def test_a_transient_failure_is_retried(db: VulnDatabase) -> None:
    transport = FixtureTransport(WINDOWS, fail_at=2)
    result = update(db, transport=transport, now=NOW, since=SINCE, sleep=lambda _: None, include_kev=False)
    assert result.windows == 2
    assert db.counts()["cves"] == 4


SAMPLE = [
    Component("busybox", "1.35.0"),
    Component("glibc", "2.36"),
    Component("dropbear", "2022.83", "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:2022.83:*:*:*:*:*:*:*"),
    Component("dnsmasq", "2.90", "cpe:2.3:a:thekelleys:dnsmasq:2.90:*:*:*:*:*:*:*"),
    Component("lighttpd", "1.4.69"),
    Component("linux", "4.14.180"),
]


def test_bundled_snapshot_finds_the_sample_images_real_cves_with_kev_and_severity(db: VulnDatabase) -> None:
    load_bundled_snapshot(db)
    found = {(m.component, m.cve_id): m for m in find_vulnerabilities(db, SAMPLE)}
    assert set(found) == {
        ("busybox", "CVE-2022-28391"),
        ("busybox", "CVE-2022-30065"),
        ("busybox", "CVE-2022-48174"),
        ("glibc", "CVE-2023-4911"),
        ("glibc", "CVE-2023-6246"),
        ("linux", "CVE-2021-22555"),
        ("linux", "CVE-2024-1086"),
    }
    kernel = found[("linux", "CVE-2024-1086")]
    assert kernel.kev is not None and kernel.kev.known_ransomware_campaign_use == "Known"
    assert kernel.status is MatchStatus.AFFECTED
    assert found[("linux", "CVE-2021-22555")].reasons[0].constraint.endswith("< 4.14.231 (versionEndExcluding)")
    assert found[("busybox", "CVE-2022-48174")].severity is not None
    assert status(db).nvd_source == "bundled snapshot"


def test_terrapin_follows_nvds_dropbear_bound_not_its_description(db: VulnDatabase) -> None:
    """NVD's description says "Dropbear through 2022.83" but its configuration says `versionEndExcluding 2022.83`:
    matching follows the configuration, so the sample's 2022.83 is not matched and 2022.82 is."""
    load_bundled_snapshot(db)
    dropbear_cpe = "cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:{}:*:*:*:*:*:*:*"
    assert find_vulnerabilities(db, [Component("dropbear", "2022.83", dropbear_cpe.format("2022.83"))]) == []
    [terrapin] = find_vulnerabilities(db, [Component("dropbear", "2022.82", dropbear_cpe.format("2022.82"))])
    assert terrapin.cve_id == "CVE-2023-48795"
    assert terrapin.reasons[0].criteria.startswith("cpe:2.3:a:dropbear_ssh_project:dropbear_ssh")


def test_heartbleed_range_1_0_1_to_before_1_0_1g_hits_1_0_1f_only(db: VulnDatabase) -> None:
    """NVD's real bound is a letter release (`versionEndExcluding 1.0.1g`): 1.0.1g and 1.0.2 are outside it."""
    load_bundled_snapshot(db)
    assert find_vulnerabilities(db, [Component("openssl", "1.0.2")]) == []
    assert find_vulnerabilities(db, [Component("openssl", "1.0.1g")]) == []
    [hit] = find_vulnerabilities(db, [Component("openssl", "1.0.1f")])
    assert hit.cve_id == "CVE-2014-0160" and hit.known_exploited


def test_vex_yaml_marks_a_match_not_affected_and_keeps_it(db: VulnDatabase, tmp_path: Path) -> None:
    load_bundled_snapshot(db)
    vex = tmp_path / "vex.yaml"
    vex.write_text("- cve: CVE-2023-4911\n  component: glibc\n  justification: Debian 2.36-9+deb12u3 carries the fix\n")
    matches = find_vulnerabilities(db, SAMPLE, load_vex(vex))
    glibc = next(m for m in matches if m.cve_id == "CVE-2023-4911")
    assert glibc.not_affected is not None
    assert glibc.not_affected.justification == "Debian 2.36-9+deb12u3 carries the fix"
    assert all(m.not_affected is None for m in matches if m.cve_id != "CVE-2023-4911")


def test_cyclonedx_vex_not_affected_with_purl_applies_only_to_that_component(db: VulnDatabase, tmp_path: Path) -> None:
    load_bundled_snapshot(db)
    vex = tmp_path / "vex.cdx.json"
    vex.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "vulnerabilities": ['
        '{"id": "CVE-2022-28391", "analysis": {"state": "not_affected", "justification": "code_not_present",'
        ' "detail": "netstat applet not built"}, "affects": [{"ref": "pkg:generic/busybox@1.35.0"}]},'
        '{"id": "CVE-2022-30065", "analysis": {"state": "in_triage"}}]}'
    )
    statements = load_vex(vex)
    assert len(statements) == 1
    marked = apply_vex(find_vulnerabilities(db, SAMPLE), statements)
    netstat = next(m for m in marked if m.cve_id == "CVE-2022-28391")
    assert netstat.not_affected is not None and netstat.not_affected.justification == "code_not_present"
    assert next(m for m in marked if m.cve_id == "CVE-2022-30065").not_affected is None


def test_status_reports_counts_and_age(db: VulnDatabase) -> None:
    update(db, transport=FixtureTransport(WINDOWS), now=NOW, since=SINCE, sleep=lambda _: None)
    current = status(db)
    assert (current.cves, current.kev) == (4, 3)
    assert current.age(NOW + timedelta(days=2)) == pytest.approx(2.0)

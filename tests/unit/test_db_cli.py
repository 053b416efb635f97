"""`iotbaseline db`: import of the fixture files, update from a real HTTP server on 127.0.0.1 serving the NVD API
and KEV fixtures, resume after a failure and after Ctrl-C, and one-line errors for corrupt files and bad paths."""

import gzip
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from iotbaseline.db_cli import db
from iotbaseline.vulndb import VulnDatabase, load_bundled_snapshot
from iotbaseline.vulndb.download import UrllibTransport

FIXTURES = Path(__file__).parents[1] / "fixtures" / "nvd"
SINCE = date.today() - timedelta(days=200)  # two windows up to now: 120 days, then 80 and a bit
WINDOW_1 = f"{SINCE:%Y-%m-%d}T00:00:00.000+00:00"
WINDOW_2 = f"{SINCE + timedelta(days=120):%Y-%m-%d}T00:00:00.000+00:00"
PAGES = {WINDOW_1: ["api-window1-page0.json", "api-window1-page1.json"], WINDOW_2: ["api-window2-page0.json"]}
PAGE_SIZE = 2  # the fixture pages' resultsPerPage


class FixtureServer:
    """NVD's API at /nvd (the page chosen by lastModStartDate and startIndex) and the KEV catalogue at /kev.json.

    Anything the updater should not ask for is answered 400, so a wrong query fails the test."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.failing: set[str] = set()  # windows answered 503
        self.garbage: set[str] = set()  # windows answered with a body that is not JSON
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fixture = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                params = dict(urllib.parse.parse_qsl(url.query))
                fixture.requests.append({"path": url.path, "apiKey": self.headers.get("apiKey", ""), **params})
                status, body = fixture.answer(url.path, params)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def answer(self, path: str, params: Mapping[str, str]) -> tuple[int, bytes]:
        if path == "/kev.json":
            return 200, (FIXTURES / "kev-sample.json").read_bytes()
        start = params.get("lastModStartDate", "")
        if path != "/nvd" or start not in PAGES or params.get("resultsPerPage") != "2000":
            return 400, b"unexpected request"
        if start in self.failing:
            return 503, b""
        if start in self.garbage:
            return 200, b"\x1b[2J<html>\nmaintenance</html>"  # a terminal escape: must not reach the user
        page = int(params["startIndex"]) // PAGE_SIZE
        return 200, (FIXTURES / PAGES[start][page]).read_bytes()

    def nvd_starts(self) -> list[str]:
        return [r["lastModStartDate"] for r in self.requests if r["path"] == "/nvd"]

    def __enter__(self) -> "FixtureServer":
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        yield running


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "vulndb.sqlite"


def invoke(*args: str | Path) -> Result:
    runner = CliRunner(env={"NVD_API_KEY": None, "no_proxy": "127.0.0.1"})
    return runner.invoke(db, [str(a) for a in args], catch_exceptions=False)  # a traceback fails the test


def update(server: FixtureServer, db_file: Path, *extra: str) -> Result:
    urls = ("--nvd-url", f"{server.base}/nvd", "--kev-url", f"{server.base}/kev.json", "--rate-period", "0")
    return invoke("update", "--db", db_file, *urls, *extra)


def db_status(db_file: Path) -> dict[str, Any]:
    result = invoke("status", "--db", db_file, "--json")
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()  # progress lines come first
    assert lines[-1].startswith("error: ") and sum(line.startswith("error: ") for line in lines) == 1, result.stderr
    assert "Traceback" not in result.output and "\x1b" not in result.stderr
    return lines[-1]


def test_import_names_each_files_kind_and_counts_and_status_shows_them(db_file: Path) -> None:
    files = [FIXTURES / name for name in ("api-window1-page0.json", "nvdcve-2.0-sample.json.gz", "kev-sample.json")]
    result = invoke("import", *files, "--db", db_file)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{files[0]}: NVD CVEs 2 added, 0 updated"
    assert lines[1] == f"{files[1]}: NVD CVEs 4 added, 0 updated"
    assert lines[2] == f"{files[2]}: KEV catalogue 2026.11.19, 3 entries added, 0 updated"
    state = db_status(db_file)
    assert (state["cves"], state["kev"], state["kev_catalog_version"]) == (6, 3, "2026.11.19")
    assert state["nvd_source"] == str(files[1])
    # Data is as current as the newest file's own timestamp, not as the moment it was imported.
    assert state["nvd_data_as_of"] == max(
        json.loads((FIXTURES / "api-window1-page0.json").read_text())["timestamp"], "2026-11-20T00:00:00.000"
    )


def test_importing_the_same_feed_again_reports_it_unchanged(db_file: Path) -> None:
    feed = FIXTURES / "nvdcve-2.0-sample.json.gz"
    invoke("import", feed, "--db", db_file)
    again = invoke("import", feed, "--db", db_file)
    assert f"{feed}: NVD CVEs 0 added, 0 updated, 4 unchanged" in again.stdout


def test_a_corrupt_file_is_one_line_and_exit_2_and_the_other_files_are_kept(db_file: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "nvdcve-2.0-2024.json.gz"
    whole = (FIXTURES / "nvdcve-2.0-sample.json.gz").read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    result = invoke(
        "import", FIXTURES / "kev-sample.json", truncated, FIXTURES / "api-window2-page0.json", "--db", db_file
    )
    line = one_error_line(result)
    assert str(truncated) in line and "cannot be read" in line
    assert "KEV catalogue 2026.11.19" in result.stdout and "api-window2-page0.json: NVD CVEs 2 added" in result.stdout
    state = db_status(db_file)
    assert (state["kev"], state["cves"]) == (3, 2)


def test_a_json_file_that_is_neither_nvd_nor_kev_is_refused(db_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "sbom.json"
    other.write_text(json.dumps({"bomFormat": "CycloneDX", "components": []}))
    assert "neither NVD CVE JSON 2.0 nor a CISA KEV catalogue" in one_error_line(
        invoke("import", other, "--db", db_file)
    )


def test_update_fetches_both_windows_page_by_page_then_kev(server: FixtureServer, db_file: Path) -> None:
    result = update(server, db_file, "--since", f"{SINCE:%Y-%m-%d}", "--api-key", "k")
    assert result.exit_code == 0, result.output
    assert "NVD: 2 windows, 3 pages; CVEs 4 added, 1 updated" in result.stdout
    assert "KEV: catalogue 2026.11.19, 3 entries added, 0 updated" in result.stdout
    assert "NVD window 1/2" in result.stderr and "3/3 CVEs" in result.stderr
    nvd = [r for r in server.requests if r["path"] == "/nvd"]
    assert [(r["lastModStartDate"], r["startIndex"]) for r in nvd] == [
        (WINDOW_1, "0"),
        (WINDOW_1, "2"),
        (WINDOW_2, "0"),
    ]
    assert nvd[0]["lastModEndDate"] == WINDOW_2
    assert {r["apiKey"] for r in server.requests} == {"k"}
    state = db_status(db_file)
    assert (state["cves"], state["kev"], state["warnings"]) == (4, 3, [])
    assert state["nvd_source"] == f"{server.base}/nvd"
    completed = datetime.fromisoformat(state["nvd_completed_until"])
    assert datetime.now(UTC) - completed < timedelta(minutes=1)


def test_a_server_failure_mid_way_keeps_window_1_and_a_rerun_resumes_at_window_2(
    server: FixtureServer, db_file: Path
) -> None:
    server.failing.add(WINDOW_2)
    failed = update(server, db_file, "--since", f"{SINCE:%Y-%m-%d}")
    line = one_error_line(failed)
    assert "HTTP 503" in line and "resume" in line and WINDOW_2 in line
    assert server.nvd_starts().count(WINDOW_2) == 4  # the first try and three retries
    state = db_status(db_file)
    assert (state["cves"], state["kev"], state["nvd_completed_until"][:10]) == (3, 0, WINDOW_2[:10])
    assert any("stopped part-way" in w for w in state["warnings"])

    server.failing.clear()
    server.requests.clear()
    resumed = update(server, db_file)
    assert resumed.exit_code == 0, resumed.output
    assert "continuing from" in resumed.stderr
    assert server.nvd_starts() == [WINDOW_2]
    assert "NVD: 1 windows, 1 pages; CVEs 1 added, 1 updated" in resumed.stdout
    state = db_status(db_file)
    assert (state["cves"], state["kev"], state["warnings"]) == (4, 3, [])


def test_a_page_that_is_not_json_stops_the_update_with_where_to_resume(server: FixtureServer, db_file: Path) -> None:
    server.garbage.add(WINDOW_2)
    line = one_error_line(update(server, db_file, "--since", f"{SINCE:%Y-%m-%d}"))
    assert "not valid JSON" in line and f"completed up to {WINDOW_2[:10]}" in line and "again to resume" in line
    assert db_status(db_file)["cves"] == 3


def test_ctrl_c_leaves_a_consistent_database_and_says_how_to_continue(
    server: FixtureServer, db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_get = UrllibTransport.get

    def interrupted_in_window_2(self: UrllibTransport, url: str, params: Mapping[str, str], headers: Any) -> bytes:
        if params.get("lastModStartDate") == WINDOW_2:
            raise KeyboardInterrupt
        return real_get(self, url, params, headers)

    monkeypatch.setattr(UrllibTransport, "get", interrupted_in_window_2)
    result = update(server, db_file, "--since", f"{SINCE:%Y-%m-%d}")
    assert result.exit_code == 130
    assert f"interrupted: NVD data is complete up to {WINDOW_2[:10]}" in result.stderr
    assert "again to continue" in result.stderr
    monkeypatch.undo()
    assert db_status(db_file)["cves"] == 3
    assert update(server, db_file).exit_code == 0
    assert db_status(db_file)["cves"] == 4


def test_a_kev_failure_after_nvd_keeps_the_nvd_data_and_status_warns(server: FixtureServer, db_file: Path) -> None:
    urls = ("--nvd-url", f"{server.base}/nvd", "--kev-url", f"{server.base}/missing.json", "--rate-period", "0")
    result = invoke("update", "--db", db_file, *urls, "--since", f"{SINCE:%Y-%m-%d}")
    assert "HTTP 400" in one_error_line(result)
    assert "NVD: 2 windows" in result.stdout
    state = db_status(db_file)
    assert (state["cves"], state["kev"]) == (4, 0)
    assert any("no CISA KEV catalogue" in w for w in state["warnings"])


def test_an_unreachable_server_is_one_line_and_exit_2(db_file: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = invoke(
        "update", "--db", db_file, "--nvd-url", f"http://127.0.0.1:{port}/nvd", "--no-kev", "--rate-period", "0"
    )
    line = one_error_line(result)
    assert f"127.0.0.1:{port}/nvd" in line and "refused" in line
    assert db_status(db_file)["cves"] == 0


def test_kev_only_update_does_not_touch_nvd(server: FixtureServer, db_file: Path) -> None:
    result = update(server, db_file, "--no-nvd")
    assert result.exit_code == 0, result.output
    assert [r["path"] for r in server.requests] == ["/kev.json"]
    assert db_status(db_file)["kev"] == 3


def test_unusable_database_paths_are_one_line_and_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    assert "cannot create the folder" in one_error_line(
        invoke("import", FIXTURES / "kev-sample.json", "--db", blocker / "db.sqlite")
    )
    not_sqlite = tmp_path / "vulndb.sqlite"
    not_sqlite.write_bytes(gzip.compress(b"not a database" * 100))
    assert "cannot open the vulnerability database" in one_error_line(invoke("status", "--db", not_sqlite))


def test_status_of_a_missing_database_warns_and_creates_nothing(db_file: Path) -> None:
    state = db_status(db_file)
    assert (state["cves"], state["kev"], state["age_days"]) == (0, 0, None)
    assert any("holds no NVD data" in w for w in state["warnings"])
    text = invoke("status", "--db", db_file)
    assert "warning: the vulnerability database holds no NVD data" in text.stdout
    assert not db_file.exists()


def test_status_warns_when_only_the_bundled_snapshot_is_there(db_file: Path) -> None:
    db_file.parent.mkdir()
    load_bundled_snapshot(VulnDatabase.open(db_file))
    state = db_status(db_file)
    assert state["cves"] > 0 and state["nvd_source"] == "bundled snapshot"
    assert any("only the bundled snapshot" in w for w in state["warnings"])


def test_status_warns_when_nvd_data_is_older_than_seven_days(db_file: Path) -> None:
    invoke("import", FIXTURES / "nvdcve-2.0-sample.json.gz", FIXTURES / "kev-sample.json", "--db", db_file)
    VulnDatabase.open(db_file).set_meta({"nvd.timestamp": datetime.now(UTC).isoformat()})
    fresh = db_status(db_file)
    assert fresh["warnings"] == []
    ten_days_ago = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    VulnDatabase.open(db_file).set_meta({"nvd.timestamp": ten_days_ago})
    state = db_status(db_file)
    assert 9.9 < state["age_days"] < 10.1
    assert any("10 days old, more than 7 days" in w for w in state["warnings"])
    text = invoke("status", "--db", db_file).stdout
    assert "10.0 days ago" in text and "warning: the NVD data is 10 days old" in text

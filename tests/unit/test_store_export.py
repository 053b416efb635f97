"""Export of the store as CSV and JSON: every table, each image's latest finished scan or every scan, and
firmware text that a spreadsheet would run as a formula neutralised."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.results_cli import results
from iotbaseline.store.export import Format, Table, csv_cell, export
from iotbaseline.store.sql_store import SqlResultStore
from tests.unit.store_data import SHARED_KEY, assessment, component, cve_match, image, key_finding

FORMULA = '=HYPERLINK("http://evil.example/","open")'


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlResultStore]:
    with SqlResultStore.open(str(tmp_path / "r.sqlite")) as opened:
        hostile = Finding("firmware.credentials.hardcoded", Outcome.FAIL, ("PSTI:1",), Severity.HIGH, FORMULA,
                          Location(image="i", path="-cmd|' /C calc'!A0"), evidence={"excerpt": "@SUM(1)"})  # fmt: skip
        old = opened.begin(image(1, "Vistacam", "VC-200"), "0.9.0", None)
        opened.finish(old, assessment("image-1.bin", (key_finding("image-1.bin", SHARED_KEY),)), {}, {})
        new = opened.begin(image(1, "Vistacam", "VC-200"), "0.9.1", None)
        opened.finish(
            new,
            assessment("image-1.bin", (hostile,), failing=("1",)),
            {"image-1.bin": [component("dnsmasq", "2.76")]},
            {"image-1.bin": [cve_match("dnsmasq", "2.76", "CVE-2017-14491")]},
        )
        opened.fail(opened.begin(image(2), "0.9.1", None), "=cmd")
        yield opened


def rows(store: SqlResultStore, table: Table, latest_only: bool = True) -> list[dict[str, str]]:
    out = io.StringIO()
    count = export(store.engine, table, Format.CSV, out, latest_only)
    found = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(found) == count
    return found


def test_findings_of_the_latest_scan_with_formulas_neutralised(store: SqlResultStore) -> None:
    [row] = rows(store, Table.FINDINGS)

    assert (row["scan"], row["vendor"], row["check"], row["outcome"]) == (
        "2",
        "Vistacam",
        "firmware.credentials.hardcoded",
        "fail",
    )
    assert row["title"] == "'" + FORMULA and row["path"] == "'-cmd|' /C calc'!A0"
    assert json.loads(row["provisions"]) == ["PSTI:1"] and json.loads(row["evidence"]) == {"excerpt": "@SUM(1)"}


def test_every_scan_on_request_and_every_table(store: SqlResultStore) -> None:
    assert [r["scan"] for r in rows(store, Table.FINDINGS, latest_only=False)] == ["1", "2"]
    assert [(r["scan"], r["status"], r["error"]) for r in rows(store, Table.SCANS, latest_only=False)] == [
        ("1", "done", ""), ("2", "done", ""), ("3", "failed", "'=cmd"),
    ]  # fmt: skip
    assert [r["scan"] for r in rows(store, Table.SCANS)] == ["2"]
    assert [(r["provision"], r["verdict"]) for r in rows(store, Table.VERDICTS)] == [
        ("1", "FAIL"), ("2", "INCONCLUSIVE"), ("3", "INCONCLUSIVE"), ("5.1-1", "PASS"),
    ]  # fmt: skip
    assert [(r["check"], r["version"]) for r in rows(store, Table.CHECKS)] == [("firmware.secrets.private-keys", "2")]
    assert [(r["name"], r["version"]) for r in rows(store, Table.COMPONENTS)] == [("dnsmasq", "2.76")]
    assert [(r["cve"], r["kev"]) for r in rows(store, Table.VULNERABILITIES)] == [("CVE-2017-14491", "false")]


def test_json_export_keeps_lists_and_objects(store: SqlResultStore) -> None:
    out = io.StringIO()
    assert export(store.engine, Table.FINDINGS, Format.JSON, out) == 1
    [row] = json.loads(out.getvalue())
    assert row["title"] == FORMULA and row["provisions"] == ["PSTI:1"] and row["evidence"] == {"excerpt": "@SUM(1)"}
    nothing = io.StringIO()
    assert export(store.engine, Table.FINDINGS, Format.JSON, nothing, latest_only=False) == 2


@pytest.mark.parametrize(
    ("value", "cell"),
    [(None, ""), (True, "true"), (3, 3), (-3, -3), (0.5, 0.5), ("+1", "'+1"), ("a=b", "a=b"), (["x"], '["x"]')],
)
def test_csv_cells(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def test_the_cli_writes_an_export_file(store: SqlResultStore, tmp_path: Path) -> None:
    target = tmp_path / "verdicts.json"
    done = CliRunner().invoke(
        results, ["--db", store.location, "export", "--table", "verdicts", "--format", "json", "-o", str(target)]
    )
    assert done.exit_code == 0, done.output
    assert len(json.loads(target.read_text())) == 4 and "4 verdicts rows written" in done.stderr
    failed = CliRunner().invoke(
        results, ["--db", store.location, "export", "--format", "csv", "-o", str(tmp_path / "no" / "such" / "x.csv")]
    )
    assert failed.exit_code == 2 and "cannot write" in failed.stderr

"""`iotbaseline diff` on reports and stored scans: what it accepts, where components come from, the exit codes of
`--fail-on-new`, and one-line errors for unusable input."""

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from iotbaseline import diff_cli
from iotbaseline.components.model import Component
from iotbaseline.diff.sources import SourceKind, classify, load_report, load_stored
from iotbaseline.errors import EXIT_USAGE_ERROR, InputError
from iotbaseline.model import Assessment, CheckRun, Finding, Input, Location, Outcome, Severity, Verdict, VerdictValue
from iotbaseline.store.interface import ImageRef, ResultStore, ScanStatus, StoredScan
from iotbaseline.vulndb.match import VulnerabilityMatch

INVENTORY = "firmware.components.inventory"
NETWORK = "firmware.services.network"


def inventory(image: str, components: Sequence[tuple[str, str | None]]) -> Finding:
    listed = [
        {"name": n, "version": v, "purl": f"pkg:generic/{n}", "cpe": None, "confidence": 0.8} for n, v in components
    ]
    return Finding(
        check=INVENTORY,
        outcome=Outcome.INFO,
        provisions=(),
        severity=Severity.INFO,
        title="Software component inventory",
        location=Location(image=image),
        evidence={"count": len(listed), "components": listed},
        discriminator="inventory",
    )


def telnet(image: str) -> Finding:
    return Finding(
        check=NETWORK,
        outcome=Outcome.FAIL,
        provisions=("EN303645:5.5-4",),
        severity=Severity.HIGH,
        title="Network shell without authentication started at boot",
        location=Location(image=image, path="/etc/init.d/rcS", line=21),
        discriminator="network-shell:telnetd",
    )


def release(image: str, *, telnet_on: bool, openwrt: str) -> Assessment:
    findings = [inventory(image, [("openwrt", openwrt), ("busybox", "1.35.0")])]
    if telnet_on:
        findings.append(telnet(image))
    value = VerdictValue.FAIL if telnet_on else VerdictValue.INCONCLUSIVE
    return Assessment(
        tool_version="1.0",
        created="2026-11-26T10:00:00+00:00",
        product={"model": "LR-1200"},
        inputs=(Input("firmware", f"/fw/{image}", "ab" * 32, 1000),),
        findings=tuple(findings),
        verdicts=(Verdict("EN303645", "5.5-4", value, "telnet"),),
        checks=(CheckRun(INVENTORY, "1", (), "ran"), CheckRun(NETWORK, "1", (), "ran")),
    )


OLD = release("router-1.0.trx", telnet_on=True, openwrt="19.07.7")
NEW = release("router-1.1.trx", telnet_on=False, openwrt="19.07.10")


def write_report(folder: Path, assessment: Assessment) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "report.json"
    path.write_text(json.dumps(assessment.to_dict()))
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(diff_cli.diff, list(args))


class MemoryStore:
    """The results store's contract, kept in a dict: what `diff scan:ID` reads."""

    def __init__(self) -> None:
        self.records: dict[int, StoredScan] = {}
        self.assessments: dict[int, Assessment] = {}
        self.kept: dict[int, Mapping[str, Sequence[Component]]] = {}

    def begin(self, image: ImageRef, tool_version: str, output: str | None) -> int:
        scan_id = len(self.records) + 1
        self.records[scan_id] = StoredScan(
            scan_id, image.sha256, image.path, ScanStatus.RUNNING, "2026-11-26T10:00:00+00:00", None, tool_version,
            output, None,
        )  # fmt: skip
        return scan_id

    def finish(
        self,
        scan_id: int,
        assessment: Assessment,
        components: Mapping[str, Sequence[Component]],
        vulnerabilities: Mapping[str, Sequence[VulnerabilityMatch]],
    ) -> None:
        record = self.records[scan_id]
        self.records[scan_id] = StoredScan(
            record.id, record.image_sha256, record.image_path, ScanStatus.DONE, record.started, assessment.created,
            record.tool_version, record.output, None,
        )  # fmt: skip
        self.assessments[scan_id] = assessment
        self.kept[scan_id] = components

    def fail(self, scan_id: int, reason: str) -> None:
        record = self.records[scan_id]
        self.records[scan_id] = StoredScan(
            record.id, record.image_sha256, record.image_path, ScanStatus.FAILED, record.started, None,
            record.tool_version, record.output, reason,
        )  # fmt: skip

    def latest(self, sha256: str) -> StoredScan | None:
        matching = [r for r in self.records.values() if r.image_sha256 == sha256]
        return matching[-1] if matching else None

    def assessment(self, scan_id: int) -> Assessment | None:
        return self.assessments.get(scan_id)

    def scans(self, limit: int = 100, offset: int = 0) -> Sequence[StoredScan]:
        return list(self.records.values())[offset : offset + limit]

    def components(self, scan_id: int) -> Mapping[str, Sequence[Component]]:
        """Beyond the contract, as the SQL store offers it."""
        return self.kept.get(scan_id, {})


def stored(store: ResultStore, assessment: Assessment, components: Sequence[Component] = ()) -> int:
    scan_id = store.begin(ImageRef(assessment.inputs[0].path, "ab" * 32, 1000, {}), "1.0", None)
    store.finish(scan_id, assessment, {"fw": list(components)} if components else {}, {})
    return scan_id


def component(name: str, version: str) -> Component:
    return Component(name, name, version, "application", f"pkg:generic/{name}@{version}", None, 0.8)


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    memory = MemoryStore()
    opened: list[str] = []

    def open_store(url: str) -> ResultStore:
        opened.append(url)
        return memory

    monkeypatch.setattr(diff_cli, "open_store", open_store)
    return memory


# --- what OLD and NEW may be


def test_arguments_are_classified_as_stored_scans_report_folders_reports_and_images(tmp_path: Path) -> None:
    write_report(tmp_path / "out", OLD)
    image = tmp_path / "fw.bin"
    image.write_bytes(b"\x00" * 16)

    assert classify("scan:12").scan_id == 12
    assert classify(str(tmp_path / "out")).path == tmp_path / "out" / "report.json"
    assert classify(str(tmp_path / "out" / "report.json")).kind is SourceKind.REPORT
    assert classify(str(image)).kind is SourceKind.IMAGE
    for bad in ("scan:", "scan:0", "scan:-3", "scan:x1", "scan:١٢", str(tmp_path / "missing.bin"), str(tmp_path)):
        with pytest.raises(InputError):
            classify(bad)


def test_a_report_folder_takes_its_components_from_the_sbom_beside_it_else_from_the_inventory(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    report = write_report(folder, OLD)

    from_inventory = load_report(classify(str(report)))
    assert from_inventory.components_from == "inventory finding"
    assert {(c.name, c.version) for c in from_inventory.components} == {("openwrt", "19.07.7"), ("busybox", "1.35.0")}

    sbom = {
        "bomFormat": "CycloneDX",
        "metadata": {"component": {"name": "router-1.0.trx"}},
        "components": [
            {"name": "openwrt", "version": "19.07.7", "properties": [{"name": "iotbaseline:key", "value": "openwrt"}]},
            {"name": "dnsmasq", "version": "2.90"},
            {"version": "no name"},
            "not a component",
        ],
    }
    (folder / "sbom.cdx.json").write_text(json.dumps(sbom))
    from_sbom = load_report(classify(str(folder)))
    assert from_sbom.components_from == "sbom"
    assert [(c.name, c.version, c.key) for c in from_sbom.components] == [
        ("openwrt", "19.07.7", "openwrt"),
        ("dnsmasq", "2.90", None),
    ]


def test_a_stored_scan_is_read_through_the_store_contract(store: MemoryStore) -> None:
    scan_id = stored(store, OLD)

    loaded = load_stored(classify(f"scan:{scan_id}"), store)
    assert loaded.assessment == OLD
    assert loaded.label == f"scan:{scan_id}"
    assert loaded.components_from == "inventory finding"  # the store kept no components for it
    with pytest.raises(InputError, match="no finished scan"):
        load_stored(classify("scan:99"), store)


def test_a_stored_scan_takes_its_components_from_the_store_when_it_kept_them(store: MemoryStore) -> None:
    scan_id = stored(store, OLD, [component("openwrt", "19.07.8"), component("dnsmasq", "2.90")])

    loaded = load_stored(classify(f"scan:{scan_id}"), store)

    assert loaded.components_from == "store"
    assert [(c.name, c.version, c.key) for c in loaded.components] == [
        ("openwrt", "19.07.8", "openwrt"),
        ("dnsmasq", "2.90", "dnsmasq"),
    ]


# --- the command


def test_two_reports_show_the_fix_upgrade_and_verdict_and_the_gate_passes(tmp_path: Path) -> None:
    old, new = write_report(tmp_path / "a", OLD), write_report(tmp_path / "b", NEW)

    result = run(str(old), str(new), "--json", "--fail-on-new")

    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [f["title"] for f in document["fixed"]] == ["Network shell without authentication started at boot"]
    assert document["introduced"] == []
    assert [f["check"] for f in document["unchanged"]] == [INVENTORY]
    assert document["components"]["changed"] == [
        {"name": "openwrt", "key": None, "old_version": "19.07.7", "new_version": "19.07.10", "change": "upgraded"}
    ]
    assert [(v["provision"], v["old"], v["new"]) for v in document["verdicts"]] == [("5.5-4", "FAIL", "INCONCLUSIVE")]
    assert document["regressions"] == []


def test_the_other_way_round_the_gate_stops_the_release_with_exit_1(tmp_path: Path) -> None:
    old, new = write_report(tmp_path / "a", OLD), write_report(tmp_path / "b", NEW)

    gated = run(str(new), str(old), "--fail-on-new")
    ungated = run(str(new), str(old))

    assert gated.exit_code == 1
    assert "Introduced (1)" in gated.output and "new FAIL finding: Network shell" in gated.output
    assert ungated.exit_code == 0


def test_stored_scans_are_compared_with_db(store: MemoryStore, tmp_path: Path) -> None:
    old_id, new_id = stored(store, OLD), stored(store, NEW)

    result = run(f"scan:{old_id}", f"scan:{new_id}", "--db", "sqlite:///unused.db", "--json", "-o", str(tmp_path))

    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["old"]["label"] == "scan:1" and document["old"]["components_from"] == "inventory finding"
    assert len(document["fixed"]) == 1
    assert json.loads((tmp_path / "diff.json").read_text()) == document
    assert "Fixed (1)" in (tmp_path / "diff.md").read_text()


def test_a_stored_scan_without_db_or_unknown_is_a_one_line_error(store: MemoryStore, tmp_path: Path) -> None:
    report = write_report(tmp_path / "a", OLD)

    without_db = run("scan:1", str(report))
    unknown = run("scan:7", str(report), "--db", "sqlite:///x.db")

    assert without_db.exit_code == unknown.exit_code == EXIT_USAGE_ERROR
    assert "needs --db" in without_db.output
    assert "scan:7: no finished scan" in unknown.output


@pytest.mark.parametrize(
    "content",
    [b"not json", b"[1, 2]", b'{"tool": {"version": "1"}}', b'{"tool": {}, "created": "x", "inputs": 5}', b"\xff\xfe"],
)
def test_a_report_that_is_not_one_is_a_one_line_error(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "report.json"
    bad.write_bytes(content)
    good = write_report(tmp_path / "good", OLD)

    result = run(str(bad), str(good))

    assert result.exit_code == EXIT_USAGE_ERROR
    assert "Traceback" not in result.output and "error:" in result.output


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("discriminator", 12),
        ("title", ["x"]),
        ("location", {"image": 5}),
        ("location", {"path": "/etc/shadow", "line": "3"}),
        ("location", {"offset": True}),
        ("evidence", [1]),
    ],
)
def test_a_report_with_a_field_of_the_wrong_type_is_a_one_line_error(tmp_path: Path, field: str, value: object) -> None:
    document = OLD.to_dict()
    document["findings"][1][field] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    good = write_report(tmp_path / "good", NEW)

    result = run(str(good), str(bad), "--json")

    assert result.exit_code == EXIT_USAGE_ERROR
    assert "bad.json: finding 2 is malformed" in result.output


def test_a_hostile_inventory_and_sbom_are_skipped_not_fatal(tmp_path: Path) -> None:
    hostile = Finding(
        check=INVENTORY,
        outcome=Outcome.INFO,
        provisions=(),
        severity=Severity.INFO,
        title="inventory",
        evidence={
            "components": [None, 3, {"name": 5}, {"name": "ok", "version": ["1"]}, {"name": "x", "version": "2"}]
        },
        discriminator="inventory",
    )
    broken = Assessment("1", "now", {}, (), (hostile,), ())
    folder = tmp_path / "a"
    write_report(folder, broken)
    (tmp_path / "b").mkdir()
    write_report(tmp_path / "b", NEW)
    (tmp_path / "b" / "sbom.cdx.json").write_text('{"components": {"name": "not a list"}}')

    result = run(str(folder), str(tmp_path / "b"), "--json")

    assert result.exit_code == 0, result.output
    components = json.loads(result.output)["components"]
    assert {(c["name"], c["version"]) for c in components["removed"]} == {("ok", None), ("x", "2")}
    # The new side's SBOM has no component list: its inventory finding stands in.
    assert {(c["name"], c["version"]) for c in components["added"]} == {("openwrt", "19.07.10"), ("busybox", "1.35.0")}


def test_json_and_markdown_together_are_refused(tmp_path: Path) -> None:
    report = write_report(tmp_path / "a", OLD)

    result = run(str(report), str(report), "--json", "--markdown")

    assert result.exit_code == EXIT_USAGE_ERROR


def test_markdown_output_is_the_pull_request_comment(tmp_path: Path) -> None:
    old, new = write_report(tmp_path / "a", OLD), write_report(tmp_path / "b", NEW)

    result = run(str(old), str(new), "--markdown")

    assert result.exit_code == 0
    assert result.output.startswith("## iotbaseline diff:")
    assert "| FAIL | Network shell without authentication started at boot |" in result.output

"""`iotbaseline diff` on two releases of one corpus router: the second comments out the factory telnet shell
(`telnetd -l /bin/sh`) and moves to a newer OpenWrt point release. The diff must show that plant's finding
fixed, nothing introduced, every other finding matched across the two image names, the upgrade, the verdicts
that changed, and `--fail-on-new` must pass the fix and stop its reversal."""

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from iotbaseline.diff.schema import diff_schema
from iotbaseline.report.json_report import report_schema
from tests.corpus import build_image, ground_truth
from tests.corpus.recipes import BY_NAME, ROUTER_FIRST_RELEASE

pytestmark = pytest.mark.e2e

NEXT_RELEASE = f"{ROUTER_FIRST_RELEASE}-v2"
TELNET_PROVISION = ("EN303645", "5.5-4")  # a network shell without a password (ARCHITECTURE.md, decisions)


def run_diff(*args: str) -> subprocess.CompletedProcess[str]:
    command = "from iotbaseline.diff_cli import diff; diff(prog_name='iotbaseline diff')"
    return subprocess.run(
        [sys.executable, "-c", command, *args], capture_output=True, text=True, timeout=600, check=False
    )


@dataclass(frozen=True)
class Compared:
    folder: Path
    document: dict[str, Any]
    returncode: int

    def report(self, side: str) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.folder / side / "report.json").read_text())
        return loaded


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Compared:
    """Both images scanned by `diff` itself (the two scans are kept in old/ and new/)."""
    folder = tmp_path_factory.mktemp("diff")
    old, new = build_image(ROUTER_FIRST_RELEASE), build_image(NEXT_RELEASE)
    done = run_diff(str(old), str(new), "-o", str(folder), "--offline", "--json", "--fail-on-new")
    assert done.returncode in (0, 1), done.stderr
    return Compared(folder, json.loads(done.stdout), done.returncode)


def plants(name: str, kind: str | None = None) -> list[dict[str, Any]]:
    return [p for p in ground_truth(name)["plants"] if kind is None or p["kind"] == kind]


def test_the_two_releases_differ_in_the_telnet_plant_alone() -> None:
    before = {(p["kind"], p["path"]) for p in plants(ROUTER_FIRST_RELEASE)}
    after = {(p["kind"], p["path"]) for p in plants(NEXT_RELEASE)}

    assert before - after == {("telnet-enabled", "etc/init.d/rcS")}
    assert after <= before
    assert BY_NAME[NEXT_RELEASE].release_of == ROUTER_FIRST_RELEASE


def test_the_next_release_changes_only_the_boot_script_and_the_version_files() -> None:
    """Same packages, same per-product secrets (root hash, Wi-Fi key): only what a release bumps differs."""
    first, second = ground_truth(ROUTER_FIRST_RELEASE), ground_truth(NEXT_RELEASE)
    [before], [after] = first["rootfs"], second["rootfs"]

    differing = {
        path
        for path in before["files"].keys() | after["files"].keys()
        if before["files"].get(path) != after["files"].get(path)
    }
    assert differing == {
        "etc/init.d/rcS",
        *("etc/os-release", "etc/openwrt_release", "etc/openwrt_version", "etc/banner", "etc/version", "etc/issue"),
    }
    assert before["symlinks"] == after["symlinks"]
    assert first["components"] == second["components"]


def test_the_planted_telnet_shell_is_fixed_and_nothing_else_is(compared: Compared) -> None:
    [telnet] = plants(ROUTER_FIRST_RELEASE, "telnet-enabled")
    fixed = compared.document["fixed"]

    at_plant = [
        f
        for f in fixed
        if f["location"].get("path") == "/" + telnet["path"] and f["location"].get("line") == telnet["line"]
    ]
    assert [f["outcome"] for f in at_plant] == ["fail"]
    assert "/bin/sh" in json.dumps(at_plant[0]["evidence"]) or "telnet" in at_plant[0]["title"].lower()
    assert all(f["location"].get("path") == "/" + telnet["path"] for f in fixed), fixed


def test_the_document_follows_the_published_schema(compared: Compared) -> None:
    registry: Registry[bool | Mapping[str, Any]] = Registry().with_resource(
        "urn:iotbaseline:schema:report:1", Resource.from_contents(report_schema())
    )
    jsonschema.Draft202012Validator(diff_schema(), registry=registry).validate(compared.document)
    assert json.loads((compared.folder / "diff.json").read_text()) == compared.document


def test_nothing_is_introduced(compared: Compared) -> None:
    assert compared.document["introduced"] == []
    assert compared.document["regressions"] == []
    assert compared.returncode == 0


def test_every_other_finding_is_matched_across_the_two_image_names(compared: Compared) -> None:
    document = compared.document
    old, new = compared.report("old")["findings"], compared.report("new")["findings"]
    changed, skipped = document["changed"], document["not_compared"]

    assert len(old) == len(document["fixed"]) + len(document["unchanged"]) + len(changed) + len(skipped["old"])
    assert len(new) == len(document["introduced"]) + len(document["unchanged"]) + len(changed) + len(skipped["new"])
    assert skipped == {"old": [], "new": []}
    unchanged = document["unchanged"]
    for plant in plants(NEXT_RELEASE):  # each weakness the new release still has is unchanged, as a FAIL
        assert any(f["location"].get("path") == "/" + plant["path"] and f["outcome"] == "fail" for f in unchanged), (
            plant
        )
    # Findings that name the image's extraction folder matched though the image file names differ.
    folder = build_image(NEXT_RELEASE).name + "_extract"
    assert any(folder in (f["location"].get("path") or "") + f["discriminator"] for f in unchanged)


def test_the_openwrt_upgrade_is_the_one_component_change(compared: Compared) -> None:
    variables = dict(BY_NAME[NEXT_RELEASE].device.variables)  # type: ignore[union-attr]
    components = compared.document["components"]

    assert components["added"] == components["removed"] == []
    assert [(c["name"], c["old_version"], c["new_version"], c["change"]) for c in components["changed"]] == [
        ("openwrt", "19.07.7", variables["OPENWRT_RELEASE"], "upgraded")
    ]


def test_the_telnet_verdict_is_no_longer_a_fail(compared: Compared) -> None:
    verdicts = {(v["standard"], v["provision"]): v for v in compared.document["verdicts"]}

    assert verdicts[TELNET_PROVISION]["old"] == "FAIL"
    assert verdicts[TELNET_PROVISION]["new"] != "FAIL"
    assert all(v["new"] != "FAIL" for v in verdicts.values())


def test_the_gate_stops_the_reverse_change_from_the_saved_reports(compared: Compared) -> None:
    """The old release as the new one: the telnet shell comes back. Diffed from the scans' report folders."""
    done = run_diff(str(compared.folder / "new"), str(compared.folder / "old"), "--fail-on-new", "--json")

    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    [telnet] = document["introduced"]
    assert telnet["outcome"] == "fail" and telnet["location"]["path"] == "/etc/init.d/rcS"
    kinds = {(r["kind"], r["subject"]) for r in document["regressions"]}
    assert ("finding", telnet["id"]) in kinds
    assert ("verdict", ":".join(TELNET_PROVISION)) in kinds
    assert document["old"]["components_from"] == "sbom"
    assert [c["change"] for c in document["components"]["changed"]] == ["downgraded"]
    assert run_diff(str(compared.folder / "new"), str(compared.folder / "old")).returncode == 0  # no gate asked

"""`iotbaseline scan` on corpus images: every report written and valid, the exit policy, and
what a filled product profile changes."""

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from iotbaseline.report.json_report import report_schema
from tests.corpus import build_image

pytestmark = pytest.mark.e2e
REPORTS = ("report.json", "report.html", "report.sarif", "report.junit.xml", "report.md")


def run_scan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iotbaseline", "scan", *args], capture_output=True, text=True, timeout=300, check=False
    )


def sarif_schema() -> dict[str, Any]:
    text = files("iotbaseline").joinpath("data", "schemas", "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_scan_writes_every_report_and_each_one_is_valid(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_scan(str(build_image("sample-camera-mipsel")), "-o", str(out))

    # the sample ships root:admin: a mandatory FAIL, so the default policy fails the release
    assert done.returncode == 1, done.stderr
    assert all((out / name).is_file() for name in REPORTS)
    document = json.loads((out / "report.json").read_text())
    jsonschema.Draft202012Validator(report_schema()).validate(document)
    jsonschema.Draft4Validator(sarif_schema()).validate(json.loads((out / "report.sarif").read_text()))
    testcases = ElementTree.parse(out / "report.junit.xml").getroot().iter("testcase")
    assert sum(1 for _ in testcases) == len(document["verdicts"])
    assert document["inputs"][0]["sha256"] and "UK PSTI" in (out / "report.md").read_text()
    cyclonedx = (out / "sbom.cdx.json").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cyclonedx) is None
    names = {c["name"]: c.get("version") for c in json.loads(cyclonedx)["components"]}
    assert names["dnsmasq"] == "2.90" and names["busybox"] == "1.35.0"
    assert json.loads((out / "sbom.spdx.json").read_text())["spdxVersion"] == "SPDX-2.3"
    assert "PSTI" in done.stdout


def test_a_filled_profile_turns_inconclusive_verdicts_into_decisions(tmp_path: Path) -> None:
    image = str(build_image("hub-arm64-squashfs-zstd"))
    bare = tmp_path / "bare"
    assert run_scan(image, "-o", str(bare), "--fail-on", "never").returncode == 0
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        "product:\n  model_designation: Hub 3\n  firmware_version: '2.4.0'\n"
        "features:\n  preinstalled_passwords: no\n  telemetry: no\n  consent_based_processing: no\n"
        "  physical_debug_interface: no\n  non_updatable_components: no\n"
        "claims:\n  EN303645:5.3-13: not-supported\n"
    )
    with_profile = tmp_path / "with-profile"

    done = run_scan(image, "-o", str(with_profile), "--profile", str(profile), "--fail-on", "mandatory")

    def inconclusive(folder: Path) -> int:
        verdicts = json.loads((folder / "report.json").read_text())["verdicts"]
        return sum(1 for v in verdicts if v["verdict"] == "INCONCLUSIVE")

    assert inconclusive(with_profile) < inconclusive(bare)
    document = json.loads((with_profile / "report.json").read_text())
    assert document["product"]["model_designation"] == "Hub 3"
    by_id = {(v["standard"], v["provision"]): v for v in document["verdicts"]}
    assert by_id[("EN303645", "5.1-2")]["verdict"] == "NOT_APPLICABLE"
    # hardened image: every password check ran and found nothing universal; no pre-installed
    # passwords declared, so PSTI's password route is met
    assert by_id[("EN303645", "5.1-1")]["verdict"] == "PASS"
    assert by_id[("PSTI", "1")]["verdict"] == "PASS"
    assert by_id[("EN303645", "5.3-13")]["verdict"] == "FAIL"
    # a declared non-conformance on a mandatory provision fails the release gate
    assert done.returncode == 1
    assert (
        run_scan(image, "-o", str(tmp_path / "never"), "--profile", str(profile), "--fail-on", "never").returncode == 0
    )


def test_a_broken_profile_is_one_clear_error_with_its_line(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text("features:\n  uses_pasword: yes\n")

    done = run_scan(str(build_image("plug-armel-cramfs")), "-o", str(tmp_path / "out"), "--profile", str(profile))

    assert done.returncode == 2
    assert "profile.yaml:2" in done.stderr and "uses_passwords" in done.stderr
    assert "Traceback" not in done.stderr

"""Hard-coded credentials over the corpus: every planted credential is found at its path and line;
the hardened images give no FAIL, and neither do shells opened without any password (planted or
commented out): those are the services checks' (tests/e2e/test_services_corpus.py)."""

from pathlib import Path
from typing import Any

import pytest

from iotbaseline.checks.base import Need, ScannedImage
from iotbaseline.checks.hardcoded import BinaryCredentialStringsCheck, HardcodedCredentialsCheck
from iotbaseline.checks.masking import mask_password
from iotbaseline.checks.runner import run_checks
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.model import Finding, Outcome
from tests.corpus import IMAGES, build_image, ground_truth

pytestmark = pytest.mark.e2e

PLANTED = ("hardcoded-password",)


def relevant(name: str) -> bool:
    truth = ground_truth(name)
    kinds = {item["kind"] for item in truth.get("plants", []) + truth.get("traps", [])}
    return bool(truth.get("clean")) or bool(kinds & {*PLANTED, "telnet-enabled", "telnet-commented"})


CHOSEN = tuple(name for name in IMAGES if not name.startswith("bench-") and relevant(name))


def scan_image(name: str, out: Path) -> list[Finding]:
    result = extract_firmware(build_image(name), out)
    checks = [HardcodedCredentialsCheck(), BinaryCredentialStringsCheck()]
    findings, runs = run_checks(checks, [ScannedImage(name, result)], frozenset({Need.FIRMWARE}))
    assert {run.status for run in runs} == {"ran"}
    return findings


def fail_at(findings: list[Finding], path: str, line: int | None) -> list[Finding]:
    return [
        f
        for f in findings
        if f.outcome is Outcome.FAIL and (f.location.path or "").lstrip("/") == path and f.location.line == line
    ]


@pytest.mark.parametrize("name", CHOSEN)
def test_planted_credentials_are_found_and_traps_are_not(name: str, tmp_path: Path) -> None:
    truth: dict[str, Any] = ground_truth(name)
    findings = scan_image(name, tmp_path / "out")
    fails = [f for f in findings if f.outcome is Outcome.FAIL]

    for plant in truth.get("plants", []):
        if plant["kind"] == "hardcoded-password":
            [found] = fail_at(findings, plant["path"], plant["line"])
            assert found.evidence["rule"] == "comparison"
            assert found.evidence["user"] == plant["user"]
            assert found.evidence["literal_masked"] == mask_password(plant["password"])
            assert {"EN303645:5.4-3", "EN303645:5.1-1", "PSTI:1"} <= set(found.provisions)
        elif plant["kind"] == "telnet-enabled":
            assert fail_at(findings, plant["path"], plant["line"]) == []
    for trap in truth.get("traps", []):
        if trap["kind"] == "telnet-commented":
            assert fail_at(findings, trap["path"], trap["line"]) == []
    planted = sum(1 for p in truth.get("plants", []) if p["kind"] in PLANTED)
    assert len(fails) == planted, [f.to_dict() for f in fails]
    if truth.get("clean"):
        assert fails == []
        passes = [f for f in findings if f.outcome is Outcome.PASS]
        assert {f.check for f in passes} == {HardcodedCredentialsCheck.id, BinaryCredentialStringsCheck.id}
        assert any(f.title.startswith("examined ") and "scripts" in f.title for f in passes)

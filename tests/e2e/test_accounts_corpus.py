"""The account checks over the corpus: every planted account weakness found at its path and line;
clean images and traps (locked root, strong yescrypt password) give no FAIL."""

from pathlib import Path
from typing import Any

import pytest

from iotbaseline.checks.accounts import DefaultPasswordCheck, PasswordHashSchemeCheck
from iotbaseline.checks.base import Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.model import Finding, Outcome
from tests.corpus import IMAGES, build_image, ground_truth

pytestmark = pytest.mark.e2e

ACCOUNT_PLANTS = {"weak-password", "empty-password", "uid0-account", "des-crypt-hash"}


def account_findings(name: str, out: Path) -> list[Finding]:
    result = extract_firmware(build_image(name), out)
    checks = [DefaultPasswordCheck(), PasswordHashSchemeCheck()]
    findings, runs = run_checks(checks, [ScannedImage(name, result)], frozenset({Need.FIRMWARE}))
    assert [run.status for run in runs] == ["ran", "ran"]
    return findings


def at(findings: list[Finding], plant: dict[str, Any]) -> list[Finding]:
    return [
        f
        for f in findings
        if f.location.path == "/" + plant["path"] and f.location.line == plant["line"]
        and f.evidence.get("user", f.discriminator.partition(":")[2]) == plant["user"]
    ]  # fmt: skip


def expected_finding(plant: dict[str, Any], here: list[Finding]) -> bool:
    kinds = {(f.check.rsplit(".", 1)[1], f.outcome, f.discriminator.partition(":")[0]) for f in here}
    match plant["kind"]:
        case "weak-password":
            return ("default-password", Outcome.FAIL, "cracked") in kinds
        case "empty-password":
            return ("default-password", Outcome.FAIL, "empty") in kinds
        case "uid0-account":
            return ("default-password", Outcome.INFO, "uid0") in kinds
        case "des-crypt-hash":
            return ("hash-scheme", Outcome.FAIL, "scheme") in kinds
    raise AssertionError(plant)


@pytest.mark.parametrize("name", IMAGES)
def test_account_plants_are_found_and_clean_images_do_not_fail(name: str, tmp_path: Path) -> None:
    truth = ground_truth(name)
    findings = account_findings(name, tmp_path / "out")

    for plant in truth["plants"]:
        if plant["kind"] in ACCOUNT_PLANTS:
            assert expected_finding(plant, at(findings, plant)), (plant, [f.title for f in findings])
    for trap in truth["traps"]:
        if trap["kind"] in {"locked-account", "strong-password"}:
            assert not [f for f in at(findings, trap) if f.outcome is Outcome.FAIL], trap
    if truth["clean"]:
        assert not [f.title for f in findings if f.outcome is Outcome.FAIL]
        assert {f.check for f in findings if f.outcome is Outcome.PASS} == {
            DefaultPasswordCheck.id,
            PasswordHashSchemeCheck.id,
        }

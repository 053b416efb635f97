"""Update mechanisms, communication security, secure-boot hints and factory reset over the corpus:
every insecure update script FAILs at its path and line with its URL; every signed one PASSes; every
`curl -k` FAILs; the factory-reset records are judged as recorded; hardened images give no FAIL."""

from pathlib import Path
from typing import Any

import pytest

from iotbaseline.checks.base import Check, Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.comms import CommunicationSecurityCheck
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.model import Finding, Outcome
from iotbaseline.reset import FactoryResetCheck
from iotbaseline.updates import UpdateMechanismCheck
from iotbaseline.updates.boot_check import SecureBootHintsCheck
from tests.corpus import IMAGES, build_image, ground_truth

pytestmark = pytest.mark.e2e

KINDS = {
    "insecure-update",
    "signed-update",
    "tls-verification-disabled",
    "mqtt-anonymous",
    "factory-reset",
    "https-only-web",
}
OURS = {
    UpdateMechanismCheck.id,
    CommunicationSecurityCheck.id,
    FactoryResetCheck.id,
    SecureBootHintsCheck.id,
}


def relevant(name: str) -> bool:
    truth = ground_truth(name)
    kinds = {item["kind"] for item in truth["plants"] + truth["traps"]}
    return bool(truth["clean"]) or bool(kinds & KINDS)


CHOSEN = tuple(name for name in IMAGES if not name.startswith("bench-") and relevant(name))


def scan_image(name: str, out: Path) -> list[Finding]:
    result = extract_firmware(build_image(name), out)
    checks: list[Check] = [
        UpdateMechanismCheck(),
        SecureBootHintsCheck(),
        CommunicationSecurityCheck(),
        FactoryResetCheck(),
    ]
    findings, runs = run_checks(checks, [ScannedImage(name, result)], frozenset({Need.FIRMWARE}))
    assert {run.status for run in runs} == {"ran"}, [run.note for run in runs]
    return findings


def at(findings: list[Finding], check: str, outcome: Outcome, path: str, line: int | None = None) -> list[Finding]:
    return [
        f
        for f in findings
        if f.check == check
        and f.outcome is outcome
        and (f.location.path or "").lstrip("/") == path
        and (line is None or f.location.line == line)
    ]


def records(truth: dict[str, Any], kind: str, where: str = "plants") -> list[dict[str, Any]]:
    return [item for item in truth[where] if item["kind"] == kind]


@pytest.mark.parametrize("name", CHOSEN)
def test_update_comms_and_reset_truth_is_reproduced(name: str, tmp_path: Path) -> None:
    truth: dict[str, Any] = ground_truth(name)
    findings = scan_image(name, tmp_path / "out")
    update_fails = [f for f in findings if f.check == UpdateMechanismCheck.id and f.outcome is Outcome.FAIL]

    insecure = records(truth, "insecure-update")
    assert sorted((f.location.path or "", f.location.line) for f in update_fails) == sorted(
        ("/" + p["path"], p["line"]) for p in insecure
    )
    for plant in insecure:
        [found] = at(findings, UpdateMechanismCheck.id, Outcome.FAIL, plant["path"], plant["line"])
        assert found.evidence["url"].startswith(plant["url"] + "/")
        assert found.evidence["transport"] == plant["transport"]
        assert found.evidence["signature_check"] is plant["signature_check"]
        assert {"EN303645:5.3-9", "EN303645:5.3-10"} <= set(found.provisions)

    for trap in records(truth, "signed-update", "traps"):
        [passed] = at(findings, UpdateMechanismCheck.id, Outcome.PASS, trap["path"], trap["line"])
        assert passed.evidence["url"].startswith(trap["url"] + "/")
        assert passed.evidence["transport"] == trap["transport"]
        assert passed.evidence["signature_check"] is trap["signature_check"]
        assert {"EN303645:5.3-7", "EN303645:5.3-9", "EN303645:5.3-10"} <= set(passed.provisions)

    tls_off = [
        f
        for f in findings
        if f.check == CommunicationSecurityCheck.id
        and f.outcome is Outcome.FAIL
        and f.evidence.get("problem") == "tls-verification-disabled"
    ]
    planted = records(truth, "tls-verification-disabled")
    assert sorted((f.location.path or "", f.location.line) for f in tls_off) == sorted(
        ("/" + p["path"], p["line"]) for p in planted
    )
    for plant in planted:
        [found] = at(findings, CommunicationSecurityCheck.id, Outcome.FAIL, plant["path"], plant["line"])
        assert found.evidence["command"] == plant["command"]

    for plant in records(truth, "mqtt-anonymous"):
        [found] = at(findings, CommunicationSecurityCheck.id, Outcome.FAIL, plant["path"])
        assert found.evidence["problem"] == "cleartext-listener"
        assert f"port {plant['port']}" in found.detail

    for trap in records(truth, "https-only-web", "traps"):
        assert at(findings, CommunicationSecurityCheck.id, Outcome.FAIL, trap["path"]) == []

    for trap in records(truth, "factory-reset", "traps"):
        routine = "/" + trap["path"]
        [found] = [f for f in findings if f.check == FactoryResetCheck.id and f.evidence.get("routine") == routine]
        if trap["complete"]:
            assert found.outcome is Outcome.PASS
            assert (found.location.path, found.location.line) == ("/" + trap["path"], trap["line"])
            assert found.evidence["erases"][0]["target"] == trap["erases"]
        else:
            assert found.outcome is Outcome.INFO

    if truth["clean"]:
        assert [f.to_dict() for f in findings if f.check in OURS and f.outcome is Outcome.FAIL] == []
        summary = [f for f in findings if f.check == CommunicationSecurityCheck.id and f.discriminator == "examined"]
        assert [f.outcome for f in summary] == [Outcome.PASS]

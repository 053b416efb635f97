"""The secrets checks on corpus images: every planted key, certificate and token found where it was
planted; traps and clean images give no FAIL; a key planted in two images is reported as shared."""

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from iotbaseline.checks.base import Check, Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.checks.secrets import CertificateCheck, PrivateKeyCheck, TokenCheck
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.model import Finding, Outcome
from tests.corpus import IMAGES, build_image, ground_truth

pytestmark = pytest.mark.e2e

SECRET_PLANTS = frozenset({"private-key", "certificate", "cloud-credential"})
SECRET_TRAPS = frozenset({"public-key", "pem-marker-in-binary", "empty-host-key", "documentation-key"})
CHECKS = frozenset({PrivateKeyCheck.id, CertificateCheck.id, TokenCheck.id})


def relevant(name: str) -> bool:
    truth = ground_truth(name)
    kinds = {item["kind"] for item in truth["plants"] + truth["traps"]}
    return bool(truth["clean"]) or bool(kinds & (SECRET_PLANTS | SECRET_TRAPS))


CHOSEN = tuple(name for name in IMAGES if not name.startswith("bench-") and relevant(name))


@cache
def scanned(name: str, output: Path) -> ScannedImage:
    return ScannedImage(name, extract_firmware(build_image(name), output / name))


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("secrets")


def scan(names: list[str], output: Path) -> list[Finding]:
    checks: list[Check] = [PrivateKeyCheck(), CertificateCheck(), TokenCheck()]
    findings, runs = run_checks(checks, [scanned(name, output) for name in names], frozenset({Need.FIRMWARE}))
    assert {run.status for run in runs} == {"ran"}
    return findings


def at(findings: list[Finding], item: dict[str, Any], outcome: Outcome | None = None) -> list[Finding]:
    return [
        f
        for f in findings
        if f.location.path is not None
        and f.location.path.endswith("/" + item["path"])
        and (outcome is None or f.outcome is outcome)
    ]


@pytest.mark.parametrize("name", CHOSEN)
def test_planted_secrets_are_found_and_traps_and_clean_images_give_no_fail(name: str, output: Path) -> None:
    truth = ground_truth(name)
    findings = scan([name], output)

    for plant in truth["plants"]:
        if plant["kind"] == "private-key":
            [found] = at(findings, plant, Outcome.FAIL)
            assert found.evidence["public_sha256"] == plant["public_sha256"]
            assert (found.evidence["algorithm"], found.evidence["bits"]) == (plant["algorithm"], plant["bits"])
        elif plant["kind"] == "certificate":
            assert {f.evidence["problem"] for f in at(findings, plant)} == {"self-signed"}
        elif plant["kind"] == "cloud-credential":
            [found] = at(findings, plant, Outcome.FAIL)
            assert (found.location.line, found.evidence["masked"]) == (
                plant["line"],
                plant["access_key_id"][:4] + "*" * 16,
            )
            assert "secret_masked" in found.evidence
    for trap in truth["traps"]:
        if trap["kind"] in SECRET_TRAPS:
            assert not at(findings, trap, Outcome.FAIL), trap
        if trap["kind"] == "documentation-key":
            [info] = at(findings, trap, Outcome.INFO)
            assert info.evidence["confidence"] == "low"
    fails = [f for f in findings if f.outcome is Outcome.FAIL]
    if truth["clean"]:
        assert fails == []
        assert {f.check for f in findings if f.outcome is Outcome.PASS} == CHECKS
    assert all(f.outcome is not Outcome.ERROR for f in findings)


def test_a_key_planted_in_two_images_is_shared_and_names_both(output: Path) -> None:
    names = ["sample-camera-mipsel", "camera-armel-squashfs-gzip"]
    [key] = [p for p in ground_truth(names[0])["plants"] if p["kind"] == "private-key" and p["shared"]]

    findings = scan(names, output)

    [shared] = [f for f in findings if f.outcome is Outcome.FAIL and f.provisions == ("EN303645:5.4-4",)]
    assert shared.evidence["public_sha256"] == key["public_sha256"]
    assert shared.evidence["images"] == names
    assert {s["path"] for s in shared.evidence["sightings"]} == {"/" + key["path"]}
    [key_finding] = [f for f in at(findings, key, Outcome.FAIL) if f.location.image == names[0]]
    assert key_finding.evidence["certificates"] == ["/etc/ssl/certs/server.crt"]

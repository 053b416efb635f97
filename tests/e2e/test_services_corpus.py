"""Services over the corpus: every planted telnet shell, serial root shell, public SNMP community,
anonymous MQTT broker and web server left as root is a FAIL at its path and line, from the check that
owns it; the traps (commented-out telnetd, snmpd switched off in uci, dropbear with -s -g) give none;
and no other FAIL appears."""

from pathlib import Path
from typing import Any

import pytest

from iotbaseline.checks.base import Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.model import Finding, Outcome
from iotbaseline.services import (
    BackdoorCheck,
    BootServicesCheck,
    DebugInterfacesCheck,
    NetworkServicesCheck,
    ServiceConfigCheck,
)
from tests.corpus import IMAGES, build_image, ground_truth

pytestmark = pytest.mark.e2e

# Truth kind -> (check, rule) that must report it.
PLANTS = {
    "telnet-enabled": (NetworkServicesCheck.id, "network-shell"),
    "serial-root-shell": (DebugInterfacesCheck.id, "console-shell"),
    "snmp-default-community": (ServiceConfigCheck.id, "snmp-default-community"),
    "mqtt-anonymous": (ServiceConfigCheck.id, "mqtt-anonymous"),
    "web-server-root": (ServiceConfigCheck.id, "web-root"),
}
TRAPS = ("telnet-commented", "disabled-service", "ssh-password-login-disabled")

CHOSEN = tuple(name for name in IMAGES if not name.startswith("bench-"))


def test_the_corpus_plants_every_service_kind() -> None:
    planted = {p["kind"] for name in CHOSEN for p in ground_truth(name)["plants"]}
    traps = {t["kind"] for name in CHOSEN for t in ground_truth(name)["traps"]}
    assert set(PLANTS) <= planted and set(TRAPS) <= traps


def scan_image(name: str, out: Path) -> list[Finding]:
    result = extract_firmware(build_image(name), out)
    checks = [
        BootServicesCheck(),
        NetworkServicesCheck(),
        DebugInterfacesCheck(),
        ServiceConfigCheck(),
        BackdoorCheck(),
    ]
    findings, runs = run_checks(checks, [ScannedImage(name, result)], frozenset({Need.FIRMWARE}))
    assert {run.status for run in runs} == {"ran"}, runs
    return findings


def at(findings: list[Finding], path: str, line: int | None = None) -> list[Finding]:
    return [
        f for f in findings if (f.location.path or "").lstrip("/") == path and (line is None or f.location.line == line)
    ]


def key(finding: Finding) -> tuple[str, str, str, int | None]:
    return (
        finding.check,
        str(finding.evidence["rule"]),
        (finding.location.path or "").lstrip("/"),
        finding.location.line,
    )


@pytest.mark.parametrize("name", CHOSEN)
def test_service_plants_are_found_exactly_and_traps_are_not(name: str, tmp_path: Path) -> None:
    truth: dict[str, Any] = ground_truth(name)
    findings = scan_image(name, tmp_path / "out")
    fails = [f for f in findings if f.outcome is Outcome.FAIL]

    expected: set[tuple[str, str, str, int | None]] = set()
    for plant in truth["plants"]:
        if plant["kind"] not in PLANTS:
            continue
        check, rule = PLANTS[plant["kind"]]
        # A setting that is absent (lighttpd's server.username) has no line: the finding has none either.
        line = plant.get("line")
        expected.add((check, rule, plant["path"], line))
        [found] = [f for f in at(fails, plant["path"], line) if f.check == check and f.evidence["rule"] == rule]
        assert found.location.line == line
        if plant["kind"] == "telnet-enabled":
            assert found.evidence["quoted"] == plant["command"]
        elif plant["kind"] == "snmp-default-community":
            assert found.evidence["community"] == plant["community"]
        elif plant["kind"] == "mqtt-anonymous":
            assert found.evidence["port"] == str(plant["port"])
        elif plant["kind"] == "web-server-root":
            service = found.evidence["service"]
            assert isinstance(service, dict) and service["name"] == plant["server"]

    for trap in truth["traps"]:
        if trap["kind"] == "telnet-commented":
            assert at(findings, trap["path"], trap["line"]) == []
        elif trap["kind"] == "disabled-service":
            assert at(findings, trap["path"]) == []
        elif trap["kind"] == "ssh-password-login-disabled":
            [keys_only] = at(findings, trap["path"])
            assert keys_only.outcome is Outcome.INFO and keys_only.evidence["rule"] == "ssh-keys-only"
            variables = keys_only.evidence["service"]["variables"]
            assert [(v["path"].lstrip("/"), v["line"], v["value"]) for v in variables] == [
                (trap["path"], trap["line"], trap["flags"])
            ]

    assert {key(f) for f in fails} == expected, [f.to_dict() for f in fails]
    assert len(fails) == len(expected)
    [inventory] = [f for f in findings if f.check == BootServicesCheck.id]
    assert inventory.outcome is Outcome.INFO and inventory.evidence["services"]

"""Default credentials, access without authentication and TLS against the simulated devices (real
servers on loopback): every weakness planted in the weak device fails with its evidence, the hardened
device fails nothing (and its web login locks out), no password is tried without the owner's
confirmation, and every connection stays inside 127.0.0.0/8."""

import ipaddress
import json
import subprocess
import sys
from pathlib import Path

import pytest

from iotbaseline.checks.base import Check, ScanEvidence
from iotbaseline.checks.registry import ALL_CHECKS
from iotbaseline.live.checks import LiveAccessCheck, LiveCredentialsCheck, LiveServicesCheck, LiveTlsCheck
from iotbaseline.live.credentials.phase import CredentialOptions
from iotbaseline.live.followup import FollowUpOptions
from iotbaseline.live.model import LiveHost
from iotbaseline.live.probe import ProbeOptions, probe
from iotbaseline.live.session import ProbeLimits
from iotbaseline.live.targets import parse_targets
from iotbaseline.model import Assessment, Outcome
from iotbaseline.scan import ScanOptions, judge
from tests.live_device.device import SimulatedDevice
from tests.live_device.fixtures import hardened_device, weak_device

__all__ = ["hardened_device", "weak_device"]  # the fixtures, imported for pytest
pytestmark = pytest.mark.e2e
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
PATIENT = ProbeLimits(connect_timeout=10.0, read_timeout=10.0)
"""The suite runs two workers on two cores: an answer from a loopback server can take seconds, and a
timeout would misidentify it; an unanswered probe costs the wait, so only the tests wait this long."""
LIVE_CHECKS: tuple[type[Check], ...] = (LiveServicesCheck, LiveCredentialsCheck, LiveAccessCheck, LiveTlsCheck)


def probe_owned(device: SimulatedDevice, attempts: int) -> LiveHost:
    credentials = CredentialOptions(authorised_by="the test", attempts=attempts, delay=0.05)
    options = ProbeOptions(ports=device.tcp_ports, limits=PATIENT, followup=FollowUpOptions(credentials=credentials))
    result = probe(parse_targets([device.address]), options, confine=[LOOPBACK])
    assert {attempt.address for attempt in result.attempts} == {device.address}
    assert all(ipaddress.ip_address(attempt.address) in LOOPBACK for attempt in result.attempts)
    return result.hosts[0]


def assessed(host: LiveHost) -> Assessment:
    checks: tuple[type[Check], ...] = tuple(dict.fromkeys((*ALL_CHECKS, *LIVE_CHECKS)))  # the registry may lack them
    return judge((), ScanEvidence(hosts=(host,)), None, ScanOptions(checks=checks)).assessment


def test_every_planted_weakness_of_the_weak_device_fails_with_its_evidence(weak_device: SimulatedDevice) -> None:
    host = probe_owned(weak_device, attempts=10)
    assessment = assessed(host)
    ports = weak_device.ports
    failed = {
        (f.check, str(f.evidence.get("rule")), f.location.port)
        for f in assessment.findings
        if f.outcome is Outcome.FAIL and f.check != "live.services"
    }
    logins = {
        ("live.default-credentials", "default-credential-accepted", ports[name])
        for name in ("telnet", "ssh", "http", "https", "webui")
    }
    opened = {
        ("live.unauthenticated-access", "shell-without-login", ports["telnet-shell"]),
        ("live.unauthenticated-access", "mqtt-anonymous-subscribe", ports["mqtt"]),
        ("live.unauthenticated-access", "rtsp-open", ports["rtsp"]),
        ("live.unauthenticated-access", "adb-open", ports["adb"]),
        ("live.unauthenticated-access", "http-admin-open", ports["webui"]),
        ("live.unauthenticated-access", "upnp-igd-open", weak_device.udp_ports["ssdp"]),
    }
    tls = {("live.tls", "weak-protocol", ports["https"]), ("live.tls", "weak-key", ports["https"])}
    assert failed == logins | opened | tls

    by_rule = {(str(f.evidence.get("rule")), f.location.port): f for f in assessment.findings}
    telnet = by_rule[("default-credential-accepted", ports["telnet"])]
    assert telnet.evidence["login"] == {
        "user": "admin",
        "password_masked": "a***n",
        "proof": "command prompt after the password: 'simcam:~#'",
    }
    assert telnet.evidence["control_refused"] is True and telnet.evidence["attempts"] == 4  # Mirai's 4th pair
    form = by_rule[("default-credential-accepted", ports["webui"])]
    assert form.evidence["method"] == "http-form" and "SESSIONID" in str(form.evidence["login"])
    mqtt = by_rule[("mqtt-anonymous-subscribe", ports["mqtt"])]
    assert mqtt.evidence["messages"] == [{"topic": "simcam/status", "bytes": 6}]
    weak_tls = by_rule[("weak-protocol", ports["https"])]
    assert set(weak_tls.evidence["accepted"]) >= {"TLSv1.0", "TLSv1.1"}
    assert weak_tls.evidence["certificate"]["key"] == "rsa 1024"

    verdicts = {(v.standard, v.provision): v.verdict.value for v in assessment.verdicts}
    for provision in (
        ("EN303645", "5.1-1"),
        ("PSTI", "1"),
        ("EN303645", "5.5-1"),
        ("EN303645", "5.5-4"),
        ("EN303645", "5.5-5"),
    ):
        assert verdicts[provision] == "FAIL", provision


def test_the_hardened_device_fails_nothing_and_its_web_login_locks_out(hardened_device: SimulatedDevice) -> None:
    host = probe_owned(hardened_device, attempts=6)
    assessment = assessed(host)

    assert not [f.title for f in assessment.findings if f.check.startswith("live.") and f.outcome is Outcome.FAIL]
    trials = {trial.port: trial for trial in host.credentials}
    ports = hardened_device.ports
    assert set(trials) == {ports[name] for name in ("ssh", "https", "rtsp", "webui-tls", "mqtts")}
    assert all(t.control_refused and t.login is None and t.stopped in ("cap", "lockout") for t in trials.values())
    lockout = trials[ports["webui-tls"]].lockout
    assert lockout is not None and lockout.kind == "message" and lockout.after_failures == 5
    assert {scan.port for scan in host.tls_scans} == {ports[name] for name in ("https", "webui-tls", "mqtts")}
    passes = {f.location.port for f in assessment.findings if f.check == "live.tls" and f.outcome is Outcome.PASS}
    assert passes == {scan.port for scan in host.tls_scans}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iotbaseline", *args, *(["--timeout", "10"] if args[0] == "probe" else [])],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_no_password_is_tried_without_the_owner_and_every_attempt_is_logged(
    weak_device: SimulatedDevice, tmp_path: Path
) -> None:
    ports = ",".join(map(str, weak_device.tcp_ports))
    common = ["probe", weak_device.address, "--ports", ports, "--no-tls-scan", "--no-udp", "--fail-on", "never"]

    refused = run_cli(*common, "-o", str(tmp_path / "refused"))
    owned = run_cli(*common, "-o", str(tmp_path / "owned"), "--i-own-this-device", "--credential-attempts", "5")

    assert "credentials: not tried" in refused.stdout, refused.stderr
    refused_log = [json.loads(line) for line in (tmp_path / "refused" / "probe-log.jsonl").read_text().splitlines()]
    assert not [a for a in refused_log if a["purpose"].startswith(("login:", "credential:"))]
    assert "LOGGED IN as admin/a***n" in owned.stdout, owned.stderr
    log = [json.loads(line) for line in (tmp_path / "owned" / "probe-log.jsonl").read_text().splitlines()]
    logins = [a for a in log if a["purpose"].startswith("login:")]
    assert logins and {a["address"] for a in log} == {weak_device.address}
    assert any("password 'a***n'" in a["detail"] for a in logins)
    assert not any("password 'admin'" in a["detail"] for a in logins)

"""The probe against the simulated devices (real servers on loopback): services identified with
products and versions, the reports `probe` writes, `scan IMAGE --host` merging both inputs, and
SSDP discovery. Nothing outside 127.0.0.0/8 is ever contacted: the session is confined to it and
every attempt logged is checked."""

import asyncio
import ipaddress
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iotbaseline.live.discover import discover
from iotbaseline.live.followup import FollowUpOptions
from iotbaseline.live.model import LiveHost, ObservedService
from iotbaseline.live.probe import ProbeOptions, ProbeResult, probe
from iotbaseline.live.session import ProbeLimits
from iotbaseline.live.targets import parse_targets
from tests.corpus import build_image
from tests.live_device.device import SimulatedDevice
from tests.live_device.fixtures import hardened_device, weak_device

__all__ = ["hardened_device", "weak_device"]  # the fixtures, imported for pytest
pytestmark = pytest.mark.e2e
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
PATIENT = ProbeLimits(connect_timeout=10.0, read_timeout=10.0)
"""The suite runs two workers on two cores: an answer from a loopback server can take seconds, and a
timeout would misidentify it; an unanswered probe costs the wait, so only the tests wait this long."""


def probe_device(device: SimulatedDevice) -> tuple[LiveHost, ProbeResult]:
    followup = FollowUpOptions(access=False, tls_scan=False)
    options = ProbeOptions(ports=device.tcp_ports, limits=PATIENT, followup=followup)
    result = probe(parse_targets([device.address]), options, confine=[LOOPBACK])
    assert all(ipaddress.ip_address(attempt.address) in LOOPBACK for attempt in result.attempts)
    return result.hosts[0], result


def by_listener(device: SimulatedDevice, host: LiveHost) -> dict[str, ObservedService]:
    ports = {(s.port, s.transport.value): s for s in host.services}
    found = {name: ports[(port, "tcp")] for name, port in device.ports.items() if (port, "tcp") in ports}
    found.update({name: ports[(port, "udp")] for name, port in device.udp_ports.items() if (port, "udp") in ports})
    return found


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iotbaseline", *args, *(["--timeout", "10"] if args[0] == "probe" else [])],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def log_addresses(folder: Path) -> set[str]:
    lines = (folder / "probe-log.jsonl").read_text().splitlines()
    return {json.loads(line)["address"] for line in lines}


def test_the_weak_device_services_are_identified_with_products_and_versions(weak_device: SimulatedDevice) -> None:
    host, _ = probe_device(weak_device)
    seen = by_listener(weak_device, host)

    shown = {name: (s.scheme, s.product, s.version) for name, s in seen.items()}
    assert shown == {
        "telnet": ("telnet", "busybox-telnetd", None),
        "telnet-shell": ("telnet", "busybox-telnetd", None),
        "ssh": ("ssh", "dropbear", "2022.83"),
        "http": ("http", "lighttpd", "1.4.69"),
        "rtsp": ("rtsp", "iotbaseline-sim-rtsp", "1.0"),
        "mqtt": ("mqtt", "mosquitto", "2.0.11"),
        "adb": ("adb", "android (simcam)", None),
        "upnp": ("http", "iotbaseline-sim-upnp", "1.0"),
        "ssdp": ("ssdp", "iotbaseline-sim-upnp", "1.0"),
        "https": ("https", "lighttpd", "1.4.69"),
        "webui": ("http", "iotbaseline-sim-webui", "1.0"),
    }
    assert seen["telnet"].evidence["prompt"] == "login" and seen["telnet-shell"].evidence["prompt"] == "shell"
    assert seen["http"].evidence["authentication"] == [{"scheme": "basic", "realm": "SimCam"}]
    assert seen["mqtt"].evidence["anonymous_accepted"] is True
    assert seen["rtsp"].evidence["describe_status"] == 200
    assert seen["adb"].evidence["authentication_required"] is False
    assert not host.ports_unanswered


def test_the_hardened_device_services_are_identified_too(hardened_device: SimulatedDevice) -> None:
    host, _ = probe_device(hardened_device)
    seen = by_listener(hardened_device, host)

    assert {name: s.scheme for name, s in seen.items()} == {
        "ssh": "ssh",
        "http": "http",
        "https": "https",
        "rtsp": "rtsp",
        "mqtts": "mqtts",
        "webui-tls": "https",
    }
    assert seen["http"].evidence["status"] == 301 and str(seen["http"].evidence["location"]).startswith("https://")
    certificate = seen["https"].evidence["tls"]["certificate"]
    assert certificate["subject"] == "CN=simcam.local" and certificate["self_issued"] is True
    assert seen["mqtts"].evidence["connack"] == 5  # accounts only
    assert seen["rtsp"].evidence["authentication"] == [{"scheme": "digest", "realm": "SimCam"}]
    assert seen["https"].product is None  # the hardened web server hides its version


def test_probe_writes_the_reports_with_host_port_and_protocol(weak_device: SimulatedDevice, tmp_path: Path) -> None:
    out = tmp_path / "weak"
    ports = ",".join(map(str, weak_device.tcp_ports))

    done = run_cli("probe", weak_device.address, "--ports", ports, "-o", str(out), "--fail-on", "mandatory")

    assert done.returncode == 1, done.stderr  # mandatory FAILs: logins in clear
    document: dict[str, Any] = json.loads((out / "report.json").read_text())
    assert [i["kind"] for i in document["inputs"]] == ["host"]
    live = [f for f in document["findings"] if f["check"] == "live.services"]
    failing = {(f["location"]["port"], f["location"]["protocol"]) for f in live if f["outcome"] == "fail"}
    telnet, http = weak_device.ports["telnet"], weak_device.ports["http"]
    assert {(telnet, "telnet"), (http, "http"), (weak_device.ports["adb"], "adb")} <= failing
    assert all(f["location"]["host"] == weak_device.address for f in live)
    verdicts = {(v["standard"], v["provision"]): v["verdict"] for v in document["verdicts"]}
    assert verdicts[("EN303645", "5.5-1")] == "FAIL" and verdicts[("EN303645", "5.6-1")] == "FAIL"
    runs = {run["check"]: run["status"] for run in document["checks"]}
    assert runs["live.services"] == "ran" and runs["firmware.accounts.default-password"] == "skipped"
    assert all((out / name).is_file() for name in ("report.html", "report.sarif", "report.junit.xml", "report.md"))
    assert log_addresses(out) == {weak_device.address}
    assert "TCP connection attempts" in done.stdout


def test_the_hardened_device_gives_no_failure(hardened_device: SimulatedDevice, tmp_path: Path) -> None:
    out = tmp_path / "hardened"
    ports = ",".join(map(str, hardened_device.tcp_ports))

    done = run_cli("probe", hardened_device.address, "--ports", ports, "-o", str(out), "--json")

    document: dict[str, Any] = json.loads(done.stdout)
    live = [f for f in document["findings"] if f["check"] == "live.services"]
    assert live and not [f for f in live if f["outcome"] in ("fail", "error")]
    assert done.returncode == 0, done.stderr


def test_scan_with_host_merges_firmware_and_live_evidence(weak_device: SimulatedDevice, tmp_path: Path) -> None:
    out = tmp_path / "merged"

    done = run_cli("scan", str(build_image("hub-arm64-squashfs-zstd")), "--host", weak_device.address, "-o", str(out))

    document: dict[str, Any] = json.loads((out / "report.json").read_text())
    assert sorted(i["kind"] for i in document["inputs"]) == ["firmware", "host"], done.stderr
    checks = {f["check"] for f in document["findings"]}
    assert "live.services" in checks and any(c.startswith("firmware.") for c in checks)
    assert log_addresses(out) == {weak_device.address}
    if weak_device.on_standard_ports:  # --host probes the default port list
        failing = {f["location"].get("port") for f in document["findings"] if f["outcome"] == "fail"}
        assert weak_device.ports["telnet"] in failing


def test_discovery_lists_the_ssdp_answer_without_probing(weak_device: SimulatedDevice) -> None:
    responder = (weak_device.address, weak_device.udp_ports["ssdp"])
    nobody = (weak_device.address, 9)  # discard: no mDNS here

    devices = asyncio.run(discover(1.0, ssdp_group=responder, mdns_group=nobody))

    assert [d.address for d in devices] == [weak_device.address]
    assert devices[0].via == {"ssdp"} and devices[0].server.endswith("iotbaseline-sim-upnp/1.0")
    assert devices[0].locations == {f"http://{weak_device.address}:{weak_device.ports['upnp']}/description.xml"}

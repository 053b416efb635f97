"""The default-credential part of the live-probe benchmark (bench.probe): our credential and access tests
against nmap's brute and access scripts on the weak simulated device, with the same pairs and the same
attempt cap. Each nmap script gets our ordered list for its kind of login (telnet and SSH: the telnet
list, the web scripts: the web list), cut to the cap, as a credential file; nmap stops at the first
valid pair (brute.firstonly) as we do. Ground truth: the simulator's planted accounts (admin/admin on
telnet, SSH, HTTP Basic, HTTPS Basic and the web form) and its open MQTT broker and RTSP stream."""

import ipaddress
import re
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from tests.live_device.device import SimulatedDevice

from iotbaseline.live.credentials.dictionary import candidates
from iotbaseline.live.credentials.phase import CredentialOptions, device_hints
from iotbaseline.live.credentials.settings import credential_settings
from iotbaseline.live.followup import FollowUpOptions
from iotbaseline.live.model import LiveHost
from iotbaseline.live.probe import ProbeOptions, probe
from iotbaseline.live.targets import parse_targets

LOGINS = {
    "telnet": "telnet-brute",
    "ssh": "ssh-brute",
    "http": "http-brute",
    "https": "http-brute",
    "webui": "http-form-brute",
}
"""Listener -> the nmap script that tries its login."""
OPEN = {"mqtt": "mqtt-subscribe", "rtsp": "rtsp-url-brute"}
"""Listener -> the nmap script that tests it for access without authentication."""
GROUPS = {
    "telnet": ("telnet", ("telnet", "ssh")),
    "web": ("web", ("http", "https", "webui")),
    "open": (None, ("mqtt", "rtsp")),
}
"""One nmap process per kind of list: (our dictionary kind, the listeners)."""
_VALID = re.compile(r"(\S*):(\S*) - Valid credentials")
_GUESSES = re.compile(r"Performed (\d+) guesses")


@dataclass(frozen=True)
class Result:
    found: str
    """user/password found, OPEN, or '-'."""
    tries: int | None = None


@dataclass(frozen=True)
class CredentialComparison:
    attempts: int
    ours_seconds: float
    nmap_seconds: float
    rows: list[tuple[str, int, str, Result, Result]]
    """(listener, port, truth, ours, nmap)."""


def compare_credentials(device: SimulatedDevice, folder: Path, attempts: int) -> CredentialComparison:
    listeners = [name for name in (*LOGINS, *OPEN) if name in device.ports]
    ours_seconds, host = _ours(device, listeners, attempts)
    nmap_seconds, nmap = _nmap(device, folder, attempts, host)
    rows = []
    for name in listeners:
        port = device.ports[name]
        truth = "OPEN" if name in OPEN else "admin/admin"
        rows.append((name, port, truth, _our_result(host, port), nmap.get(port, Result("-"))))
    return CredentialComparison(attempts, ours_seconds, nmap_seconds, rows)


def _ours(device: SimulatedDevice, listeners: list[str], attempts: int) -> tuple[float, LiveHost]:
    ports = tuple(sorted(device.ports[name] for name in listeners))
    credentials = CredentialOptions(authorised_by="the benchmark", attempts=attempts, delay=0.0)
    options = ProbeOptions(ports=ports, udp=False, followup=FollowUpOptions(tls_scan=False, credentials=credentials))
    started = time.monotonic()
    result = probe(parse_targets([device.address]), options, confine=[ipaddress.ip_network("127.0.0.0/8")])
    return time.monotonic() - started, result.hosts[0]


def _our_result(host: LiveHost, port: int) -> Result:
    for trial in host.credentials:
        if trial.port == port:
            found = f"{trial.login.user}/{trial.login.password}" if trial.login else "-"
            return Result(found, trial.attempts + 1)  # with the control pair
    opened = [r for r in host.access if r.port == port and r.open is True]
    return Result("OPEN" if opened else "-")


def _nmap(device: SimulatedDevice, folder: Path, attempts: int, host: LiveHost) -> tuple[float, dict[int, Result]]:
    settings = credential_settings()
    hints = device_hints(host.services, host.access)
    form = next((t.where for t in host.credentials if t.method == "http-form"), "/login.html")
    processes = []
    started = time.monotonic()
    for group, (kind, names) in GROUPS.items():
        present = [name for name in names if name in device.ports]
        if not present:
            continue
        scripts = sorted({LOGINS.get(name) or OPEN[name] for name in present})
        arguments = [
            f"http-form-brute.path={form}",
            "http-form-brute.uservar=username",
            "http-form-brute.passvar=password",
        ]
        if kind is not None:
            pairs = [p for p in candidates(kind, settings, hints).pairs if "/" not in p.user][:attempts]
            credfile = folder / f"nmap-{group}.creds"
            credfile.write_text("".join(f"{p.user}/{p.password}\n" for p in pairs))
            arguments += ["brute.mode=creds", f"brute.credfile={credfile}", "brute.firstonly=true"]
        ports = ",".join(str(device.ports[name]) for name in present)
        argv = [
            "nmap",
            "-sV",
            "-Pn",
            "-n",
            "-p",
            ports,
            device.address,
            "--script",
            ",".join(scripts),
            "--script-args",
            ",".join(arguments),
            "-oX",
            "-",
        ]
        processes.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
    found: dict[int, Result] = {}
    for process in processes:
        output, _ = process.communicate(timeout=1800)
        found.update(_parse(output))
    return time.monotonic() - started, found


def _parse(xml: str) -> dict[int, Result]:
    found: dict[int, Result] = {}
    for port in ElementTree.fromstring(xml).iter("port"):  # noqa: S314 (nmap's own output)
        number = int(port.get("portid", "0"))
        for script in port.iter("script"):
            output = script.get("output", "")
            valid, guesses = _VALID.search(output), _GUESSES.search(output)
            tries = int(guesses[1]) if guesses else None
            if valid:
                found[number] = Result(f"{valid[1]}/{valid[2]}", tries)
            elif "Topics and their most recent payloads" in output or "discovered:" in output:
                found[number] = Result("OPEN")
            elif number not in found:
                found[number] = Result("-", tries)
    return found


def print_credentials(comparison: CredentialComparison) -> None:
    print(f"\ndefault credentials and access, {comparison.attempts} pairs per login at most (same lists for both)")
    print(f"{'listener':<10} {'port':>5}  {'truth':<12} {'ours':<16} {'tries':>5}  {'nmap':<16} {'tries':>5}")
    for name, port, truth, ours, nmap in comparison.rows:
        print(
            f"{name:<10} {port:>5}  {truth:<12} {ours.found:<16} {_tries(ours):>5}  {nmap.found:<16} {_tries(nmap):>5}"
        )
    ours_right = sum(1 for _, _, truth, ours, _ in comparison.rows if ours.found == truth)
    nmap_right = sum(1 for _, _, truth, _, nmap in comparison.rows if nmap.found == truth)
    print(f"found: ours {ours_right} of {len(comparison.rows)}, nmap {nmap_right} of {len(comparison.rows)}")
    ratio = comparison.ours_seconds / comparison.nmap_seconds if comparison.nmap_seconds else 0.0
    print(
        f"wall time: ours {comparison.ours_seconds:.2f} s (scan, identification, access, credentials), "
        f"nmap {comparison.nmap_seconds:.2f} s (-sV and the scripts); ratio {ratio:.3f}"
    )


def _tries(result: Result) -> str:
    return "" if result.tries is None else str(result.tries)

"""Live-probe benchmark: `iotbaseline probe` against `nmap -sV` on the same target, the weak
simulated device (tests/live_device: busybox telnetd, dropbear, lighttpd, mosquitto and the asyncio
RTSP/ADB/UPnP responders on a loopback address), the same TCP ports, in the same run.

- ours: the `iotbaseline probe ADDR --ports P --no-udp` command (a whole process: start-up, probe,
  judging, five reports), and the probe alone in this process;
- nmap: `nmap -sV -Pn -n -p P ADDR -oX -` (version detection, no host discovery, no DNS). nmap runs
  no script unless asked, so its default-credential (brute) scripts are off; `--nmap-scripts` adds
  scripts for the comparison with the credential tests (NMAP_CREDENTIAL_SCRIPTS is the hook).

Times are wall-clock medians of --repeat runs. Services: for each open port, the protocol each tool
names and the product/version; "same" when both name the same protocol and, where nmap gives a
version, ours gives the same version.

Credentials (bench.probe_credentials, unless --no-credentials): our default-credential and access
tests (`--i-own-this-device`, no TLS scan, no delay) against nmap's brute and access scripts on the
same ports, with the same pairs: each nmap script gets our ordered list for its kind of login, cut to
the same attempt cap, as a credential file (brute.mode=creds, brute.firstonly). nmap runs one process
per kind of list, the processes at once; its time is the wall time of all of them.

    .venv/bin/python -m bench.probe [--repeat 3] [--nmap-scripts telnet-brute,ssh-brute] [--attempts 20]
"""

import argparse
import ipaddress
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from tests.live_device.device import device_address, missing_binaries, start_weak_device

from bench.probe_credentials import compare_credentials, print_credentials
from iotbaseline.live.followup import FollowUpOptions
from iotbaseline.live.probe import ProbeOptions, probe
from iotbaseline.live.targets import parse_targets

NMAP_CREDENTIAL_SCRIPTS: tuple[str, ...] = ()
"""Scripts added to the identification run (the credential comparison runs its own, bench.probe_credentials)."""
NMAP_NAMES = {"android adb": "adb", "upnp": "http", "http-proxy": "http"}
"""nmap service names -> ours, where they differ (nmap names a UPnP description server `upnp`, and HTTP on
8080 `http-proxy` by the port)."""
TRUTH = {
    "telnet": "telnet",
    "telnet-shell": "telnet",
    "ssh": "ssh",
    "http": "http",
    "rtsp": "rtsp",
    "mqtt": "mqtt",
    "adb": "adb",
    "upnp": "http",
    "https": "https",
    "webui": "http",
}
"""What each listener of the simulated device speaks (the ground truth both tools are scored on)."""
_NMAP_MQTT = re.compile(r"^mosquitto version (\S+)$")


@dataclass(frozen=True)
class Service:
    protocol: str
    product: str
    version: str


def nmap_run(address: str, ports: str, scripts: tuple[str, ...]) -> tuple[float, dict[int, Service]]:
    argv = ["nmap", "-sV", "-Pn", "-n", "-p", ports, address, "-oX", "-"]
    if scripts:
        argv[1:1] = ["--script", ",".join(scripts)]
    started = time.monotonic()
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=900)
    seconds = time.monotonic() - started
    found: dict[int, Service] = {}
    for port in ElementTree.fromstring(done.stdout).iter("port"):  # noqa: S314 (nmap's own output)
        state, service = port.find("state"), port.find("service")
        if state is None or state.get("state") != "open":
            continue
        name = service.get("name", "unknown") if service is not None else "unknown"
        if service is not None and service.get("tunnel") == "ssl":
            name = f"{name}s"
        product = service.get("product", "") if service is not None else ""
        version = service.get("version", "") if service is not None else ""
        mqtt = _NMAP_MQTT.match(name)  # its MQTT version script renames the service to the broker's answer
        if mqtt:
            name, product, version = "mqtt", "mosquitto", mqtt[1]
        found[int(port.get("portid", "0"))] = Service(NMAP_NAMES.get(name, name), product, version)
    return seconds, found


def ours_command(address: str, ports: str, output: Path) -> float:
    """The probe command as the identification comparison needs it: no access tests, TLS scans or passwords
    (nmap -sV runs no scripts)."""
    argv = [sys.executable, "-m", "iotbaseline", "probe", address, "--ports", ports, "--no-udp", "-o", str(output)]
    argv += ["--no-access", "--no-tls-scan", "--no-credentials"]
    started = time.monotonic()
    subprocess.run([*argv, "--fail-on", "never"], capture_output=True, check=True, timeout=900)
    return time.monotonic() - started


def ours_in_process(address: str, ports: tuple[int, ...]) -> tuple[float, dict[int, Service]]:
    started = time.monotonic()
    result = probe(
        parse_targets([address]),
        ProbeOptions(ports=ports, udp=False, followup=FollowUpOptions(access=False, tls_scan=False)),
        confine=[ipaddress.ip_network("127.0.0.0/8")],
    )
    seconds = time.monotonic() - started
    return seconds, {s.port: Service(s.scheme, s.product or "", s.version or "") for s in result.hosts[0].services}


@dataclass(frozen=True)
class Row:
    port: int
    truth: str
    ours: Service | None
    nmap: Service | None

    @property
    def ours_right(self) -> bool:
        return self.ours is not None and self.ours.protocol == self.truth

    @property
    def nmap_right(self) -> bool:
        return self.nmap is not None and self.nmap.protocol == self.truth

    @property
    def same(self) -> bool:
        """Both name the true protocol, and where nmap gives a version ours gives the same."""
        if self.ours is None or self.nmap is None or not (self.ours_right and self.nmap_right):
            return False
        return not self.nmap.version or self.nmap.version == self.ours.version


def compare(truth: dict[int, str], ours: dict[int, Service], nmap: dict[int, Service]) -> list[Row]:
    ports = sorted(set(truth) | set(ours) | set(nmap))
    return [Row(port, truth.get(port, "?"), ours.get(port), nmap.get(port)) for port in ports]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nmap-scripts", default=",".join(NMAP_CREDENTIAL_SCRIPTS))
    parser.add_argument("--no-credentials", action="store_true", help="Skip the default-credential comparison.")
    parser.add_argument("--attempts", type=int, default=20, help="Pairs per login, for both tools.")
    args = parser.parse_args()
    missing = missing_binaries() + ([] if shutil.which("nmap") else ["nmap"])
    if missing:
        print("missing: " + ", ".join(missing), file=sys.stderr)
        return 2
    scripts = tuple(s for s in args.nmap_scripts.split(",") if s)
    with tempfile.TemporaryDirectory(prefix="bench-probe-") as folder:
        device = start_weak_device(Path(folder), device_address(2))
        try:
            ports = ",".join(map(str, device.tcp_ports))
            truth = {port: TRUTH[name] for name, port in device.ports.items()}
            ours_times, command_times, nmap_times = [], [], []
            for run in range(args.repeat):
                seconds, ours = ours_in_process(device.address, device.tcp_ports)
                ours_times.append(seconds)
                command_times.append(ours_command(device.address, ports, Path(folder) / f"out{run}"))
                seconds, nmap = nmap_run(device.address, ports, scripts)
                nmap_times.append(seconds)
            credentials = None if args.no_credentials else compare_credentials(device, Path(folder), args.attempts)
        finally:
            device.stop()
    print(f"target: weak simulated device {device.address}, TCP ports {ports}")
    print(f"{'port':>6}  {'truth':<7} {'ours':<36} {'nmap -sV':<40} same")
    rows = compare(truth, ours, nmap)
    for row in rows:
        left = f"{row.ours.protocol} {row.ours.product} {row.ours.version}".strip() if row.ours else "-"
        right = f"{row.nmap.protocol} {row.nmap.product} {row.nmap.version}".strip() if row.nmap else "-"
        print(f"{row.port:>6}  {row.truth:<7} {left:<36} {right:<40} {'yes' if row.same else 'no'}")
    ours_median, command_median = statistics.median(ours_times), statistics.median(command_times)
    nmap_median = statistics.median(nmap_times)
    print(f"probe in process: {ours_median:.2f} s; probe command (with reports): {command_median:.2f} s")
    print(f"nmap -sV{' --script ' + ','.join(scripts) if scripts else ''}: {nmap_median:.2f} s")
    print(f"ratio command/nmap: {command_median / nmap_median:.3f}; probe/nmap: {ours_median / nmap_median:.3f}")
    print(
        f"protocol right: ours {sum(r.ours_right for r in rows)} of {len(rows)}, nmap {sum(r.nmap_right for r in rows)}"
        f" of {len(rows)}; same service and version: {sum(r.same for r in rows)} of {len(rows)}"
    )
    versions = [(r.port, r.nmap.version, r.ours.version) for r in rows if r.nmap and r.nmap.version and r.ours]
    print("versions (port, nmap, ours): " + "; ".join(f"{p} {n} {o or '-'}" for p, n, o in versions))
    if credentials is not None:
        print_credentials(credentials)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Starting a simulated device: real servers bound to one loopback address of its own, each on the
port a real device uses when that port can be bound here (root, port free), else on a free high
port (the device records which). Nothing binds outside 127.0.0.0/8; the host's accounts are
never touched (dropbear reads its test passwd and shadow through a private mount namespace)."""

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.live_device.certificates import write_self_signed, write_weak_certificate
from tests.live_device.responders import (
    ResponderLoop,
    RtspSettings,
    SsdpResponder,
    adb_handler,
    description_handler,
    rtsp_handler,
)
from tests.live_device.webui import WebUiSettings, webui_handler

LOGIN_PROGRAM = Path(__file__).with_name("login.py")
READY_SECONDS = 10.0
BINARIES = ("busybox", "dropbear", "dropbearkey", "mosquitto", "mosquitto_passwd", "lighttpd", "unshare", "openssl")


class SimulatorError(RuntimeError):
    """A server of the simulated device did not start (its log is in the message)."""


def missing_binaries() -> list[str]:
    """What the simulator needs and this machine lacks (busybox must have its telnetd applet:
    Debian's busybox-static has it, busybox does not)."""
    missing = [name for name in BINARIES if shutil.which(name) is None and not Path("/usr/sbin", name).exists()]
    if "busybox" not in missing:
        applets = subprocess.run(["busybox", "--list"], capture_output=True, text=True, check=False).stdout.split()
        if "telnetd" not in applets:
            missing.append("busybox telnetd applet (Debian package busybox-static)")
    return missing


def device_address(index: int) -> str:
    """A loopback address for this test process and device: parallel test runs (pytest-xdist workers,
    other checkouts) each get their own, so they never collide on a port."""
    pid = os.getpid()
    return f"127.{100 + pid % 100}.{(pid // 100) % 250 + 1}.{index}"


@dataclass
class Account:
    user: str
    password: str


@dataclass
class SimulatedDevice:
    name: str
    address: str
    folder: Path
    ports: dict[str, int] = field(default_factory=dict)
    """Listener name (telnet, telnet-shell, ssh, http, https, rtsp, mqtt, mqtts, adb, upnp) -> TCP port."""
    udp_ports: dict[str, int] = field(default_factory=dict)
    """ssdp -> UDP port."""
    accounts: dict[str, Account] = field(default_factory=dict)
    """Listener name -> the account it accepts (for the credential tests)."""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    responders: ResponderLoop | None = None

    @property
    def tcp_ports(self) -> tuple[int, ...]:
        return tuple(sorted(self.ports.values()))

    @property
    def on_standard_ports(self) -> bool:
        """Every listener got the port a real device uses (needs root and free ports)."""
        return all(port == STANDARD_PORTS[name] for name, port in {**self.ports, **self.udp_ports}.items())

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self.responders is not None:
            self.responders.stop()


STANDARD_PORTS = {
    "telnet": 23,
    "telnet-shell": 2323,
    "ssh": 22,
    "http": 80,
    "https": 443,
    "rtsp": 554,
    "mqtt": 1883,
    "mqtts": 8883,
    "adb": 5555,
    "upnp": 49152,
    "ssdp": 1900,
    "webui": 8080,
    "webui-tls": 8443,
}


class _Builder:
    def __init__(self, device: SimulatedDevice) -> None:
        self.device = device
        self.folder = device.folder
        self.address = device.address

    def port(self, name: str, udp: bool = False) -> int:
        preferred = STANDARD_PORTS[name]
        kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
        for port in (preferred, 0):
            with socket.socket(socket.AF_INET, kind) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((self.address, port))
                except OSError:
                    continue
                chosen: int = probe.getsockname()[1]
            (self.device.udp_ports if udp else self.device.ports)[name] = chosen
            return chosen
        raise SimulatorError(f"no port for {name} on {self.address}")

    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.folder
        )
        self.device.processes.append(process)
        self.wait_ready(name, process)

    def wait_ready(self, name: str, process: subprocess.Popen[bytes] | None = None) -> None:
        port = self.device.ports[name]
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                break
            with contextlib.suppress(OSError), socket.create_connection((self.address, port), timeout=0.5):
                return
            time.sleep(0.05)
        log = (self.folder / f"{name}.log").read_text(errors="replace")[-2000:] if process else ""
        raise SimulatorError(f"{self.device.name}: {name} did not start on {self.address}:{port}\n{log}")

    def write(self, name: str, text: str, mode: int = 0o644) -> Path:
        path = self.folder / name
        path.write_text(text)
        path.chmod(mode)
        return path

    def telnet(self, name: str, program: Path) -> None:
        port = self.port(name)
        issue = self.write("issue.net", "SimCam (iotbaseline device simulator)\n")
        argv = ["busybox", "telnetd", "-F", "-b", f"{self.address}:{port}", "-f", str(issue), "-l", str(program)]
        self.spawn(name, argv, env=self.login_environment())

    def login_environment(self) -> dict[str, str]:
        account = self.device.accounts.get("telnet")
        return {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "SIM_HOSTNAME": "simcam",
            "SIM_LOGIN_USER": account.user if account else "",
            "SIM_LOGIN_PASSWORD": account.password if account else "",
        }

    def login_program(self) -> Path:
        return self.write("login", f"#!/bin/sh\nexec {sys.executable} {LOGIN_PROGRAM}\n", 0o755)

    def shell_program(self) -> Path:
        """The weak device's telnet without login: busybox telnetd -l running a shell."""
        return self.write("shell", "#!/bin/sh\ncd /\nexec env -i PS1='# ' PATH=/bin:/usr/bin /bin/sh -i\n", 0o755)

    def dropbear(self, account: Account) -> None:
        port = self.port("ssh")
        self.device.accounts["ssh"] = account
        key = self.folder / "dropbear_ed25519_host_key"
        subprocess.run(["dropbearkey", "-t", "ed25519", "-f", str(key)], check=True, capture_output=True)
        digest = subprocess.run(
            ["openssl", "passwd", "-6", "-stdin"], input=account.password, capture_output=True, text=True, check=True
        ).stdout.strip()
        passwd = self.write("passwd", f"root:x:0:0:root:/root:/bin/sh\n{account.user}:x:65534:65534::/:/bin/sh\n")
        shadow = self.write("shadow", f"root:*:19000:0:99999:7:::\n{account.user}:{digest}:19000:0:99999:7:::\n", 0o600)
        inner = (
            f"mount --bind {passwd} /etc/passwd && mount --bind {shadow} /etc/shadow && "
            f"exec dropbear -F -E -w -j -k -r {key} -p {self.address}:{port}"
        )
        namespace = (
            ["--mount", "--propagation", "private"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
        )
        self.spawn("ssh", ["unshare", *namespace, "--", "sh", "-c", inner])

    def mosquitto(self, name: str, anonymous: bool, account: Account | None = None) -> None:
        port = self.port(name)
        lines = ["user root", "persistence false", "log_dest stderr", f"listener {port} {self.address}"]
        if name == "mqtts":
            cert, key = write_self_signed(self.folder, self.address, "simcam.local")
            lines += [f"certfile {cert}", f"keyfile {key}"]
        lines.append(f"allow_anonymous {'true' if anonymous else 'false'}")
        if account is not None:
            self.device.accounts[name] = account
            passwords = self.folder / f"{name}.passwd"
            subprocess.run(
                ["mosquitto_passwd", "-b", "-c", str(passwords), account.user, account.password],
                check=True,
                capture_output=True,
            )
            lines.append(f"password_file {passwords}")
        config = self.write(f"{name}.conf", "\n".join(lines) + "\n")
        self.spawn(name, ["mosquitto", "-c", str(config)])

    def lighttpd(self, account: Account, tls: bool, weak_tls: bool = False) -> None:
        """Basic authentication on /; with `tls`, HTTPS on 443 and plain HTTP only redirecting to it,
        without a version in the Server header; with `weak_tls`, HTTPS on 443 beside plain HTTP, as old
        devices have it: TLS 1.0 and anonymous suites allowed, an RSA 1024 certificate signed with SHA-1."""
        http = self.port("http")
        self.device.accounts["http"] = account
        users = self.write("lighttpd.users", f"{account.user}:{account.password}\n", 0o600)
        root = self.folder / "www"
        root.mkdir(exist_ok=True)
        (root / "index.html").write_text("<html><head><title>SimCam</title></head><body>SimCam</body></html>\n")
        lines = [
            f'server.document-root = "{root}"',
            f'server.bind = "{self.address}"',
            f"server.port = {http}",
            f'server.errorlog = "{self.folder / "lighttpd.error.log"}"',
            'index-file.names = ( "index.html" )',
            'server.modules = ("mod_redirect", "mod_auth", "mod_authn_file", "mod_openssl")',
            'auth.backend = "plain"',
            f'auth.backend.plain.userfile = "{users}"',
            'auth.require = ( "/" => ("method" => "basic", "realm" => "SimCam", "require" => "valid-user") )',
        ]
        if tls:
            https = self.port("https")
            cert, key = write_self_signed(self.folder, self.address, "simcam.local")
            lines += [
                'server.tag = "SimCam"',
                f'$SERVER["socket"] == "{self.address}:{https}" {{',
                f'  ssl.engine = "enable"\n  ssl.pemfile = "{cert}"\n  ssl.privkey = "{key}"',
                "}",
                f'$SERVER["socket"] == "{self.address}:{http}" {{',
                f'  url.redirect = ( "^/(.*)" => "https://{self.address}:{https}/$1" )',
                "}",
            ]
        if weak_tls:
            https = self.port("https")
            cert, key = write_weak_certificate(self.folder)
            lines += [
                f'$SERVER["socket"] == "{self.address}:{https}" {{',
                f'  ssl.engine = "enable"\n  ssl.pemfile = "{cert}"\n  ssl.privkey = "{key}"',
                '  ssl.openssl.ssl-conf-cmd = ( "MinProtocol" => "TLSv1", "CipherString" => "ALL:@SECLEVEL=0" )',
                "}",
            ]
        config = self.write("lighttpd.conf", "\n".join(lines) + "\n")
        self.spawn("http", ["lighttpd", "-D", "-f", str(config)])
        if tls or weak_tls:
            self.wait_ready("https")

    def responders(self) -> ResponderLoop:
        if self.device.responders is None:
            self.device.responders = ResponderLoop()
        return self.device.responders

    def rtsp(self, settings: RtspSettings) -> None:
        port = self.port("rtsp")
        if settings.digest_user is not None:
            self.device.accounts["rtsp"] = Account(settings.digest_user, settings.digest_password)
        self.responders().tcp(self.address, port, rtsp_handler(settings))
        self.wait_ready("rtsp")

    def upnp(self) -> None:
        port = self.port("upnp")
        self.responders().tcp(self.address, port, description_handler())
        ssdp = self.port("ssdp", udp=True)
        location = f"http://{self.address}:{port}/description.xml"
        self.responders().udp(self.address, ssdp, lambda: SsdpResponder(location))
        self.wait_ready("upnp")

    def webui(self, settings: WebUiSettings, tls: bool = False) -> None:
        """The vendor web interface (tests/live_device/webui.py); over TLS 1.2+ with the device's
        certificate on the hardened device."""
        name = "webui-tls" if tls else "webui"
        port = self.port(name)
        self.device.accounts[name] = Account(settings.user, settings.password)
        context = None
        if tls:
            cert, key = write_self_signed(self.folder, self.address, "simcam.local")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(cert, key)
        self.responders().tcp(self.address, port, webui_handler(settings), ssl_context=context)
        self.wait_ready(name)

    def retained_message(self, name: str, topic: str, payload: bytes) -> None:
        """Publishes one retained message to the device's own broker, as the device's firmware would."""
        port = self.device.ports[name]
        identifier, topic_bytes = b"simcam", topic.encode()
        connect = b"\x00\x04MQTT\x04\x02\x00\x1e" + len(identifier).to_bytes(2, "big") + identifier
        publish = len(topic_bytes).to_bytes(2, "big") + topic_bytes + payload
        with socket.create_connection((self.address, port), timeout=5) as client:
            client.sendall(b"\x10" + bytes((len(connect),)) + connect)
            client.recv(4)
            client.sendall(b"\x31" + bytes((len(publish),)) + publish + b"\xe0\x00")

    def adb(self) -> None:
        port = self.port("adb")
        self.responders().tcp(self.address, port, adb_handler())
        self.wait_ready("adb")


@contextlib.contextmanager
def _started(device: SimulatedDevice) -> Iterator[_Builder]:
    try:
        yield _Builder(device)
    except BaseException:
        device.stop()
        raise


def start_weak_device(folder: Path, address: str) -> SimulatedDevice:
    """Telnet with a login and default credentials (23) and without any login (2323), SSH and the
    web interface with admin/admin, the web admin over plain HTTP and over HTTPS with TLS 1.0, an
    RSA 1024 SHA-1 certificate and anonymous suites, an RTSP stream without authentication, an
    anonymous MQTT broker with a retained message, ADB open to any host, SSDP with a UPnP Internet
    gateway whose control answers anyone, a vendor web interface (login form admin/admin) whose
    system page needs no login."""
    device = SimulatedDevice("weak", address, folder)
    default = Account("admin", "admin")
    with _started(device) as build:
        device.accounts["telnet"] = default
        build.telnet("telnet", build.login_program())
        build.telnet("telnet-shell", build.shell_program())
        build.dropbear(default)
        build.lighttpd(default, tls=False, weak_tls=True)
        build.rtsp(RtspSettings())
        build.mosquitto("mqtt", anonymous=True)
        build.retained_message("mqtt", "simcam/status", b"online")
        build.adb()
        build.upnp()
        build.webui(WebUiSettings(default.user, default.password, open_system_page=True))
    return device


def start_hardened_device(folder: Path, address: str) -> SimulatedDevice:
    """SSH with a per-device password, HTTPS (plain HTTP only redirects), RTSP with Digest
    authentication, MQTT over TLS with accounts only, a vendor web interface over TLS that locks
    logins out after 5 failures; no telnet, no debug port."""
    device = SimulatedDevice("hardened", address, folder)
    unique = Account("owner", os.urandom(12).hex())
    with _started(device) as build:
        build.dropbear(unique)
        build.lighttpd(unique, tls=True)
        build.rtsp(RtspSettings(digest_user=unique.user, digest_password=unique.password))
        build.mosquitto("mqtts", anonymous=False, account=unique)
        build.webui(WebUiSettings(unique.user, unique.password, lockout_after=5), tls=True)
    return device

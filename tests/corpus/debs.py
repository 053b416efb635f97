"""Real Debian binaries for device CPUs: download once with apt, unpack, pick the files a device carries.

Files are copied into device trees with the multiarch directory dropped (`usr/lib/mipsel-linux-gnu/x`
becomes `usr/lib/x`), the flat layout embedded Linux uses. Nothing here ever runs a foreign binary.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.corpus.cache import Cache
from tests.corpus.tools import CorpusError, run

DEVICE_ARCHES = ("mipsel", "armel", "armhf", "arm64")
MULTIARCH = {"mipsel-linux-gnu", "arm-linux-gnueabi", "arm-linux-gnueabihf", "aarch64-linux-gnu"}

# What a device takes from each package (globs inside the .deb); documentation, man pages and
# systemd units stay behind, as they do on real firmware.
PACKAGE_FILES: dict[str, tuple[str, ...]] = {
    "busybox-static": ("bin/busybox",),
    "dropbear-bin": ("usr/sbin/dropbear", "usr/bin/dropbearkey", "usr/bin/dbclient"),
    "dnsmasq-base": ("usr/sbin/dnsmasq",),
    "lighttpd": (
        "usr/sbin/lighttpd",
        "usr/lib/lighttpd/mod_cgi.so",
        "usr/lib/lighttpd/mod_auth.so",
        "usr/lib/lighttpd/mod_authn_file.so",
        "usr/lib/lighttpd/mod_accesslog.so",
    ),
    "mosquitto": ("usr/sbin/mosquitto", "usr/bin/mosquitto_passwd"),
    "libssl3": ("usr/lib/*/libssl.so.3", "usr/lib/*/libcrypto.so.3"),
    "openssl": ("usr/bin/openssl", "etc/ssl/openssl.cnf"),
    "curl": ("usr/bin/curl",),
    "libcurl4": ("usr/lib/*/libcurl.so.4*",),
    "zlib1g": ("lib/*/libz.so.1*",),
    "libc6": ("lib/*/ld*.so*", "lib/*/libc.so.6", "lib/*/libm.so.6", "lib/*/libresolv.so.2"),
    "libcrypt1": ("lib/*/libcrypt.so.1*",),
    "libtomcrypt1": ("usr/lib/*/libtomcrypt.so.1*",),
    "libtommath1": ("usr/lib/*/libtommath.so.1*",),
    "snmpd": ("usr/sbin/snmpd",),
}


@dataclass(frozen=True)
class Unpacked:
    """One .deb unpacked in the cache, with the control fields the ground truth reports."""

    package: str
    arch: str
    version: str
    source: str
    root: Path

    @property
    def upstream_version(self) -> str:
        return upstream_version(self.version)


def upstream_version(debian_version: str) -> str:
    """`1:1.2.13.dfsg-1` -> `1.2.13`, `2.90-4~deb12u1` -> `2.90`: drop epoch, revision, repack tags."""
    version = debian_version.split(":", 1)[-1]
    if "-" in version:
        version = version.rsplit("-", 1)[0]
    return re.sub(r"[+~.](dfsg|ds|repack)\w*$", "", version)


def flatten(relative: Path) -> Path:
    return Path(*(part for part in relative.parts if part not in MULTIARCH))


def ensure(cache: Cache, wanted: Iterable[tuple[str, str]]) -> None:
    """Download and unpack every (package, arch) not in the cache yet. Serialised across processes."""
    wanted = sorted(set(wanted))
    if all(_control_file(cache, p, a).exists() for p, a in wanted):
        return
    with cache.debs_lock():
        missing = [(p, a) for p, a in wanted if _deb_file(cache, p, a) is None]
        if missing:
            _download(cache, missing)
        for package, arch in wanted:
            if not _control_file(cache, package, arch).exists():
                _unpack(cache, package, arch)


def unpacked(cache: Cache, package: str, arch: str) -> Unpacked:
    control = _control_file(cache, package, arch)
    if not control.exists():
        ensure(cache, [(package, arch)])
    fields = json.loads(control.read_text())
    return Unpacked(
        package=package,
        arch=fields["Architecture"],
        version=fields["Version"],
        source=fields["Source"].split(" ", 1)[0] if fields["Source"] else package,
        root=control.with_suffix(""),
    )


def _control_file(cache: Cache, package: str, arch: str) -> Path:
    return cache.debs / arch / f"{package}.control"


def _deb_file(cache: Cache, package: str, arch: str) -> Path | None:
    found = sorted((cache.debs / arch).glob(f"{package}_*_{arch}.deb")) + sorted(
        (cache.debs / arch).glob(f"{package}_*_all.deb")
    )
    return found[-1] if found else None


def _unpack(cache: Cache, package: str, arch: str) -> None:
    deb = _deb_file(cache, package, arch)
    if deb is None:
        raise CorpusError(f"{package}:{arch} was not downloaded")
    target = _control_file(cache, package, arch).with_suffix("")
    scratch = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    run(["dpkg-deb", "-x", deb, scratch])
    shutil.rmtree(target, ignore_errors=True)
    scratch.replace(target)
    fields = run(["dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Source"]).decode()
    control = {key: "" for key in ("Package", "Version", "Architecture", "Source")}
    for line in fields.splitlines():
        key, _, value = line.partition(":")
        control[key.strip()] = value.strip()
    # The control file marks a finished unpack, so it appears last and whole.
    partial = target.with_name(f".{target.name}.control.{os.getpid()}")
    partial.write_text(json.dumps(control, indent=1))
    partial.replace(_control_file(cache, package, arch))


def _download(cache: Cache, missing: list[tuple[str, str]]) -> None:
    incoming = cache.debs / "incoming"
    shutil.rmtree(incoming, ignore_errors=True)  # a partial download from a killed build
    incoming.mkdir(parents=True)
    names = [f"{package}:{arch}" for package, arch in missing]
    try:
        _apt_get(["download", *names], incoming)
    except CorpusError:
        # Usually the foreign architectures are not configured yet, or the package lists are stale.
        _prepare_apt()
        _apt_get(["download", *names], incoming)
    for deb in incoming.glob("*.deb"):
        arch = deb.stem.rsplit("_", 1)[-1]
        (cache.debs / arch).mkdir(parents=True, exist_ok=True)
        deb.replace(cache.debs / arch / deb.name)


def _apt_get(args: list[str], cwd: Path) -> None:
    sandbox = ["-o", "APT::Sandbox::User=root"] if os.geteuid() == 0 else []
    run(["apt-get", "-q", *sandbox, *args], cwd=cwd, timeout=900)


def _prepare_apt() -> None:
    configured = set(run(["dpkg", "--print-foreign-architectures"]).decode().split())
    absent = [arch for arch in DEVICE_ARCHES if arch not in configured]
    if os.geteuid() != 0:
        raise CorpusError(
            "the corpus needs Debian packages for device CPUs; run once as root: "
            f"dpkg --add-architecture {' '.join(DEVICE_ARCHES)}; apt-get update"
        )
    for arch in absent:
        run(["dpkg", "--add-architecture", arch])
    # A mirror mid-sync fails one index now and then: retry once, then go on with the lists we have.
    for attempt in range(2):
        try:
            _apt_get(["update"], Path("/"))
            return
        except CorpusError:
            if attempt == 1:
                return

"""The signature catalogue and the engine: each banner of a real binary gives its exact version."""

import pytest

from iotbaseline.components.catalogue import load_catalogue
from iotbaseline.components.identify import ComponentCollector
from iotbaseline.components.model import Method
from iotbaseline.firmware.filetype import FileKind, FileType
from iotbaseline.firmware.tree import TreeFile


def elf(device_path: str, content: bytes) -> tuple[TreeFile, bytes]:
    file = TreeFile(
        path="rootfs" + device_path,
        size=len(content),
        sha256="0" * 64,
        type=FileType(FileKind.ELF),
        mode=0o755,
        origin=(),
        rootfs="rootfs",
        device_path=device_path,
    )
    return file, content


def found(*files: tuple[TreeFile, bytes]) -> dict[str, str | None]:
    collector = ComponentCollector()
    for file, content in files:
        collector.visit(file, content)
    return {c.name: c.version for c in collector.components()}


def test_the_catalogue_knows_at_least_40_components_each_with_a_way_to_find_it() -> None:
    catalogue = load_catalogue()
    findable = {s.component for s in catalogue.signatures} | {r.component for r in catalogue.file_names}
    assert len(findable) >= 40
    assert {
        "linux-kernel",
        "busybox",
        "uclibc",
        "musl",
        "glibc",
        "openssl",
        "wolfssl",
        "mbedtls",
        "dropbear",
    } <= findable
    assert {"openssh", "dnsmasq", "lighttpd", "uhttpd", "boa", "goahead", "mini_httpd", "nginx", "hostapd"} <= findable
    assert {
        "wpa_supplicant",
        "miniupnpd",
        "mosquitto",
        "curl",
        "zlib",
        "sqlite",
        "samba",
        "openvpn",
        "pppd",
    } <= findable
    assert {"iptables", "u-boot", "libressl"} <= findable


# Strings as they appear in real binaries (NUL-terminated .rodata entries).
BANNERS = [
    (b"\x00BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\x00", "busybox", "1.35.0"),
    (b"\x00BusyBox v1.31.1 (2020-05-01 10:00:00 CST)\x00", "busybox", "1.31.1"),
    (b"\x00dnsmasq-2.90\x00", "dnsmasq", "2.90"),
    (b"\x00SSH-2.0-dropbear_2022.83\x00", "dropbear", "2022.83"),
    (b"\x00lighttpd/1.4.69\x00", "lighttpd", "1.4.69"),
    (b"GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\x00", "glibc", "2.36"),
    (b"\x00OpenSSL 3.0.20 7 Apr 2026\x00", "openssl", "3.0.20"),
    (b"\x00OpenSSL 1.0.2u  20 Dec 2019\x00", "openssl", "1.0.2u"),
    (b"\x00 inflate 1.2.13 Copyright 1995-2022 Mark Adler \x00", "zlib", "1.2.13"),
    (b"\x00-LibTomCrypt 1.18.2 (www.libtom.net)\x00", "libtomcrypt", "1.18.2"),
    (b"\x00libcurl/7.88.1\x00", "curl", "7.88.1"),
    (b"\x00OpenSSH_8.4p1\x00", "openssh", "8.4p1"),
    (b"Linux version 4.14.180 (builder@buildhost) (gcc version 8.4.0) #1 SMP\x00", "linux", "4.14.180"),
    (b"\x00vermagic=5.15.120 SMP mod_unload aarch64\x00", "linux", "5.15.120"),
    (b"\x00hostapd v2.10\x00", "hostapd", "2.10"),
    (b"\x00U-Boot 2020.04 (Jan 01 2024 - 00:00:00 +0000)\x00", "u-boot", "2020.04"),
    (b"\x00nginx/1.22.1\x00", "nginx", "1.22.1"),
    (b"\x00mbed TLS 2.16.0\x00", "mbedtls", "2.16.0"),
]


@pytest.mark.parametrize(("content", "name", "version"), BANNERS, ids=[f"{b[1]}-{b[2]}" for b in BANNERS])
def test_a_version_banner_gives_the_exact_upstream_version(content: bytes, name: str, version: str) -> None:
    assert found(elf("/usr/bin/x", b"\x7fELF" + bytes(64) + content)) == {name: version}


def test_prose_naming_a_library_is_not_a_version() -> None:
    text = b"\x00requires OpenSSL 1.1.1 or later\x00dnsmasq-dhcp\x00lighttpd/%s\x00"
    assert found(elf("/usr/bin/x", text)) == {}


def test_a_version_stored_apart_from_its_text_is_read_within_the_window() -> None:
    content = b"\x00Error: Invalid bridge remapping.\x00\x00\x002.0.11\x00\x00mosquitto version %s\x00"
    assert found(elf("/usr/sbin/mosquitto", content)) == {"mosquitto": "2.0.11"}


def test_the_banner_with_the_distribution_version_is_kept_as_evidence() -> None:
    content = b"\x00syslogd started: BusyBox v1.35.0\x00BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)\x00"
    collector = ComponentCollector()
    collector.visit(*elf("/bin/busybox", content))
    [busybox] = collector.components()
    assert busybox.distro_version == "1:1.35.0-4+deb12u1+b1"
    assert busybox.evidence[0].offset == content.index(b"1.35.0 (Debian")
    assert busybox.evidence[0].matched == "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)"


def test_a_library_without_version_text_is_named_by_its_libtool_soname() -> None:
    collector = ComponentCollector()
    collector.visit(*elf("/usr/lib/libtommath.so.1.2.0", b"\x7fELF mp_jacobi"))
    [libtommath] = collector.components()
    assert (libtommath.version, libtommath.evidence[0].method) == ("1.2.0", Method.FILE_NAME)


def test_symbols_a_program_imports_do_not_make_the_library_present() -> None:
    assert found(elf("/usr/sbin/dropbear", b"\x00XCRYPT_2.0\x00")) == {}
    assert found(elf("/lib/libcrypt.so.1.1.0", b"\x00XCRYPT_2.0\x00")) == {"libxcrypt": None}


def test_debug_tools_are_seen_by_name_and_netcat_by_its_exec_option() -> None:
    collector = ComponentCollector()
    collector.visit(*elf("/usr/bin/gdbserver", b"\x7fELF"))
    collector.visit(*elf("/bin/nc", b"\x00\t-e filename\t\tprogram to exec after connect\x00"))
    assert {(s.tool, s.path) for s in collector.debug_tools} == {
        ("gdbserver", "/usr/bin/gdbserver"),
        ("netcat with -e (runs a program on connect)", "/bin/nc"),
    }

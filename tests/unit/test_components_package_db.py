"""Package databases and release files: the best evidence, merged with what signatures find."""

import gzip

from iotbaseline.components.identify import ComponentCollector
from iotbaseline.components.model import Method
from iotbaseline.firmware.filetype import FileKind, FileType
from iotbaseline.firmware.tree import TreeFile


def tree_file(device_path: str, content: bytes, kind: FileKind = FileKind.TEXT) -> tuple[TreeFile, bytes]:
    file = TreeFile("rootfs" + device_path, len(content), "a" * 64, FileType(kind), 0o644, (), "rootfs", device_path)
    return file, content


def components(*files: tuple[TreeFile, bytes]) -> dict[str, tuple[str | None, str | None]]:
    collector = ComponentCollector()
    for file, content in files:
        collector.visit(file, content)
    return {c.name: (c.version, c.distro_version) for c in collector.components()}


DPKG_STATUS = b"""Package: dnsmasq-base
Status: install ok installed
Architecture: armhf
Source: dnsmasq
Version: 2.90-4~deb12u2

Package: busybox-static
Status: install ok installed
Source: busybox (1:1.35.0-4+deb12u1)
Version: 1:1.35.0-4+deb12u1+b1

Package: removed-tool
Status: deinstall ok config-files
Version: 1.0-1

Package: libfoo2
Status: install ok installed
Version: 0.4.1-3
"""


def test_dpkg_status_gives_upstream_versions_with_the_debian_version_as_evidence() -> None:
    assert components(tree_file("/var/lib/dpkg/status", DPKG_STATUS)) == {
        "dnsmasq": ("2.90", "2.90-4~deb12u2"),
        "busybox": ("1.35.0", "1:1.35.0-4+deb12u1+b1"),
        "libfoo2": ("0.4.1", "0.4.1-3"),
    }


def test_opkg_status_and_control_files_are_read() -> None:
    status = b"Package: dropbear\nVersion: 2022.82-5\nStatus: install user installed\nArchitecture: mipsel_24kc\n"
    control = b"Package: uhttpd\nVersion: 2021-03-21-15346de8-2\n"
    assert components(
        tree_file("/usr/lib/opkg/status", status), tree_file("/usr/lib/opkg/info/uhttpd.control", control)
    ) == {"dropbear": ("2022.82", "2022.82-5"), "uhttpd": ("2021-03-21-15346de8", "2021-03-21-15346de8-2")}


def test_release_files_name_the_distribution() -> None:
    openwrt = b"DISTRIB_ID='OpenWrt'\nDISTRIB_RELEASE='19.07.7'\nDISTRIB_REVISION='r11306-c4a6851c72'\n"
    os_release = b'ID=poky\nNAME="Homevolt Hub OS"\nVERSION_ID=5.2.0\n'
    assert components(tree_file("/etc/openwrt_release", openwrt)) == {"openwrt": ("19.07.7", None)}
    assert components(tree_file("/etc/os-release", os_release)) == {"Homevolt Hub OS": ("5.2.0", None)}


def test_yocto_and_buildroot_manifests_are_read() -> None:
    yocto = b"busybox cortexa7t2hf_neon 1.31.1-r0\nzlib cortexa7t2hf_neon 1.2.11-r0\n"
    buildroot = (
        b'"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE"\n"dropbear","2019.78","MIT"\n'
    )
    assert components(tree_file("/usr/share/image.manifest", yocto)) == {
        "busybox": ("1.31.1", "1.31.1-r0"),
        "zlib": ("1.2.11", "1.2.11-r0"),
    }
    assert components(tree_file("/legal-info/manifest.csv", buildroot)) == {"dropbear": ("2019.78", None)}


def test_a_debian_changelog_names_the_source_package_and_its_version() -> None:
    changelog = gzip.compress(b"net-snmp (5.9.3+dfsg-2+deb12u1) bookworm; urgency=medium\n\n  * fix\n")
    path = "/usr/share/doc/snmpd/changelog.Debian.gz"
    assert components(tree_file(path, changelog, FileKind.COMPRESSED)) == {
        "net-snmp": ("5.9.3", "5.9.3+dfsg-2+deb12u1")
    }


def test_the_same_component_from_package_db_and_signature_is_one_component_package_db_first() -> None:
    binary = tree_file("/usr/sbin/dnsmasq", b"\x7fELF\x00dnsmasq-2.90\x00", FileKind.ELF)
    collector = ComponentCollector()
    collector.visit(*binary)
    collector.visit(*tree_file("/var/lib/dpkg/status", DPKG_STATUS))
    dnsmasq = next(c for c in collector.components() if c.name == "dnsmasq")
    assert [e.method for e in dnsmasq.evidence] == [Method.PACKAGE_DB, Method.SIGNATURE]
    assert dnsmasq.evidence[1].path == "/usr/sbin/dnsmasq"
    assert dnsmasq.purl == "pkg:generic/dnsmasq@2.90"
    assert dnsmasq.cpe == "cpe:2.3:a:thekelleys:dnsmasq:2.90:*:*:*:*:*:*:*"
    assert dnsmasq.confidence == 0.95

"""Package versions become upstream versions; purl and CPE 2.3 are spelled to their specifications."""

import pytest

from iotbaseline.components.identifiers import cpe23, purl
from iotbaseline.components.versions import older_than, upstream_version


@pytest.mark.parametrize(
    ("package_version", "upstream"),
    [
        ("2.90-4~deb12u2", "2.90"),
        ("1:1.35.0-4+deb12u1+b1", "1.35.0"),
        ("1:1.2.13.dfsg-1", "1.2.13"),
        ("5.9.3+dfsg-2+deb12u1", "5.9.3"),
        ("2022.83-1+deb12u3", "2022.83"),
        ("1.1.1k-1", "1.1.1k"),
        ("2.90-r0", "2.90"),
        ("3.0.20", "3.0.20"),
        ("2.0+really1.9-1", "1.9"),
    ],
)
def test_debian_opkg_and_yocto_versions_reduce_to_the_upstream_release(package_version: str, upstream: str) -> None:
    assert upstream_version(package_version) == upstream


def test_version_threshold_orders_letters_after_numbers_of_the_same_release() -> None:
    assert older_than("1.0.2q", "1.1.1")
    assert older_than("1.1.1w", "3.0.0")
    assert not older_than("3.0.20", "3.0.0")


def test_cpe_23_quotes_special_characters_and_uses_any_for_an_unknown_version() -> None:
    assert cpe23("a", "thekelleys", "dnsmasq", "2.90") == "cpe:2.3:a:thekelleys:dnsmasq:2.90:*:*:*:*:*:*:*"
    assert cpe23("a", "w1.fi", "hostapd", "2.10+x") == "cpe:2.3:a:w1.fi:hostapd:2.10\\+x:*:*:*:*:*:*:*"
    assert cpe23("o", "linux", "linux_kernel", None) == "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*"


def test_purl_percent_encodes_the_version() -> None:
    assert purl("generic", "busybox", "1.35.0") == "pkg:generic/busybox@1.35.0"
    assert purl("deb", "dnsmasq-base", "2.90-4~deb12u2", "debian") == "pkg:deb/debian/dnsmasq-base@2.90-4~deb12u2"
    assert purl("deb", "busybox", "1:1.35.0-4") == "pkg:deb/busybox@1%3A1.35.0-4"

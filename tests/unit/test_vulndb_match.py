"""Each matching rule, on records in NVD CVE JSON 2.0 form."""

from dataclasses import dataclass
from typing import Any

from iotbaseline.vulndb.match import MatchStatus, VulnerabilityMatch, match_components
from iotbaseline.vulndb.nvd_format import parse_cve

TAIL = ":*:*:*:*:*:*:*"


@dataclass(frozen=True)
class Component:
    name: str
    version: str | None
    cpe: str | None = None


def entry(criteria: str, vulnerable: bool = True, **bounds: str) -> dict[str, Any]:
    return {
        "vulnerable": vulnerable,
        "criteria": criteria,
        "matchCriteriaId": "00000000-0000-0000-0000-000000000000",
    } | {key: value for key, value in bounds.items()}


def record(*configurations: dict[str, Any], cve_id: str = "CVE-2099-0001") -> dict[str, Any]:
    return {
        "cve": {
            "id": cve_id,
            "published": "2099-01-01T00:00:00.000",
            "lastModified": "2099-01-02T00:00:00.000",
            "vulnStatus": "Analyzed",
            "descriptions": [{"lang": "en", "value": "test"}],
            "metrics": {},
            "configurations": list(configurations),
        }
    }


def or_node(*entries: dict[str, Any], negate: bool = False) -> dict[str, Any]:
    return {"operator": "OR", "negate": negate, "cpeMatch": list(entries)}


def config(*nodes: dict[str, Any], operator: str | None = None) -> dict[str, Any]:
    return {"nodes": list(nodes)} | ({"operator": operator} if operator else {})


def matches(cve: dict[str, Any], *components: Component) -> list[VulnerabilityMatch]:
    return match_components(components, [parse_cve(cve)])


BUSYBOX = "cpe:2.3:a:busybox:busybox:"


def test_exact_version_in_the_criteria_matches_only_that_version() -> None:
    cve = record(config(or_node(entry(BUSYBOX + "1.35.0" + TAIL))))
    [found] = matches(cve, Component("busybox", "1.35.0"))
    assert found.status is MatchStatus.AFFECTED
    assert found.reasons[0].criteria == BUSYBOX + "1.35.0" + TAIL
    assert "exact version" in found.reasons[0].constraint
    assert matches(cve, Component("busybox", "1.35.1")) == []
    assert matches(cve, Component("busybox", "1.36.0")) == []


def test_version_end_including_holds_at_the_bound_and_not_after() -> None:
    cve = record(config(or_node(entry(BUSYBOX + "*" + TAIL, versionEndIncluding="1.35.0"))))
    [found] = matches(cve, Component("busybox", "1.35.0"))
    assert found.reasons[0].constraint == "1.35.0 <= 1.35.0 (versionEndIncluding)"
    assert matches(cve, Component("busybox", "1.36.1")) == []


def test_version_end_excluding_does_not_hold_at_the_bound() -> None:
    cve = record(config(or_node(entry("cpe:2.3:a:thekelleys:dnsmasq:*" + TAIL, versionEndExcluding="2.90"))))
    assert matches(cve, Component("dnsmasq", "2.90")) == []
    [found] = matches(cve, Component("dnsmasq", "2.89"))
    assert found.reasons[0].constraint == "2.89 < 2.90 (versionEndExcluding)"


def test_version_start_including_and_excluding_bound_the_range_from_below() -> None:
    lighttpd = "cpe:2.3:a:lighttpd:lighttpd:*" + TAIL
    including = record(config(or_node(entry(lighttpd, versionStartIncluding="1.4.56", versionEndExcluding="1.4.67"))))
    assert [m.component_version for m in matches(including, Component("lighttpd", "1.4.56"))] == ["1.4.56"]
    assert matches(including, Component("lighttpd", "1.4.55")) == []
    assert matches(including, Component("lighttpd", "1.4.69")) == []
    excluding = record(config(or_node(entry(lighttpd, versionStartExcluding="1.4.56", versionEndIncluding="1.4.66"))))
    assert matches(excluding, Component("lighttpd", "1.4.56")) == []
    [found] = matches(excluding, Component("lighttpd", "1.4.66"))
    assert found.reasons[0].constraint == (
        "1.4.66 > 1.4.56 (versionStartExcluding), 1.4.66 <= 1.4.66 (versionEndIncluding)"
    )


def test_openssl_letter_releases_are_ordered_inside_ranges() -> None:
    cve = record(
        config(
            or_node(
                entry("cpe:2.3:a:openssl:openssl:*" + TAIL, versionStartIncluding="1.0.2", versionEndExcluding="1.0.2u")
            )
        )
    )
    assert matches(cve, Component("openssl", "1.0.2q"))
    assert matches(cve, Component("openssl", "1.0.2u")) == []
    assert matches(cve, Component("openssl", "1.0.1t")) == []


def test_update_field_rc3_does_not_hit_the_release_and_the_release_does_not_hit_rc3() -> None:
    product = "cpe:2.3:a:example:tool:"
    for_rc3 = record(config(or_node(entry(product + "2.45:rc3:*:*:*:*:*:*"))))
    for_release = record(config(or_node(entry(product + "2.45" + TAIL))))
    release = Component("tool", "2.45", "cpe:2.3:a:example:tool:2.45" + TAIL)
    rc3 = Component("tool", "2.45-rc3", "cpe:2.3:a:example:tool:2.45" + TAIL)
    rc3_in_cpe = Component("tool", "2.45", "cpe:2.3:a:example:tool:2.45:rc3:*:*:*:*:*:*")
    assert matches(for_rc3, release) == []
    assert matches(for_release, rc3) == []
    assert [m.reasons[0].constraint for m in matches(for_rc3, rc3)] == ["2.45-rc3 = 2.45 update rc3 (exact version)"]
    assert matches(for_rc3, rc3_in_cpe)
    assert matches(for_release, release)


def test_pre_release_of_a_fixed_version_is_before_the_fix() -> None:
    cve = record(config(or_node(entry("cpe:2.3:a:example:tool:*" + TAIL, versionEndExcluding="2.45"))))
    assert matches(cve, Component("tool", "2.45rc3", "cpe:2.3:a:example:tool:2.45rc3" + TAIL))


def test_and_with_a_hardware_platform_is_conditional_and_names_the_platform() -> None:
    hardware = "cpe:2.3:h:acme:cam-200:-:*:*:*:*:*:*:*"
    cve = record(
        config(
            or_node(entry("cpe:2.3:o:acme:cam-200_firmware:*" + TAIL, versionEndExcluding="2.0")),
            or_node(entry(hardware, vulnerable=False)),
            operator="AND",
        )
    )
    [found] = matches(cve, Component("cam-200_firmware", "1.9", "cpe:2.3:o:acme:cam-200_firmware:1.9" + TAIL))
    assert found.status is MatchStatus.CONDITIONAL
    assert found.conditions == (f"running on {hardware}",)


def test_and_with_an_os_the_image_has_is_affected_and_with_another_version_is_no_match() -> None:
    cve = record(
        config(
            or_node(entry("cpe:2.3:a:example:daemon:*" + TAIL, versionEndExcluding="3.0")),
            or_node(entry("cpe:2.3:o:linux:linux_kernel:*" + TAIL, vulnerable=False, versionEndExcluding="4.0")),
            operator="AND",
        )
    )
    daemon = Component("daemon", "2.0", "cpe:2.3:a:example:daemon:2.0" + TAIL)
    [on_old_kernel] = matches(cve, daemon, Component("linux", "3.10.108"))
    assert on_old_kernel.component == "daemon"
    assert on_old_kernel.status is MatchStatus.AFFECTED
    assert matches(cve, daemon, Component("linux", "4.14.180")) == []  # the required platform is known to differ
    [unknown_kernel] = matches(cve, daemon)
    assert unknown_kernel.status is MatchStatus.CONDITIONAL


def test_negated_platform_node_excludes_the_platform_it_names() -> None:
    cve = record(
        config(
            or_node(entry("cpe:2.3:a:example:daemon:*" + TAIL, versionEndExcluding="3.0")),
            or_node(entry("cpe:2.3:o:linux:linux_kernel:*" + TAIL, vulnerable=False), negate=True),
            operator="AND",
        )
    )
    daemon = Component("daemon", "2.0", "cpe:2.3:a:example:daemon:2.0" + TAIL)
    assert matches(cve, daemon, Component("linux", "4.14.180")) == []
    [elsewhere] = matches(cve, daemon)
    assert elsewhere.conditions[0].startswith("not running on cpe:2.3:o:linux:linux_kernel")


def test_entries_with_vulnerable_false_never_match_the_component_itself() -> None:
    cve = record(
        config(
            or_node(entry("cpe:2.3:a:example:plugin:*" + TAIL, versionEndExcluding="9")),
            or_node(entry(BUSYBOX + "*" + TAIL, vulnerable=False)),
            operator="AND",
        )
    )
    assert matches(cve, Component("busybox", "1.35.0")) == []


def test_aliases_find_dropbear_under_its_nvd_vendor_and_product() -> None:
    cve = record(
        config(or_node(entry("cpe:2.3:a:dropbear_ssh_project:dropbear_ssh:*" + TAIL, versionEndIncluding="2022.83")))
    )
    assert matches(cve, Component("dropbear", "2022.83"))
    assert matches(cve, Component("dropbear", "2024.86")) == []
    kernel = record(
        config(
            or_node(
                entry(
                    "cpe:2.3:o:linux:linux_kernel:*" + TAIL,
                    versionStartIncluding="3.15",
                    versionEndExcluding="5.15.149",
                )
            )
        )
    )
    assert matches(kernel, Component("linux-kernel", "4.14.180"))


def test_a_component_without_a_version_is_never_matched() -> None:
    cve = record(config(or_node(entry(BUSYBOX + "*" + TAIL, versionEndIncluding="1.35.0"))))
    assert matches(cve, Component("busybox", None)) == []


def test_not_applicable_version_in_the_criteria_does_not_match_a_versioned_component() -> None:
    cve = record(config(or_node(entry(BUSYBOX + "-" + TAIL))))
    assert matches(cve, Component("busybox", "1.35.0")) == []

"""End of life: a component's version finds its release branch, and only documented ends are reported."""

from datetime import date
from typing import Any

import pytest
import yaml

from iotbaseline.components.eol import EolStatus, end_of_life
from iotbaseline.components.eol_table import DATA_FILE, EolDataError, Support, load_eol_table, parse_eol_table
from iotbaseline.components.identify import ComponentCollector
from iotbaseline.components.model import Component, Evidence, Method
from iotbaseline.firmware.filetype import FileKind, FileType
from iotbaseline.firmware.tree import TreeFile

TODAY = date(2026, 11, 26)


def component(key: str, version: str | None, matched: str = "", distro: str | None = None) -> Component:
    evidence = Evidence(Method.SIGNATURE, "/bin/x", matched or f"{key} {version}", distro_version=distro)
    return Component(key, key, version, "library", f"pkg:generic/{key}", None, 0.8, (evidence,))


def test_openssl_1_0_2k_is_past_its_end_of_life_on_the_last_day_of_2019() -> None:
    eol = end_of_life(component("openssl", "1.0.2k"), TODAY)
    assert eol is not None
    assert (eol.branch, eol.ended, eol.status) == ("1.0.2", date(2019, 12, 31), EolStatus.ENDED)
    assert eol.has_ended and eol.exact and eol.confirmed
    assert eol.reason == "OpenSSL 1.0.2 reached end of life on 2019-12-31; it gets no security fixes"
    assert eol.source.startswith("https://")


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2025, 6, 1), None),
        (date(2026, 1, 15), EolStatus.ENDING_SOON),
        (date(2026, 9, 6), EolStatus.ENDING_SOON),
        (date(2026, 9, 7), EolStatus.ENDED),
        (date(2027, 1, 1), EolStatus.ENDED),
    ],
)
def test_openssl_3_0_lts_ends_on_2026_09_07_and_is_announced_within_a_year(
    today: date, status: EolStatus | None
) -> None:
    eol = end_of_life(component("openssl", "3.0.13"), today)
    assert (eol.status if eol else None) == status
    if eol is not None:
        assert (eol.branch, eol.ended) == ("3.0", date(2026, 9, 7))


def test_linux_2_6_36_is_a_three_number_branch_that_is_not_long_term_and_has_ended() -> None:
    eol = end_of_life(component("linux-kernel", "2.6.36"), TODAY)
    assert eol is not None and eol.has_ended
    assert eol.branch == "2.6.36"
    assert not eol.exact  # a bound: the data lists no 2.6.36 end of its own
    assert "not a long-term branch" in eol.reason and "support ended" in eol.reason


def test_linux_4_14_180_belongs_to_the_4_14_longterm_branch_which_ended_in_january_2024() -> None:
    eol = end_of_life(component("linux-kernel", "4.14.180"), TODAY)
    assert eol is not None and eol.has_ended
    assert (eol.branch, eol.ended, eol.exact) == ("4.14", date(2024, 1, 10), True)


def test_a_current_longterm_kernel_is_not_reported() -> None:
    assert end_of_life(component("linux-kernel", "6.12.58"), TODAY) is None
    assert end_of_life(component("linux-kernel", "6.18.2"), TODAY) is None


def test_a_kernel_branch_newer_than_the_data_is_not_guessed_to_have_ended() -> None:
    assert end_of_life(component("linux-kernel", "7.3.1"), TODAY) is None
    assert end_of_life(component("linux-kernel", "6.19.8"), TODAY) is None


def test_a_cip_super_long_term_kernel_follows_cip_and_not_the_ended_kernel_org_branch() -> None:
    plain = end_of_life(component("linux-kernel", "4.4.302"), TODAY)
    cip = end_of_life(component("linux-kernel", "4.4.302", matched="Linux version 4.4.302-cip97 ("), TODAY)
    assert plain is not None and plain.has_ended and plain.ended == date(2022, 2, 3)
    assert cip is not None and not cip.has_ended
    assert cip.status is EolStatus.ENDING_SOON and cip.ended.year == 2027
    assert "CIP" in cip.reason


def test_the_cip_marker_survives_identification_from_a_real_kernel_banner() -> None:
    banner = b"\x00Linux version 4.4.302-cip97 (builder@host) (gcc version 9.3.0) #1 SMP PREEMPT\x00"
    kernel = TreeFile("boot/zImage", len(banner), "0" * 64, FileType(FileKind.DATA), 0o644, (), None, None)
    collector = ComponentCollector()
    collector.visit(kernel, banner)
    (found,) = collector.components()
    eol = end_of_life(found, TODAY)
    assert eol is not None and eol.branch == "4.4" and not eol.has_ended


def test_busybox_has_no_documented_end_so_an_old_release_is_not_reported() -> None:
    assert end_of_life(component("busybox", "1.36.1"), TODAY) is None
    assert end_of_life(component("busybox", "1.20.2"), TODAY) is None
    assert load_eol_table()["busybox"].support is Support.LATEST_ONLY


def test_uclibc_0_9_33_2_is_discontinued_but_uclibc_ng_under_the_old_package_name_is_not() -> None:
    eol = end_of_life(component("uclibc", "0.9.33.2"), TODAY)
    assert eol is not None and eol.has_ended
    assert (eol.branch, eol.ended) == ("0.9.33", date(2012, 5, 15))
    assert "uClibc-ng" in eol.reason
    assert end_of_life(component("uclibc", "1.0.45"), TODAY) is None


def test_unknown_components_and_components_without_a_version_give_nothing() -> None:
    assert end_of_life(component("package:frobnicator", "1.0"), TODAY) is None
    assert end_of_life(component("boa", "0.94.14rc21"), TODAY) is None
    assert end_of_life(component("openssl", None), TODAY) is None
    assert end_of_life(component("openssl", "unknown"), TODAY) is None


def test_a_hostile_version_string_gives_nothing_instead_of_an_error() -> None:
    assert end_of_life(component("openssl", "1." + "9" * 5000), TODAY) is None
    assert end_of_life(component("linux-kernel", "x" * 10_000 + "4.14.1"), TODAY) is None


def test_an_ambiguous_short_version_does_not_pick_a_branch() -> None:
    # "1.1" could be OpenSSL 1.1.0 or 1.1.1
    assert end_of_life(component("openssl", "1.1"), TODAY) is None


def test_branches_with_a_leading_zero_match_their_releases() -> None:
    eol = end_of_life(component("openwrt", "19.07.10"), TODAY)
    assert eol is not None and (eol.branch, eol.ended) == ("19.07", date(2022, 4, 30))


def test_a_distribution_package_is_still_reported_but_says_fixes_may_be_backported() -> None:
    eol = end_of_life(component("openssl", "1.1.1n", distro="1.1.1n-0+deb11u5"), TODAY)
    assert eol is not None and eol.has_ended
    assert eol.distro_version == "1.1.1n-0+deb11u5"
    assert "1.1.1n-0+deb11u5 may still receive backported fixes" in eol.reason


def test_the_shipped_file_loads_and_every_entry_cites_a_source_and_a_check_date() -> None:
    table = load_eol_table()
    assert {"openssl", "linux-kernel", "mbedtls", "uclibc", "busybox", "openssh"} <= set(table)
    citations = []
    for lifecycle in table.values():
        citations.append(lifecycle.citation)
        citations += [b.citation for b in lifecycle.branches.values()]
        citations += [lifecycle.older.citation] if lifecycle.older else []
        for variant in lifecycle.variants:
            citations += [b.citation for b in variant.branches.values()]
    assert len(citations) > 100
    for citation in citations:
        assert citation.source.startswith(("https://", "http://"))
        assert date(2026, 1, 1) <= citation.checked <= date(2030, 1, 1)
    assert table["mbedtls"].branches[(2, 28)].ended == date(2024, 12, 31)


def raw_table() -> dict[str, Any]:
    data = yaml.safe_load(
        """
        components:
          openssl:
            name: OpenSSL
            support: branches
            source: https://endoflife.date/openssl
            checked: 2026-11-26
            confirmed: true
            branch_parts: [{from: "0", parts: 3}, {from: "3.0", parts: 2}]
            branches:
              - {branch: "1.0.2", ended: 2019-12-31}
        """
    )
    assert isinstance(data, dict)
    return data


def test_a_minimal_table_parses() -> None:
    table = parse_eol_table(raw_table(), frozenset({"openssl"}))
    assert table["openssl"].branches[(1, 0, 2)].ended == date(2019, 12, 31)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda e: e.pop("source"), "openssl: missing source"),
        (lambda e: e.update(source="ftp://example.org"), r"openssl: source must be an http\(s\) URL"),
        (lambda e: e.pop("checked"), "openssl: missing checked"),
        (lambda e: e.update(support="forever"), "support must be one of"),
        (lambda e: e.update(colour="red"), "openssl: unknown field colour"),
        (lambda e: e["branches"].append({"branch": 1.1, "ended": None}), "expected a quoted dotted version"),
        (lambda e: e["branches"].append({"branch": "1.1", "ended": None}), "branch 1.1: does not name a branch"),
        (lambda e: e["branches"].append({"branch": "1.0.2", "ended": None}), "branch 1.0.2: listed twice"),
        (lambda e: e["branches"].append({"branch": "3.1", "ended": "soon"}), "branch 3.1: ended: expected a date"),
        (lambda e: e.update(confirmed="yes"), "openssl: confirmed must be true or false"),
        (lambda e: e.update(policy="releasestrat.html"), r"openssl: policy must be an http\(s\) URL"),
    ],
)
def test_a_bad_file_is_refused_with_where_the_problem_is(edit: Any, message: str) -> None:
    data = raw_table()
    edit(data["components"]["openssl"])
    with pytest.raises(EolDataError, match=message) as error:
        parse_eol_table(data, frozenset({"openssl"}))
    assert str(error.value).startswith(DATA_FILE)


def test_a_component_the_catalogue_does_not_know_is_refused() -> None:
    with pytest.raises(EolDataError, match=r"'openssl' is not a component of signatures\.yaml"):
        parse_eol_table(raw_table(), frozenset({"busybox"}))


def test_a_file_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(EolDataError, match="expected a mapping"):
        parse_eol_table(["components"], frozenset())

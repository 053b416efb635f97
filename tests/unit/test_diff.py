"""Comparing two releases: findings matched across image names, moved lines and component versions; components
upgraded and downgraded; verdicts changed; and what the release gate stops for (both directions)."""

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import jsonschema
from referencing import Registry, Resource

from iotbaseline.diff import diff_releases
from iotbaseline.diff.components import compare_components
from iotbaseline.diff.keys import neutral_text
from iotbaseline.diff.markdown import render_markdown
from iotbaseline.diff.model import AssessmentDiff, ComponentRef, RegressionKind, Release, VersionChange
from iotbaseline.diff.schema import diff_schema
from iotbaseline.diff.text import render_text
from iotbaseline.model import (
    Assessment,
    CheckRun,
    Finding,
    Input,
    Location,
    Outcome,
    Severity,
    Verdict,
    VerdictValue,
)
from iotbaseline.report.json_report import report_schema

CHECKS = ("firmware.services.network", "firmware.accounts.default-password", "firmware.components.vulnerabilities")
"""The checks every assessment here ran (unless a test says otherwise)."""
OLD_IMAGE = "router-1.0.trx"
NEW_IMAGE = "router-1.1.trx"


def finding(
    check: str = "firmware.services.network",
    outcome: Outcome = Outcome.FAIL,
    image: str = OLD_IMAGE,
    path: str | None = "/etc/init.d/rcS",
    line: int | None = 21,
    offset: int | None = None,
    discriminator: str = "network-shell:telnetd",
    title: str = "Network shell without authentication started at boot",
    evidence: dict[str, object] | None = None,
) -> Finding:
    return Finding(
        check=check,
        outcome=outcome,
        provisions=("EN303645:5.5-4",),
        severity=Severity.HIGH,
        title=title,
        location=Location(image=image, path=path, line=line, offset=offset),
        discriminator=discriminator,
        evidence=evidence or {},
    )


def assessment(
    findings: Sequence[Finding],
    verdicts: Sequence[Verdict] = (),
    image: str = OLD_IMAGE,
    checks: Sequence[CheckRun] | None = None,
) -> Assessment:
    return Assessment(
        tool_version="1.0",
        created="2026-11-26T10:00:00+00:00",
        product={},
        inputs=(Input("firmware", f"/firmware/{image}"),),
        findings=tuple(findings),
        verdicts=tuple(verdicts),
        checks=tuple(checks) if checks is not None else tuple(CheckRun(c, "1", (), "ran") for c in CHECKS),
    )


def compare(
    old: Sequence[Finding],
    new: Sequence[Finding],
    old_verdicts: Sequence[Verdict] = (),
    new_verdicts: Sequence[Verdict] = (),
    old_components: Sequence[ComponentRef] = (),
    new_components: Sequence[ComponentRef] = (),
    new_checks: Sequence[CheckRun] | None = None,
) -> AssessmentDiff:
    before = Release("old", assessment(old, old_verdicts), tuple(old_components), "scan")
    after = Release("new", assessment(new, new_verdicts, NEW_IMAGE, new_checks), tuple(new_components), "scan")
    return diff_releases(before, after)


def moved(
    f: Finding,
    *,
    outcome: Outcome | None = None,
    discriminator: str | None = None,
    title: str | None = None,
    evidence: dict[str, object] | None = None,
    **place: str | int | None,
) -> Finding:
    """`f` as the new release reports it: in the new image, with the changes given."""
    return dataclasses.replace(
        f,
        location=dataclasses.replace(f.location, image=NEW_IMAGE, **place),  # type: ignore[arg-type]
        outcome=outcome or f.outcome,
        discriminator=f.discriminator if discriminator is None else discriminator,
        title=title or f.title,
        evidence=f.evidence if evidence is None else evidence,
    )


def verdict(provision: str, value: VerdictValue, standard: str = "EN303645") -> Verdict:
    return Verdict(standard, provision, value, f"{provision} is {value.value}")


TELNET = finding()
WEAK_ROOT = finding(
    "firmware.accounts.default-password", path="/etc/shadow", line=1, discriminator="cracked:root", title="root: admin"
)
KERNEL_CVE = finding(
    "firmware.components.vulnerabilities",
    path=f"/{OLD_IMAGE}_extract/part0_extract/0-112307.uimage_extract/kernel.bin",
    line=None,
    offset=98318,
    discriminator="linux-kernel@4.14.180",
    title="linux 4.14.180: known exploited CVE-2021-22555",
    evidence={"vulnerabilities": [{"id": "CVE-2021-22555"}, {"id": "CVE-2024-1086"}]},
)


# --- findings


def test_a_removed_weakness_is_fixed_and_the_rest_unchanged_under_another_image_name() -> None:
    result = compare([TELNET, WEAK_ROOT], [moved(WEAK_ROOT)])

    assert result.findings.fixed == (TELNET,)
    assert result.findings.introduced == ()
    assert [f.location.image for f in result.findings.unchanged] == [NEW_IMAGE]
    assert result.regressions == ()


def test_a_file_outside_the_root_filesystem_matches_though_its_path_holds_the_image_name_and_chunk_offsets() -> None:
    relocated = f"/{NEW_IMAGE}_extract/part0_extract/0-131072.uimage_extract/kernel.bin"
    result = compare([KERNEL_CVE], [moved(KERNEL_CVE, path=relocated, offset=99000)])

    assert result.findings.fixed == result.findings.introduced == ()
    assert [f.location.path for f in result.findings.unchanged] == [relocated]


def test_a_line_added_above_a_weakness_moves_it_but_does_not_make_it_new() -> None:
    result = compare([TELNET], [moved(TELNET, line=25)])

    assert result.findings.fixed == result.findings.introduced == ()
    assert result.findings.unchanged[0].location.line == 25


def test_two_findings_of_one_key_pair_by_line_and_the_extra_one_is_introduced() -> None:
    first, second = finding(line=10), finding(line=30)
    result = compare([first], [moved(first, line=12), moved(second, line=40)])

    assert [f.location.line for f in result.findings.unchanged] == [12]
    assert [f.location.line for f in result.findings.introduced] == [40]
    assert [r.kind for r in result.regressions] == [RegressionKind.FINDING]


def test_the_exact_place_wins_over_a_looser_match() -> None:
    a, b = finding(line=10), finding(line=30)
    result = compare([a, b], [moved(b)])  # line 10 was removed, line 30 stayed

    assert [f.location.line for f in result.findings.fixed] == [10]
    assert [f.location.line for f in result.findings.unchanged] == [30]


def test_an_info_that_becomes_a_fail_at_the_same_place_is_introduced_and_stops_the_gate() -> None:
    hint = finding(outcome=Outcome.INFO)
    result = compare([hint], [moved(hint, outcome=Outcome.FAIL)])

    assert result.findings.fixed == (hint,)
    assert [f.outcome for f in result.findings.introduced] == [Outcome.FAIL]
    assert [r.subject for r in result.regressions] == [result.findings.introduced[0].id]


def test_a_fail_that_becomes_an_info_at_the_same_place_is_fixed_and_passes_the_gate() -> None:
    result = compare([TELNET], [moved(TELNET, outcome=Outcome.INFO)])

    assert result.findings.fixed == (TELNET,)
    assert [f.outcome for f in result.findings.introduced] == [Outcome.INFO]
    assert result.regressions == ()


def test_an_upgraded_component_with_the_same_cves_is_changed_not_introduced() -> None:
    upgraded = moved(KERNEL_CVE, discriminator="linux-kernel@4.14.200", path="/x/kernel.bin")
    result = compare([KERNEL_CVE], [upgraded])

    assert result.findings.fixed == result.findings.introduced == ()
    [change] = result.findings.changed
    assert (change.old, change.new) == (KERNEL_CVE, upgraded)
    assert change.new_vulnerabilities == change.fixed_vulnerabilities == ()
    assert result.regressions == ()


def test_an_upgrade_that_fixes_one_cve_and_brings_another_stops_the_gate() -> None:
    upgraded = moved(
        KERNEL_CVE,
        discriminator="linux-kernel@5.4.1",
        evidence={"vulnerabilities": [{"id": "CVE-2024-1086"}, {"id": "CVE-2025-0001"}]},
    )
    result = compare([KERNEL_CVE], [upgraded])

    [change] = result.findings.changed
    assert change.fixed_vulnerabilities == ("CVE-2021-22555",)
    assert change.new_vulnerabilities == ("CVE-2025-0001",)
    assert [(r.kind, r.subject) for r in result.regressions] == [(RegressionKind.VULNERABILITY, upgraded.id)]


def test_findings_of_a_check_that_did_not_run_on_the_new_release_are_not_called_fixed() -> None:
    runs = [CheckRun(c, "1", (), "error" if c == TELNET.check else "ran") for c in CHECKS]
    result = compare([TELNET, WEAK_ROOT], [moved(WEAK_ROOT)], new_checks=runs)

    assert result.findings.fixed == ()
    assert result.findings.not_compared_old == (TELNET,)
    assert result.checks.only_old == (TELNET.check,)
    assert [(r.kind, r.subject) for r in result.regressions] == [(RegressionKind.NOT_COMPARED, TELNET.check)]


def test_a_new_check_in_the_new_release_introduces_nothing() -> None:
    runs = [CheckRun(TELNET.check, "1", (), "ran"), CheckRun(WEAK_ROOT.check, "1", (), "ran")]
    before = Release("old", assessment([TELNET], checks=[runs[0]]), (), "scan")
    after = Release("new", assessment([moved(TELNET), moved(WEAK_ROOT)], image=NEW_IMAGE, checks=runs), (), "scan")
    result = diff_releases(before, after)

    assert result.findings.introduced == ()
    assert [f.check for f in result.findings.not_compared_new] == [WEAK_ROOT.check]
    assert result.checks.only_new == (WEAK_ROOT.check,)
    assert result.regressions == ()


def test_the_same_assessment_against_itself_has_no_differences() -> None:
    same = assessment([TELNET, WEAK_ROOT, KERNEL_CVE], [verdict("5.5-4", VerdictValue.FAIL)])
    result = diff_releases(Release("a", same, (), "scan"), Release("b", same, (), "scan"))

    assert len(result.findings.unchanged) == 3
    assert result.findings.fixed == result.findings.introduced == ()
    assert result.findings.changed == ()
    assert result.verdicts == () and result.regressions == ()


def test_neutral_text_takes_out_the_image_name_and_chunk_offsets_only_inside_extraction_folders() -> None:
    path = f"/{OLD_IMAGE}_extract/0-4096.trx_extract/4096-99999.squashfs_v4_le_extract/usr/lib/1-2.so"
    assert neutral_text(path, [OLD_IMAGE]) == "/{image}_extract/trx_extract/squashfs_v4_le_extract/usr/lib/1-2.so"
    assert neutral_text("/etc/1-2.conf", [OLD_IMAGE]) == "/etc/1-2.conf"
    assert neutral_text(f"inventory:{OLD_IMAGE}.2_extract/x", [OLD_IMAGE, f"{OLD_IMAGE}.2"]) == (
        "inventory:{image}_extract/x"
    )


# --- verdicts and the gate


def test_verdicts_that_changed_are_listed_with_old_and_new_and_a_new_fail_stops_the_gate() -> None:
    old = [
        verdict("5.5-4", VerdictValue.INCONCLUSIVE),
        verdict("5.1-1", VerdictValue.FAIL),
        verdict("5.3-1", VerdictValue.PASS),
    ]
    new = [
        verdict("5.5-4", VerdictValue.FAIL),
        verdict("5.1-1", VerdictValue.PASS),
        verdict("5.3-1", VerdictValue.PASS),
    ]
    result = compare([], [], old, new)

    assert [(v.provision, v.to_dict()["old"], v.to_dict()["new"]) for v in result.verdicts] == [
        ("5.5-4", "INCONCLUSIVE", "FAIL"),
        ("5.1-1", "FAIL", "PASS"),
    ]
    assert [(r.kind, r.subject) for r in result.regressions] == [(RegressionKind.VERDICT, "EN303645:5.5-4")]


def test_a_provision_judged_only_in_the_new_release_as_fail_stops_the_gate() -> None:
    result = compare([], [], [], [verdict("5.6-1", VerdictValue.FAIL)])

    assert result.verdicts[0].old is None
    assert result.regressions[0].text == "EN303645 5.6-1: not judged -> FAIL"


def test_fixing_everything_passes_the_gate() -> None:
    result = compare(
        [TELNET, WEAK_ROOT], [], [verdict("5.5-4", VerdictValue.FAIL)], [verdict("5.5-4", VerdictValue.INCONCLUSIVE)]
    )

    assert result.findings.fixed == (TELNET, WEAK_ROOT)
    assert result.regressions == ()


# --- components


def ref(name: str, version: str | None, key: str | None = None) -> ComponentRef:
    return ComponentRef(name, version, key)


def test_components_upgraded_downgraded_added_and_removed_by_name() -> None:
    old = [ref("openwrt", "19.07.7"), ref("busybox", "1.36.1"), ref("dnsmasq", "2.90"), ref("telnetd", "1.0")]
    new = [ref("OpenWrt", "19.07.10", "openwrt"), ref("busybox", "1.35.0"), ref("dnsmasq", "2.90"), ref("curl", None)]
    result = compare_components(old, new)

    assert {(c.name, c.old_version, c.new_version, c.change) for c in result.changed} == {
        ("OpenWrt", "19.07.7", "19.07.10", VersionChange.UPGRADED),  # 10 > 7 as numbers, not as text
        ("busybox", "1.36.1", "1.35.0", VersionChange.DOWNGRADED),
    }
    assert [c.key for c in result.changed] == [None, "openwrt"]  # in name order
    assert result.added == (ref("curl", None),)
    assert result.removed == (ref("telnetd", "1.0"),)


def test_a_component_listed_twice_pairs_the_versions_both_sides_do_not_share() -> None:
    old = [ref("zlib", "1.2.13"), ref("zlib", "1.2.11")]
    new = [ref("zlib", "1.3.1"), ref("zlib", "1.2.13")]
    result = compare_components(old, new)

    assert [(c.old_version, c.new_version, c.change) for c in result.changed] == [
        ("1.2.11", "1.3.1", VersionChange.UPGRADED)
    ]
    assert result.added == result.removed == ()


def test_equal_versions_in_another_spelling_are_no_change_and_an_unknown_version_is_changed() -> None:
    result = compare_components([ref("a", "1.0"), ref("b", "2.0")], [ref("a", "1.0.0"), ref("b", None)])

    assert [(c.name, c.change) for c in result.changed] == [("b", VersionChange.CHANGED)]


# --- renderings


def test_text_and_markdown_list_fixed_and_introduced_first_and_show_hostile_titles_as_text() -> None:
    hostile = moved(WEAK_ROOT, title="[red]<script>x</script>\x1b[2J|", discriminator="cracked:admin")
    result = compare([TELNET, WEAK_ROOT], [moved(WEAK_ROOT), hostile], old_components=[ref("openwrt", "19.07.7")],
                     new_components=[ref("openwrt", "19.07.10")])  # fmt: skip

    text = render_text(result)
    assert text.index("Fixed (1)") < text.index("Introduced (1)") < text.index("Verdicts changed")
    assert "\x1b" not in text and "\\x1b[2J" in text
    assert "openwrt 19.07.7 -> 19.07.10 (upgraded)" in text
    markdown = render_markdown(result)
    assert markdown.index("Fixed (1)") < markdown.index("Introduced (1)") < markdown.index("Components")
    assert "<script>" not in markdown and "&lt;script&gt;" in markdown
    assert "Release gate (`--fail-on-new`): ❌ 1 regressions" in markdown


def test_the_json_document_has_the_interface_scripts_rely_on() -> None:
    result = compare([TELNET, WEAK_ROOT], [moved(WEAK_ROOT)], [verdict("5.5-4", VerdictValue.FAIL)],
                     [verdict("5.5-4", VerdictValue.INCONCLUSIVE)], [ref("a", "1")], [ref("a", "2")])  # fmt: skip
    document = result.to_dict()

    assert {"fixed", "introduced", "unchanged", "components", "verdicts"} <= document.keys()
    assert document["fixed"] == [TELNET.to_dict()]  # findings as in report.json
    assert document["introduced"] == []
    assert document["unchanged"] == [moved(WEAK_ROOT).to_dict()]
    assert set(document["components"]) == {"added", "removed", "changed"}
    assert document["components"]["changed"][0]["change"] == "upgraded"
    assert document["verdicts"] == [
        {
            "standard": "EN303645",
            "provision": "5.5-4",
            "old": "FAIL",
            "new": "INCONCLUSIVE",
            "old_reason": "5.5-4 is FAIL",
            "new_reason": "5.5-4 is INCONCLUSIVE",
        }
    ]


def diff_validator() -> jsonschema.Draft202012Validator:
    registry: Registry[bool | Mapping[str, Any]] = Registry().with_resource(
        "urn:iotbaseline:schema:report:1", Resource.from_contents(report_schema())
    )
    return jsonschema.Draft202012Validator(diff_schema(), registry=registry)


def test_every_diff_document_follows_the_published_schema() -> None:
    upgraded = moved(KERNEL_CVE, discriminator="linux-kernel@5.4.1", evidence={"vulnerabilities": [{"id": "CVE-1"}]})
    result = compare(
        [TELNET, WEAK_ROOT, KERNEL_CVE],
        [moved(WEAK_ROOT), upgraded, moved(TELNET, outcome=Outcome.INFO)],
        [verdict("5.5-4", VerdictValue.FAIL), verdict("5.1-1", VerdictValue.PASS)],
        [verdict("5.5-4", VerdictValue.INCONCLUSIVE)],
        [ref("a", "1"), ref("b", None)],
        [ref("a", "2", "a"), ref("c", "3")],
    )
    document = result.to_dict()

    diff_validator().validate(document)
    assert document["verdicts"][-1]["new"] is None  # 5.1-1 not judged in the new release
    document["components"]["changed"][0]["change"] = "sideways"
    assert not diff_validator().is_valid(document)

"""The CycloneDX VEX: valid CycloneDX 1.6, one analysis per CVE that says how each match stands (not affected by the
manufacturer's statement, exploitable when KEV-listed, in triage otherwise), joined to the SBOM by bom-ref, and
read back by our own VEX loader."""

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from iotbaseline.components.model import Component, Evidence, Method
from iotbaseline.sbom import CYCLONEDX_FILE, VEX_FILE, ImageInfo, write_sbom
from iotbaseline.sbom.cyclonedx_vex import cyclonedx_vex_json
from iotbaseline.vulndb import MatchReason, MatchStatus, NotAffected, VulnerabilityMatch, apply_vex, load_vex
from iotbaseline.vulndb.records import CvssScore, KevEntry

IMAGE = ImageInfo("router.bin", "ab" * 32, 4096, "1.2.3")


def _component(name: str, version: str | None, cpe: str | None = None) -> Component:
    purl = f"pkg:generic/{name}" + (f"@{version}" if version else "")
    evidence = (Evidence(Method.SIGNATURE, f"/usr/bin/{name}", f"{name} {version}", 10, "cd" * 32, None, None, 0.8),)
    return Component(name, name, version, "application", purl, cpe, 0.8, evidence)


DNSMASQ = _component("dnsmasq", "2.90", "cpe:2.3:a:thekelleys:dnsmasq:2.90:*:*:*:*:*:*:*")
BUSYBOX_OLD = _component("busybox", "1.35.0", "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*")
BUSYBOX_NEW = _component("busybox", "1.36.1", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*")
OPENSSL = _component("openssl", "1.0.2", "cpe:2.3:a:openssl:openssl:1.0.2:u:*:*:*:*:*:*")  # the matcher says 1.0.2u
XCRYPT = _component("libxcrypt", None)
INVENTORY = [BUSYBOX_OLD, BUSYBOX_NEW, DNSMASQ, XCRYPT, OPENSSL]

V31 = CvssScore("3.1", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "HIGH")
V40 = CvssScore("4.0", 8.7, "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", "HIGH")
KEV = KevEntry(
    "CVE-2023-0001", "Busybox", "BusyBox", "BusyBox overflow", "2024-03-05", "An overflow.",
    "Apply mitigations per vendor instructions.", "2024-03-26", "Known", "",
)  # fmt: skip


def _match(
    component: str,
    version: str,
    cve_id: str,
    status: MatchStatus = MatchStatus.AFFECTED,
    conditions: tuple[str, ...] = (),
    kev: KevEntry | None = None,
    not_affected: NotAffected | None = None,
) -> VulnerabilityMatch:
    reason = MatchReason(f"cpe:2.3:a:{component}:{component}:*:*:*:*:*:*:*:*", f"{version} < 9.9 (versionEndExcluding)")
    return VulnerabilityMatch(
        component, version, cve_id, status, (reason,), conditions, f"{cve_id} description", V31, V40, kev, not_affected
    )


EXPLOITED = _match("busybox", "1.35.0", "CVE-2023-0001", kev=KEV)
AFFECTED = _match("dnsmasq", "2.90", "CVE-2023-0002")
CONDITIONAL = _match(
    "dnsmasq", "2.90", "CVE-2023-0003", MatchStatus.CONDITIONAL, ("running on cpe:2.3:h:acme:r100:-:*:*:*:*:*:*:*",)
)
NOT_PRESENT = _match(
    "openssl",
    "1.0.2u",
    "CVE-2023-0004",
    not_affected=NotAffected("code_not_present", "SSLv2 is not built.", "vex.yaml"),
)


def _vex(matches: list[VulnerabilityMatch], components: list[Component] | None = None) -> dict[str, Any]:
    text = cyclonedx_vex_json(INVENTORY if components is None else components, matches, IMAGE)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document: dict[str, Any] = json.loads(text)
    return document


def _only(document: dict[str, Any], cve_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [v for v in document["vulnerabilities"] if v["id"] == cve_id]
    assert len(found) == 1
    return found[0]


def _properties(vulnerability: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in vulnerability.get("properties", []) if p["name"] == name]


def test_every_analysis_state_validates_against_cyclonedx_16() -> None:
    false_positive = _match("busybox", "1.36.1", "CVE-2023-0005", not_affected=NotAffected("false_positive", "", "v"))
    document = _vex([EXPLOITED, AFFECTED, CONDITIONAL, NOT_PRESENT, false_positive])
    assert document["specVersion"] == "1.6"
    states = {v["id"]: v["analysis"]["state"] for v in document["vulnerabilities"]}
    assert states == {
        "CVE-2023-0001": "exploitable",
        "CVE-2023-0002": "in_triage",
        "CVE-2023-0003": "in_triage",
        "CVE-2023-0004": "not_affected",
        "CVE-2023-0005": "false_positive",
    }
    assert document["metadata"]["component"]["bom-ref"] == f"firmware:{'ab' * 32}"


def test_a_kev_listed_match_is_exploitable_with_the_kev_dates_and_ransomware_use() -> None:
    vulnerability = _only(_vex([EXPLOITED]), "CVE-2023-0001")
    detail = vulnerability["analysis"]["detail"]
    assert "date added 2024-03-05" in detail and "due date 2024-03-26" in detail
    assert "known ransomware campaign use: Known" in detail
    assert vulnerability["recommendation"] == KEV.required_action
    assert _properties(vulnerability, "iotbaseline:kev:due_date") == ["2024-03-26"]
    [affects] = vulnerability["affects"]
    assert affects["versions"] == [{"version": "1.35.0", "status": "affected"}]


def test_an_affected_match_not_in_kev_is_in_triage_and_keeps_its_reason() -> None:
    vulnerability = _only(_vex([AFFECTED]), "CVE-2023-0002")
    assert vulnerability["analysis"]["state"] == "in_triage"
    assert "justification" not in vulnerability["analysis"]
    assert "2.90 < 9.9 (versionEndExcluding)" in vulnerability["analysis"]["detail"]
    assert _properties(vulnerability, "iotbaseline:match:reason") == [
        "dnsmasq 2.90: cpe:2.3:a:dnsmasq:dnsmasq:*:*:*:*:*:*:*:*: 2.90 < 9.9 (versionEndExcluding)"
    ]
    assert _properties(vulnerability, "iotbaseline:match:status") == ["dnsmasq 2.90: affected"]
    assert vulnerability["affects"][0]["versions"] == [{"version": "2.90", "status": "affected"}]


def test_a_conditional_match_is_in_triage_with_the_unmet_condition_and_an_unknown_status() -> None:
    vulnerability = _only(_vex([CONDITIONAL]), "CVE-2023-0003")
    assert vulnerability["analysis"]["state"] == "in_triage"
    assert "holds only running on cpe:2.3:h:acme:r100" in vulnerability["analysis"]["detail"]
    assert _properties(vulnerability, "iotbaseline:match:condition") == [
        "dnsmasq 2.90: running on cpe:2.3:h:acme:r100:-:*:*:*:*:*:*:*"
    ]
    assert vulnerability["affects"][0]["versions"] == [{"version": "2.90", "status": "unknown"}]


def test_a_kev_listed_conditional_match_stays_in_triage_but_names_the_kev_listing() -> None:
    vulnerability = _only(_vex([replace(CONDITIONAL, kev=KEV)]), "CVE-2023-0003")
    assert vulnerability["analysis"]["state"] == "in_triage"
    assert "Known Exploited Vulnerabilities" in vulnerability["analysis"]["detail"]


def test_a_manufacturer_statement_outranks_the_kev_listing() -> None:
    statement = NotAffected("protected_at_perimeter", "Only reachable from the LAN.", "vex.yaml")
    vulnerability = _only(_vex([replace(EXPLOITED, not_affected=statement)]), "CVE-2023-0001")
    assert vulnerability["analysis"] == {
        "state": "not_affected",
        "justification": "protected_at_perimeter",
        "detail": "Only reachable from the LAN.",
    }
    assert vulnerability["affects"][0]["versions"] == [{"version": "1.35.0", "status": "unaffected"}]
    assert _properties(vulnerability, "iotbaseline:kev:date_added") == ["2024-03-05"]


@pytest.mark.parametrize(
    ("stated", "justification"),
    [
        ("code_not_present", "code_not_present"),
        ("Code-Not-Reachable", "code_not_reachable"),
        ("requires configuration", "requires_configuration"),
        ("protected_by_mitigating_control", "protected_by_mitigating_control"),
    ],
)
def test_a_cyclonedx_justification_is_mapped_to_its_enum_value(stated: str, justification: str) -> None:
    match = replace(NOT_PRESENT, not_affected=NotAffected(stated, "Because.", "/home/maker/vex.yaml"))
    vulnerability = _only(_vex([match]), "CVE-2023-0004")
    assert vulnerability["analysis"] == {"state": "not_affected", "justification": justification, "detail": "Because."}
    assert _properties(vulnerability, "iotbaseline:vex:justification") == [stated]
    assert _properties(vulnerability, "iotbaseline:vex:source") == ["vex.yaml"]


def test_a_free_text_justification_is_omitted_and_kept_in_the_detail() -> None:
    statement = NotAffected("the telnet applet is not enabled", "See build config.", "vex.yaml")
    vulnerability = _only(_vex([replace(NOT_PRESENT, not_affected=statement)]), "CVE-2023-0004")
    analysis = vulnerability["analysis"]
    assert analysis["state"] == "not_affected" and "justification" not in analysis
    assert analysis["detail"] == "Justification: the telnet applet is not enabled\nSee build config."


def test_a_statement_without_justification_gives_the_bare_state() -> None:
    statement = NotAffected("not_affected", "", "vex.json")  # what load_vex gives for a statement with no justification
    analysis = _only(_vex([replace(NOT_PRESENT, not_affected=statement)]), "CVE-2023-0004")["analysis"]
    assert analysis == {"state": "not_affected"}


def test_ratings_carry_score_severity_method_and_vector_from_nvd() -> None:
    vulnerability = _only(_vex([AFFECTED]), "CVE-2023-0002")
    nvd = {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2023-0002"}
    assert vulnerability["source"] == nvd
    assert vulnerability["description"] == "CVE-2023-0002 description"
    ratings = {r["method"]: r for r in vulnerability["ratings"]}
    assert set(ratings) == {"CVSSv31", "CVSSv4"}
    assert (ratings["CVSSv31"]["score"], ratings["CVSSv31"]["severity"]) == (7.5, "high")
    assert ratings["CVSSv31"]["vector"].endswith("AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H")
    assert ratings["CVSSv4"]["source"] == nvd
    v30_only = replace(AFFECTED, severity=replace(V31, version="3.0", vector="CVSS:3.0/AV:N"), cvss_v4=None)
    assert [r["method"] for r in _only(_vex([v30_only]), "CVE-2023-0002")["ratings"]] == ["CVSSv3"]
    v4_only = replace(AFFECTED, severity=V40, cvss_v4=V40)  # NVD had no v3: the lead score is the v4 one
    assert [r["method"] for r in _only(_vex([v4_only]), "CVE-2023-0002")["ratings"]] == ["CVSSv4"]


def test_components_join_the_sbom_by_bom_ref(tmp_path: Path) -> None:
    one_cve_two_components = [_match("busybox", "1.35.0", "CVE-2023-0009"), _match("dnsmasq", "2.90", "CVE-2023-0009")]
    paths = write_sbom(INVENTORY, IMAGE, tmp_path, [*one_cve_two_components, NOT_PRESENT])
    assert [p.name for p in paths] == [CYCLONEDX_FILE, "sbom.spdx.json", VEX_FILE]
    sbom = json.loads((tmp_path / CYCLONEDX_FILE).read_text())
    vex = json.loads((tmp_path / VEX_FILE).read_text())
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str((tmp_path / VEX_FILE).read_text()) is None
    sbom_refs = {c["purl"] + " " + c.get("version", ""): c["bom-ref"] for c in sbom["components"]}
    vex_refs = {c["purl"] + " " + c.get("version", ""): c["bom-ref"] for c in vex["components"]}
    # Only the matched components; the other busybox and libxcrypt are in the SBOM alone.
    assert set(vex_refs) == {
        "pkg:generic/busybox@1.35.0 1.35.0",
        "pkg:generic/dnsmasq@2.90 2.90",
        OPENSSL.purl + " 1.0.2",
    }
    assert all(sbom_refs[key] == ref for key, ref in vex_refs.items())
    assert vex["metadata"]["component"]["bom-ref"] == sbom["metadata"]["component"]["bom-ref"]
    shared = _only(vex, "CVE-2023-0009")
    assert {a["ref"] for a in shared["affects"]} == {
        sbom_refs["pkg:generic/busybox@1.35.0 1.35.0"],
        sbom_refs["pkg:generic/dnsmasq@2.90 2.90"],
    }
    # The matcher names openssl 1.0.2u (version + CPE update); the join still finds the component.
    assert _only(vex, "CVE-2023-0004")["affects"][0]["ref"] == sbom_refs[OPENSSL.purl + " 1.0.2"]


def test_a_cve_whose_components_stand_differently_is_split_by_analysis() -> None:
    covered = _match("busybox", "1.35.0", "CVE-2023-0010", not_affected=NotAffected("code_not_present", "", "v"))
    uncovered = _match("dnsmasq", "2.90", "CVE-2023-0010")
    entries = [v for v in _vex([covered, uncovered])["vulnerabilities"] if v["id"] == "CVE-2023-0010"]
    by_state = {v["analysis"]["state"]: [a["ref"] for a in v["affects"]] for v in entries}
    assert by_state == {"not_affected": ["component-0:pkg:generic/busybox@1.35.0"], "in_triage": [
        "component-2:pkg:generic/dnsmasq@2.90"
    ]}  # fmt: skip
    assert len({v["bom-ref"] for v in entries}) == 2


def test_not_affected_statements_round_trip_through_load_vex(tmp_path: Path) -> None:
    on_old_busybox = _match(
        "busybox", "1.35.0", "CVE-2023-0011", not_affected=NotAffected("code_not_reachable", "", "v")
    )
    on_new_busybox = _match("busybox", "1.36.1", "CVE-2023-0011")
    on_dnsmasq = replace(AFFECTED, not_affected=NotAffected("requires_environment", "Needs DNSSEC.", "vex.yaml"))
    matches = [EXPLOITED, CONDITIONAL, on_dnsmasq, on_old_busybox, on_new_busybox]
    write_sbom(INVENTORY, IMAGE, tmp_path, matches)
    statements = load_vex(tmp_path / VEX_FILE)
    assert {(s.cve_id, s.component, s.justification, s.detail) for s in statements} == {
        ("CVE-2023-0002", DNSMASQ.purl, "requires_environment", "Needs DNSSEC."),
        ("CVE-2023-0011", BUSYBOX_OLD.purl, "code_not_reachable", ""),
    }
    bare = [replace(m, not_affected=None) for m in matches]
    assert [m.not_affected.justification if m.not_affected else None for m in apply_vex(bare, statements)] == [
        None,
        None,
        "requires_environment",
        "code_not_reachable",
        None,
    ]


def test_a_statement_on_a_distribution_package_round_trips(tmp_path: Path) -> None:
    package = replace(_component("dnsmasq-base", "2.90"), purl="pkg:deb/dnsmasq-base@2.90-4~deb12u2")
    statement = NotAffected("code_not_present", "", "vex.yaml")
    match = _match("dnsmasq-base", "2.90", "CVE-2023-0012", not_affected=statement)
    write_sbom([package], IMAGE, tmp_path, [match])
    [reapplied] = apply_vex([replace(match, not_affected=None)], load_vex(tmp_path / VEX_FILE))
    assert reapplied.not_affected is not None


def test_no_matches_is_a_valid_vex_without_vulnerabilities(tmp_path: Path) -> None:
    paths = write_sbom(INVENTORY, IMAGE, tmp_path, [])
    assert paths[-1].name == VEX_FILE
    text = paths[-1].read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document = json.loads(text)
    assert document.get("vulnerabilities", []) == [] and document.get("components", []) == []
    assert document["metadata"]["component"]["name"] == "router.bin"
    assert {"name": "iotbaseline:vex:matches", "value": "0"} in document["metadata"]["properties"]
    assert load_vex(paths[-1]) == []


def test_without_matches_no_vex_is_written(tmp_path: Path) -> None:
    paths = write_sbom(INVENTORY, IMAGE, tmp_path)
    assert [p.name for p in paths] == [CYCLONEDX_FILE, "sbom.spdx.json"]
    assert not (tmp_path / VEX_FILE).exists()

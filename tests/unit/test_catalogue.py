"""The standards catalogue: its data checked against the reference (shared/standards/REFERENCE.md), its loader's
refusal of broken files, and the `catalogue` command."""

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from iotbaseline.catalogue import Catalogue, CatalogueError, default_catalogue, load_catalogue, packaged_sources
from iotbaseline.catalogue_cli import catalogue as catalogue_command
from iotbaseline.model import EvidenceChannel, Obligation


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return default_catalogue()


def obligations(cat: Catalogue, standard: str) -> Counter[Obligation]:
    return Counter(p.obligation for p in cat.provisions(standard))


# --- EN 303 645 V2.1.1 ----------------------------------------------------------------------------------


def test_en303645_v2_has_68_provisions_33_mandatory_and_35_recommended(cat: Catalogue) -> None:
    assert len(cat.provisions("EN303645")) == 68
    assert obligations(cat, "EN303645") == {Obligation.MANDATORY: 33, Obligation.RECOMMENDED: 35}
    assert cat.get("EN303645:4-1").obligation is Obligation.MANDATORY


@pytest.mark.parametrize(
    ("pid", "status", "conditions"),
    [
        ("5.1-1", "M C (1)", ("1",)),
        ("5.1-5", "M C (5)", ("5",)),
        ("5.3-6", "R C (9, 12)", ("9", "12")),
        ("5.3-10", "M C (11, 12)", ("11", "12")),
        ("5.3-14", "R C (3, 4)", ("3", "4")),
        ("5.6-4", "M C (13)", ("13",)),
        ("6-2", "M C (7)", ("7",)),
        ("5.3-13", "M", ()),
        ("5.6-3", "R", ()),
    ],
)
def test_en303645_v2_statuses_follow_annex_b(
    cat: Catalogue, pid: str, status: str, conditions: tuple[str, ...]
) -> None:
    provision = cat.get(f"EN303645:{pid}")
    assert (provision.status, provision.conditions) == (status, conditions)


def test_en303645_v2_condition_table_numbers_1_to_13(cat: Catalogue) -> None:
    table = cat.conditions("EN303645")
    assert list(table) == [str(n) for n in range(1, 14)]
    assert "debug" in table["13"]


def test_en303645_v2_only_4_1_is_unconfirmed(cat: Catalogue) -> None:
    assert [p.id for p in cat.provisions("EN303645") if not p.confirmed] == ["4-1"]


# --- EN 303 645 V3.1.3 ----------------------------------------------------------------------------------


def test_en303645_v3_has_78_provisions_36_mandatory_and_42_recommended(cat: Catalogue) -> None:
    assert len(cat.provisions("EN303645-V3")) == 78
    assert obligations(cat, "EN303645-V3") == {Obligation.MANDATORY: 36, Obligation.RECOMMENDED: 42}


@pytest.mark.parametrize(
    ("pid", "status", "conditions"),
    [
        ("5.1-5", "MCF(14,e)", ("C14", "e")),
        ("5.1-1", "MF(a)", ("a",)),
        ("5.3-2", "MC(15)", ("C15",)),
        ("5.3-8", "MC(12)", ("C12",)),
        ("5.3-14", "RC(3)", ("C3",)),
        ("5.5-8", "MC(16)", ("C16",)),
        ("5.6-4A", "MF(q)", ("q",)),
        ("6-7", "RF(aa)", ("aa",)),
        ("5.13-1B", "M", ()),
    ],
)
def test_en303645_v3_statuses_follow_the_table_b1_transcription(
    cat: Catalogue, pid: str, status: str, conditions: tuple[str, ...]
) -> None:
    provision = cat.get(f"EN303645-V3:{pid}")
    assert (provision.status, provision.conditions) == (status, conditions)


def test_en303645_v3_is_entirely_unconfirmed_because_its_table_is_one_transcription(cat: Catalogue) -> None:
    assert not any(p.confirmed for p in cat.provisions("EN303645-V3"))


def test_en303645_v3_tables_hold_conditions_c3_c12_c14_to_c16_and_features_a_to_aa(cat: Catalogue) -> None:
    standard = cat.standard("EN303645-V3")
    assert list(standard.conditions) == ["C3", "C12", "C14", "C15", "C16"]
    assert list(standard.features) == [*"abcdefghijklmnopqrstuvwxyz", "aa"]


def test_en303645_v3_split_provisions_map_to_their_v2_ancestor(cat: Catalogue) -> None:
    assert cat.get("EN303645-V3:5.0-1").maps_to == ("EN303645:4-1",)
    assert cat.get("EN303645-V3:5.3-6B").maps_to == ("EN303645:5.3-6",)
    assert cat.get("EN303645-V3:5.13-1A").maps_to == ("EN303645:5.13-1",)
    assert cat.get("EN303645-V3:6-6").maps_to == ()


# --- PSTI -----------------------------------------------------------------------------------------------


def test_every_psti_requirement_has_a_deemed_compliance_route_whose_provisions_exist(cat: Catalogue) -> None:
    assert [p.id for p in cat.provisions("PSTI")] == ["1", "2", "3"]
    for requirement in cat.provisions("PSTI"):
        routes = cat.deemed_compliance(requirement.qualified_id)
        assert routes, requirement.id
        for route in routes:
            assert [cat.get(qid).qualified_id for qid in route.all_of] == list(route.all_of)


def test_psti_routes_cite_en303645_v2_and_iso_29147(cat: Catalogue) -> None:
    assert [r.all_of for r in cat.deemed_compliance("1")] == [("EN303645:5.1-1", "EN303645:5.1-2")]
    assert [r.all_of for r in cat.deemed_compliance("PSTI:2")] == [
        ("EN303645:5.2-1",),
        ("ISO29147:6.2.2", "ISO29147:6.2.5", "ISO29147:6.5"),
    ]
    assert [r.all_of for r in cat.deemed_compliance("3")] == [("EN303645:5.3-13",)]
    assert cat.get("PSTI:2").maps_to == ("EN303645:5.2-1", "ISO29147:6.2.2", "ISO29147:6.2.5", "ISO29147:6.5")


def test_psti_schedules_3_and_4_are_data_and_schedule_4_is_unconfirmed(cat: Catalogue) -> None:
    psti = cat.standard("PSTI")
    assert {"ev-charge-points", "medical-devices", "smart-meters", "computers"} <= {
        item.id for item in psti.excepted_products
    }
    assert psti.statement_of_compliance
    assert not any(item.confirmed for item in psti.statement_of_compliance)


# --- Code of Practice, CRA, EN 18031 --------------------------------------------------------------------

COP_CLAUSES = {str(n): {f"5.{n}"} for n in range(1, 14)} | {"8": {"5.8", "6"}}


def test_each_cop_guideline_maps_to_every_provision_of_its_en303645_clause(cat: Catalogue) -> None:
    assert [p.id for p in cat.provisions("COP2018")] == [str(n) for n in range(1, 14)]
    for guideline in cat.provisions("COP2018"):
        expected = COP_CLAUSES[guideline.id]
        assert expected <= set(cat.clauses("EN303645"))
        clause_provisions = [p.qualified_id for p in cat.provisions("EN303645") if p.clause in expected]
        assert list(guideline.maps_to) == clause_provisions
        assert guideline.obligation is Obligation.INFORMATIVE


def test_cop_channels_are_the_partial_union_of_its_provisions_channels(cat: Catalogue) -> None:
    for guideline in cat.provisions("COP2018"):
        union = {c for qid in guideline.maps_to for c in cat.get(qid).channels}
        assert set(guideline.channels) == union
        assert cat.partial_channels(guideline.qualified_id) == guideline.channels


def test_cra_lists_annex_i_part_i_and_part_ii(cat: Catalogue) -> None:
    ids = [p.id for p in cat.provisions("CRA")]
    assert ids == ["I.1", *(f"I.2({c})" for c in "abcdefghijklm"), *(f"II.{n}" for n in range(1, 9))]


def test_cra_and_en18031_mappings_are_marked_indicative(cat: Catalogue) -> None:
    for standard in ("CRA", "EN18031"):
        for provision in cat.provisions(standard):
            if provision.maps_to:
                assert not provision.confirmed, provision.qualified_id
                assert "indicative" in provision.note, provision.qualified_id
    assert cat.get("CRA:II.5").maps_to == ("EN303645:5.2-1",)
    assert cat.get("CRA:II.1").maps_to == ()  # the SBOM has no EN 303 645 counterpart


@pytest.mark.parametrize(
    ("rid", "parts"),
    [("ACM-1", (1, 2, 3)), ("ACM-4", (2,)), ("AUM-1-3", (3,)), ("AUM-2-2", (2, 3)), ("RLM-1", (1,)), ("GEC-8", (3,))],
)
def test_en18031_requirements_know_which_parts_they_belong_to(cat: Catalogue, rid: str, parts: tuple[int, ...]) -> None:
    assert cat.parts(f"EN18031:{rid}") == parts


def test_en18031_has_every_requirement_family_of_the_reference(cat: Catalogue) -> None:
    families = {p.clause for p in cat.provisions("EN18031")}
    expected = {"ACM", "AUM", "SUM", "SSM", "SCM", "RLM", "NMM", "TCM", "LGM", "DLM", "UNM", "CCK", "GEC", "CRY"}
    assert families == expected


# --- across the catalogue -------------------------------------------------------------------------------


def test_every_maps_to_resolves_to_a_provision_of_another_standard(cat: Catalogue) -> None:
    for standard in cat.standards():
        for provision in cat.provisions(standard):
            for target in provision.maps_to:
                assert cat.get(target).standard != standard, (provision.qualified_id, target)


def test_every_condition_code_has_a_meaning(cat: Catalogue) -> None:
    for standard in cat.standards():
        table = cat.conditions(standard)
        for provision in cat.provisions(standard):
            assert set(provision.conditions) <= table.keys(), provision.qualified_id


def test_documents_alone_decide_the_psti_support_period_but_firmware_only_helps_on_5_1_2(cat: Catalogue) -> None:
    by_documents = {p.qualified_id for p in cat.evidenced_by(EvidenceChannel.DOCUMENTS, fully=True)}
    assert {"EN303645:5.2-1", "EN303645:5.3-13", "PSTI:3"} <= by_documents
    firmware = {p.id for p in cat.evidenced_by(EvidenceChannel.FIRMWARE, standard="EN303645")}
    firmware_alone = {p.id for p in cat.evidenced_by(EvidenceChannel.FIRMWARE, standard="EN303645", fully=True)}
    assert "5.1-2" in firmware - firmware_alone
    assert "5.4-3" in firmware_alone


def test_unknown_ids_are_a_catalogue_error(cat: Catalogue) -> None:
    with pytest.raises(CatalogueError, match=r"EN303645:9\.9-9"):
        cat.get("EN303645:9.9-9")
    with pytest.raises(CatalogueError, match="no standard 'NOPE'"):
        cat.get("NOPE:1")


def test_catalogue_files_are_found_as_package_resources() -> None:
    names = [source.name for source in packaged_sources()]
    assert {"EN303645.yaml", "EN303645-V3.yaml", "PSTI.yaml", "COP2018.yaml", "CRA.yaml", "EN18031.yaml"} <= set(names)


# --- the loader refuses broken files --------------------------------------------------------------------

GOOD_PROVISION = """\
  - id: "1"
    clause: "A"
    title: Something in our words
    status: M C (1)
    obligation: mandatory
    conditions: ["1"]
    channels: {documents: full}
    maps_to: ["EN303645:5.1-1"]
"""

BROKEN_FILE = """\
standard: BROKEN
title: A test standard
version: "1"
clauses:
  A: Clause A
conditions:
  "1": something holds
provisions:
{provision}"""


def load_with(tmp_path: Path, provision: str) -> Catalogue:
    path = tmp_path / "BROKEN.yaml"
    path.write_text(BROKEN_FILE.format(provision=provision))
    return load_catalogue([*packaged_sources(), path])


def test_a_well_formed_extra_file_loads_beside_the_packaged_ones(tmp_path: Path) -> None:
    loaded = load_with(tmp_path, GOOD_PROVISION)
    assert loaded.get("BROKEN:1").maps_to == ("EN303645:5.1-1",)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"EN303645:5.1-1"', '"EN303645:5.1-9"', "EN303645 has no provision '5.1-9'"),
        ('"EN303645:5.1-1"', '"EN303645:7.7-*"', "matches no provision"),
        ('"EN303645:5.1-1"', '"NOPE:1"', "no standard 'NOPE'"),
        ("obligation: mandatory", "obligation: must", "obligation 'must' is not one of"),
        ('conditions: ["1"]', 'conditions: ["2"]', "condition '2' is not in"),
        ("status: M C (1)", "status: R C (1)", "contradicts obligation mandatory"),
        ("status: M C (1)", "status: M (1)", "C needs condition numbers"),
        ('clause: "A"', 'clause: "B"', "clause 'B' is not in"),
        ('clause: "A"', "clause: 5.10", "quote it"),
        ("channels: {documents: full}", "channels: {documents: most}", "strength 'most'"),
        ("channels: {documents: full}", "channels: {radio: full}", "channel 'radio'"),
        ("    title: Something", "    colour: blue\n    title: Something", "unknown key 'colour'"),
        ("    title: Something", "    title: Twice\n    title: Something", "given twice"),
    ],
)
def test_the_loader_rejects_a_broken_file_naming_the_file_and_the_provision(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in GOOD_PROVISION
    with pytest.raises(CatalogueError, match=r"BROKEN\.yaml") as raised:
        load_with(tmp_path, GOOD_PROVISION.replace(old, new))
    assert message in str(raised.value)
    if "given twice" not in message:  # YAML syntax errors point at a line instead of a provision
        assert "provision 1" in str(raised.value)


def test_the_loader_rejects_a_provision_id_used_twice(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"BROKEN\.yaml: provision 1 is defined twice"):
        load_with(tmp_path, GOOD_PROVISION + GOOD_PROVISION)


def test_the_loader_rejects_a_file_whose_name_disagrees_with_its_standard(tmp_path: Path) -> None:
    path = tmp_path / "OTHER.yaml"
    path.write_text(BROKEN_FILE.format(provision=GOOD_PROVISION))
    with pytest.raises(CatalogueError, match=r"OTHER\.yaml: standard is 'BROKEN'"):
        load_catalogue([*packaged_sources(), path])


# --- the catalogue command ------------------------------------------------------------------------------


def test_catalogue_json_parses_and_holds_provisions_and_condition_table() -> None:
    result = CliRunner().invoke(catalogue_command, ["--standard", "en303645", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["provisions"]) == 68
    assert data["standards"][0]["conditions"]["11"] == "updates are delivered over a network interface"
    first = data["provisions"][0]
    assert {"qualified_id", "status", "obligation", "conditions", "channels", "confirmed", "maps_to"} <= first.keys()


def test_catalogue_json_of_everything_parses() -> None:
    result = CliRunner().invoke(catalogue_command, ["--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {s["standard"] for s in data["standards"]} >= {"EN303645", "EN303645-V3", "PSTI", "COP2018", "CRA"}
    psti_1 = next(p for p in data["provisions"] if p["qualified_id"] == "PSTI:1")
    assert psti_1["deemed_compliance"][0]["all_of"] == ["EN303645:5.1-1", "EN303645:5.1-2"]


def test_catalogue_table_marks_unconfirmed_provisions() -> None:
    result = CliRunner().invoke(catalogue_command, ["--standard", "PSTI"])
    assert result.exit_code == 0, result.output
    assert "? not confirmed by the reference (1)" in " ".join(result.output.split())


def test_catalogue_unknown_standard_is_one_line_and_exit_code_2() -> None:
    result = CliRunner().invoke(catalogue_command, ["--standard", "ISO27001"])
    assert result.exit_code == 2
    assert "no standard 'ISO27001'" in result.output

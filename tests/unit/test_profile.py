"""The product profile: a filled file loads and answers the verdict engine's questions; every way a file can
be wrong is reported at its line, all at once; the `init` template loads as written."""

import dataclasses
import json
import textwrap
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from iotbaseline.assess import assess
from iotbaseline.catalogue import default_catalogue
from iotbaseline.errors import IotBaselineError
from iotbaseline.model import VerdictValue
from iotbaseline.profile import (
    FEATURES,
    Claim,
    ProductProfile,
    ProfileError,
    Support,
    UpdateMethod,
    load_profile,
    render_template,
)
from iotbaseline.profile.features import EN303645, EN303645_V3
from iotbaseline.profile.schema import SECTIONS, TOP_LEVEL_KEYS
from iotbaseline.profile_cli import init

CATALOGUE = default_catalogue()
MARK = "# <-"
"""Marks the line a problem must be reported at."""

FILLED = """\
manufacturer:
  name: Acme Devices Ltd
  address: 1 High Street, Cambridge CB1 1AA, United Kingdom
product:
  model_designation: AC-200
  product_type: indoor camera
  hardware_version: "1.10"
  firmware_version: "2.4.0"
  batch: 2024-W17
features:
  uses_passwords: yes
  preinstalled_passwords: no
  non_updatable_components: no
  constrained_device: no
  telemetry: yes
  consent_based_processing: yes
  user_authentication: yes
  automatic_updates_or_notifications: yes
  hard_coded_unique_identity: no
  network_updates: yes
  update_mechanism: yes
update_delivery:
  methods: [https-download, vendor-app]
  signed: yes
vulnerability_disclosure:
  policy_url: https://acme.example/security/disclosure
  contact: security@acme.example
  acknowledgement_time: 5 working days
  status_update_time: every 30 days
support_period:
  statement_url: https://acme.example/support-period
  start_date: 2024-05-01
  end_date: 2029-04-30
statement_of_compliance: https://acme.example/psti/ac-200.pdf
claims:
  EN303645:5.1-1: supported
  EN303645:5.1-2: {support: not-applicable, justification: "No password is set at the factory."}  # <-
  EN303645:5.6-3:
    support: not-supported
    justification: The serial header stays for repairs; it offers no shell.
  PSTI:1: supported
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> ProductProfile:
    return load_profile(write(tmp_path, text))


def refusal(tmp_path: Path, text: str) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        load(tmp_path, text)
    return caught.value


def marked_line(text: str) -> int:
    lines = [number for number, line in enumerate(textwrap.dedent(text).splitlines(), 1) if MARK in line]
    assert len(lines) == 1, "a case marks exactly one line"
    return lines[0]


@pytest.fixture
def filled(tmp_path: Path) -> ProductProfile:
    return load(tmp_path, FILLED)


# --- a filled profile -----------------------------------------------------------------------------------


def test_a_filled_profile_loads_every_section(filled: ProductProfile) -> None:
    assert filled.manufacturer.name == "Acme Devices Ltd"
    assert filled.product.hardware_version == "1.10"
    assert filled.product.batch == "2024-W17"
    assert filled.update_delivery.methods == (UpdateMethod.HTTPS_DOWNLOAD, UpdateMethod.VENDOR_APP)
    assert filled.update_delivery.signed is True
    assert filled.vulnerability_disclosure.acknowledgement_time == "5 working days"
    assert filled.support_period.end_date == date(2029, 4, 30)
    assert filled.statement_of_compliance == "https://acme.example/psti/ac-200.pdf"
    assert filled.source.endswith("profile.yaml")


def test_claims_keep_support_justification_and_their_line(filled: ProductProfile) -> None:
    claim = filled.claim("EN303645:5.1-2")
    assert claim is not None
    assert (claim.support, claim.line) == (Support.NOT_APPLICABLE, marked_line(FILLED))
    assert claim.justification == "No password is set at the factory."
    assert filled.claim("EN303645:5.1-1") == Claim("EN303645:5.1-1", Support.SUPPORTED, "", claim.line - 1)
    assert filled.claim("EN303645:5.3-13") is None
    assert list(filled.claims) == ["EN303645:5.1-1", "EN303645:5.1-2", "EN303645:5.6-3", "PSTI:1"]


@pytest.mark.parametrize(
    ("code", "holds"),
    [("1", True), ("2", False), ("4", False), ("5", True), ("11", True), ("12", True), ("13", None)],
)
def test_condition_holds_answers_from_the_feature_questions(
    filled: ProductProfile, code: str, holds: bool | None
) -> None:
    assert filled.condition_holds(EN303645, code) is holds


@pytest.mark.parametrize(("constrained", "condition_4", "condition_5"), [("yes", True, False), ("no", False, True)])
def test_condition_5_is_the_negation_of_condition_4(
    tmp_path: Path, constrained: str, condition_4: bool, condition_5: bool
) -> None:
    profile = load(tmp_path, f"features:\n  constrained_device: {constrained}\n")
    assert (profile.condition_holds(EN303645, "4"), profile.condition_holds(EN303645, "5")) == (
        condition_4,
        condition_5,
    )


def test_an_unanswered_question_decides_nothing(tmp_path: Path) -> None:
    profile = load(tmp_path, "features:\n  telemetry:\n")
    assert all(profile.condition_holds(EN303645, str(n)) is None for n in range(1, 14))


@pytest.mark.parametrize(
    ("code", "holds"),
    [
        ("a", True),  # uses passwords
        ("C12", True),  # update mechanism
        ("g", True),
        ("h", None),  # a yes to "automatic updates or notifications" says neither which
        ("l", False),  # no hard-coded identity
        ("r", None),  # physical debug interface not answered
        ("C14", None),  # no question decides the V3 resource-constraint conditions
    ],
)
def test_v3_codes_follow_their_corresponding_answers(filled: ProductProfile, code: str, holds: bool | None) -> None:
    assert filled.condition_holds(EN303645_V3, code) is holds


def test_a_no_to_automatic_updates_denies_both_v3_halves(tmp_path: Path) -> None:
    profile = load(tmp_path, "features:\n  automatic_updates_or_notifications: no\n")
    assert (profile.condition_holds(EN303645_V3, "h"), profile.condition_holds(EN303645_V3, "i")) == (False, False)


def test_a_provision_applies_only_when_all_its_conditions_hold(filled: ProductProfile) -> None:
    assert filled.provision_applies(CATALOGUE.get("EN303645:5.3-10")) is True  # C (11, 12)
    assert filled.provision_applies(CATALOGUE.get("EN303645:5.3-14")) is False  # C (3, 4), both no
    assert filled.provision_applies(CATALOGUE.get("EN303645:5.6-4")) is None  # C (13), unanswered
    assert filled.provision_applies(CATALOGUE.get("EN303645:5.3-13")) is True  # unconditional


def test_the_verdict_engine_takes_a_loaded_profile(filled: ProductProfile) -> None:
    verdicts = {v.provision: v for v in assess(CATALOGUE, [], [], filled, standards=[EN303645])}
    assert verdicts["5.1-2"].verdict is VerdictValue.NOT_APPLICABLE
    assert verdicts["5.6-3"].verdict is VerdictValue.FAIL  # declared not supported


# --- validation: each rule at its line ------------------------------------------------------------------

CASES = {
    "yaml syntax": (
        """\
        features:
          uses_passwords: yes
           telemetry: no  # <-
        """,
        "not valid YAML",
    ),
    "tab indentation": ("features:\n\t# <-\n", "spaces, not tabs"),
    "unknown top-level key": ("manufactuer:  # <-\n  name: Acme\n", "did you mean 'manufacturer'?"),
    "unknown field": ("product:\n  firmware: '1.0'  # <-\n", "did you mean 'firmware_version'?"),
    "unknown feature": ("features:\n  uses_password: yes  # <-\n", "did you mean 'uses_passwords'?"),
    "unknown claim key": (
        "claims:\n  EN303645:5.1-1: {support: supported, justfication: x}  # <-\n",
        "did you mean 'justification'?",
    ),
    "key given twice": ("features:\n  telemetry: yes\n  telemetry: no  # <-\n", "given twice (first at line 2)"),
    "section that is not a mapping": ("manufacturer: Acme  # <-\n", "manufacturer must hold indented"),
    "version read as a number": ("product:\n  firmware_version: 2.4  # <-\n", "put it in quotes"),
    "yes/no answer that is neither": ("features:\n  telemetry: sometimes  # <-\n", "answer yes or no"),
    "list where text belongs": ("manufacturer:\n  name: [Acme]  # <-\n", "must be text, not a list"),
    "date in another format": ("support_period:\n  end_date: 31/12/2027  # <-\n", "write it as YYYY-MM-DD"),
    "date that does not exist": ("support_period:\n  end_date: 2027-02-30  # <-\n", "'2027-02-30' is not a date"),
    "end before start": (
        "support_period:\n  start_date: 2025-01-01\n  end_date: 2024-12-31  # <-\n",
        "is before start_date",
    ),
    "url without http(s)": (
        "vulnerability_disclosure:\n  policy_url: ftp://acme.example/vdp  # <-\n",
        "is not a web address",
    ),
    "url without scheme": ("statement_of_compliance: acme.example/soc  # <-\n", "starts with https://"),
    "unknown update method": ("update_delivery:\n  methods: [https-download, usbb]  # <-\n", "did you mean 'usb'?"),
    "none with other methods": ("update_delivery:\n  methods: [none, usb]  # <-\n", "'none' cannot be listed"),
    "unknown provision": ("claims:\n  EN303645:5.9-9: supported  # <-\n", "not a provision in the catalogue"),
    "provision without its standard": ("claims:\n  5.1-1: supported  # <-\n", "'EN303645:5.1-1'"),
    "unknown support value": ("claims:\n  EN303645:5.1-1: yes  # <-\n", "use one of supported, not-supported"),
    "claim without support": ("claims:\n  EN303645:5.1-1: {justification: x}  # <-\n", "add support:"),
    "not-applicable on an unconditional provision": (
        "claims:\n  EN303645:5.1-3: {support: not-applicable, justification: no passwords}  # <-\n",
        "only a conditional provision can be not-applicable",
    ),
    "not-applicable on a law's requirement": (
        "claims:\n  PSTI:2: {support: not-applicable, justification: x}  # <-\n",
        "PSTI:2 has no condition",
    ),
    "not-applicable without justification": (
        "claims:\n  EN303645:5.1-2: not-applicable  # <-\n",
        "needs a justification",
    ),
    "not-applicable with a blank justification": (
        "claims:\n  EN303645:5.1-2: {support: not-applicable, justification: '  '}  # <-\n",
        "needs a justification",
    ),
    "not-applicable although the features say the condition holds": (
        """\
        features:
          uses_passwords: yes
          preinstalled_passwords: yes
        claims:
          EN303645:5.1-2: {support: not-applicable, justification: unique per device}  # <-
        """,
        "features.preinstalled_passwords: yes (line 3) means the device ships with pre-installed passwords",
    ),
    "not-applicable on a V3 provision whose feature is declared": (
        """\
        features:
          uses_passwords: yes
        claims:
          EN303645-V3:5.1-1: {support: not-applicable, justification: x}  # <-
        """,
        "features.uses_passwords: yes (line 2)",
    ),
    "contradicting answers": (
        "features:\n  uses_passwords: no  # <-\n  preinstalled_passwords: yes\n",
        "a password set at the factory is a password in use",
    ),
    "update methods while there is no update mechanism": (
        "features:\n  update_mechanism: no\nupdate_delivery:\n  methods: [usb]  # <-\n",
        "features.update_mechanism is no (line 2)",
    ),
    "network delivery while updates do not come over a network": (
        "features:\n  network_updates: no\nupdate_delivery:\n  methods: [https-download]  # <-\n",
        "deliver updates over a network",
    ),
}


@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_each_problem_is_reported_at_its_line(tmp_path: Path, text: str, expected: str) -> None:
    error = refusal(tmp_path, text)
    assert [(p.line, expected in p.message) for p in error.problems] == [(marked_line(text), True)]
    assert str(error).startswith(f"{tmp_path / 'profile.yaml'}:{marked_line(text)}: ")


def test_a_profile_error_is_an_iotbaseline_error_a_user_can_act_on() -> None:
    assert issubclass(ProfileError, IotBaselineError)


def test_several_problems_are_reported_together_in_file_order(tmp_path: Path) -> None:
    error = refusal(
        tmp_path,
        """\
        claims:
          EN303645:5.1-3: not-applicable
        product:
          firmware_version: 2.4
        manufactuer: Acme
        """,
    )
    assert [p.line for p in error.problems] == [2, 4, 5]
    assert str(error).splitlines()[0].endswith("3 problems to fix")
    assert len(str(error).splitlines()) == 4


def test_not_applicable_stands_when_one_of_several_conditions_is_declared_false(tmp_path: Path) -> None:
    profile = load(
        tmp_path,
        """\
        features:
          network_updates: no
          update_mechanism: yes
        claims:
          EN303645:5.3-10: {support: not-applicable, justification: updates come on a USB stick only}
        """,
    )
    assert profile.provision_applies(CATALOGUE.get("EN303645:5.3-10")) is False


def test_not_applicable_stands_when_the_condition_is_not_answered(tmp_path: Path) -> None:
    profile = load(tmp_path, "claims:\n  EN303645:5.6-4: {support: not-applicable, justification: no pads}\n")
    claim = profile.claim("EN303645:5.6-4")
    assert claim is not None and claim.support is Support.NOT_APPLICABLE


def test_a_missing_file_points_to_init(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such file; `iotbaseline init`"):
        load_profile(tmp_path / "absent.yaml")


def test_an_empty_file_declares_nothing(tmp_path: Path) -> None:
    assert load(tmp_path, "") == dataclasses.replace(ProductProfile(), source=str(tmp_path / "profile.yaml"))


# --- the feature table ----------------------------------------------------------------------------------


def test_the_questions_decide_every_en303645_v2_condition_and_only_those() -> None:
    decided = {link.code for feature in FEATURES for link in feature.links if link.standard == EN303645}
    assert decided == set(CATALOGUE.conditions(EN303645))
    assert [feature.condition for feature in FEATURES] == [
        "1",
        "2",
        "3",
        "4",
        "6",
        "7",
        "8",
        "9",
        "10",
        "11",
        "12",
        "13",
    ]


def test_v3_links_name_codes_of_the_v3_catalogue_and_are_marked_as_correspondences() -> None:
    links = [link for feature in FEATURES for link in feature.links if link.standard == EN303645_V3]
    assert links and all(link.correspondence for link in links)
    assert {link.code for link in links} <= set(CATALOGUE.conditions(EN303645_V3))
    assert not any(link.correspondence for f in FEATURES for link in f.links if link.standard == EN303645)


def test_every_feature_is_asked_as_a_question() -> None:
    assert all(feature.question.endswith("?") for feature in FEATURES)


def test_the_schema_names_the_model_fields() -> None:
    for spec in SECTIONS:
        model = type(getattr(ProductProfile(), spec.key))
        assert [f.key for f in spec.fields] == [f.name for f in dataclasses.fields(model)]
    assert set(TOP_LEVEL_KEYS) <= {f.name for f in dataclasses.fields(ProductProfile)}


# --- the template and `init` ----------------------------------------------------------------------------


def test_the_template_loads_and_declares_nothing(tmp_path: Path) -> None:
    profile = load(tmp_path, render_template())
    assert profile.to_dict() | {"lines": {}} == dataclasses.replace(ProductProfile(), source=profile.source).to_dict()


def test_the_template_lists_every_en303645_provision_as_a_commented_claim() -> None:
    lines = render_template().splitlines()
    for provision in CATALOGUE.provisions(EN303645):
        assert f"  # {provision.qualified_id}: supported" in lines


def test_the_template_asks_every_question_and_shows_each_support_value() -> None:
    text = render_template()
    assert all(f"# {feature.question}" in text for feature in FEATURES)
    assert "Does the device ship with a password already set?" in text
    assert "#   EN303645:5.1-1: supported\n" in text
    assert "#   EN303645:5.6-3: {support: not-supported, justification: " in text
    assert "#   EN303645:5.1-2: {support: not-applicable, justification: " in text


def test_uncommented_template_claims_load_with_their_lines(tmp_path: Path) -> None:
    text = render_template().replace("  # EN303645:5.1-3: supported", "  EN303645:5.1-3: supported")
    profile = load(tmp_path, text)
    claim = profile.claim("EN303645:5.1-3")
    assert claim is not None
    assert text.splitlines()[claim.line - 1] == "  EN303645:5.1-3: supported"


def test_init_writes_the_template_and_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(init, []).exit_code == 0
    written = tmp_path / "iotbaseline-profile.yaml"
    assert written.read_text(encoding="utf-8") == render_template()
    written.write_text("mine", encoding="utf-8")
    refused = runner.invoke(init, [])
    assert refused.exit_code == 2
    assert "already exists; pass --force" in refused.output
    assert written.read_text(encoding="utf-8") == "mine"
    assert runner.invoke(init, ["--force"]).exit_code == 0
    assert written.read_text(encoding="utf-8") == render_template()


def test_init_writes_to_the_path_given(tmp_path: Path) -> None:
    target = tmp_path / "camera.yaml"
    assert CliRunner().invoke(init, [str(target)]).exit_code == 0
    load_profile(target)


# --- to_dict ----------------------------------------------------------------------------------------------


def test_to_dict_is_json_and_round_trips(filled: ProductProfile) -> None:
    data = json.loads(json.dumps(filled.to_dict()))
    assert data["support_period"]["end_date"] == "2029-04-30"
    assert data["features"]["physical_debug_interface"] is None
    assert data["claims"][1] == {
        "provision": "EN303645:5.1-2",
        "support": "not-applicable",
        "justification": "No password is set at the factory.",
        "line": marked_line(FILLED),
    }
    assert ProductProfile.from_dict(data) == filled

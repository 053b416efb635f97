"""The services data loads, names only provisions the catalogue knows, and rejects mistakes."""

import pytest
import yaml

from iotbaseline.catalogue.loader import default_catalogue
from iotbaseline.model import Outcome
from iotbaseline.services import (
    BackdoorCheck,
    BootServicesCheck,
    DebugInterfacesCheck,
    NetworkServicesCheck,
    ServiceConfigCheck,
)
from iotbaseline.services.boot_data import default_boot_data, load_yaml, parse_boot_data
from iotbaseline.services.rules import default_rules, parse_rules


def test_every_provision_cited_exists_in_the_catalogue() -> None:
    known = {p.qualified_id for p in default_catalogue().provisions("EN303645")}
    rules = default_rules()
    cited = {p for kind in rules.findings.values() for p in kind.provisions}
    assert cited <= known
    checks = (BootServicesCheck, NetworkServicesCheck, DebugInterfacesCheck, ServiceConfigCheck, BackdoorCheck)
    assert {p for check in checks for p in check.provisions} == cited


def test_no_rule_gives_a_pass_and_none_cites_universal_passwords() -> None:
    # A service being absent or well configured never proves that only needed services run.
    kinds = default_rules().findings.values()
    assert all(kind.outcome in (Outcome.FAIL, Outcome.INFO) for kind in kinds)
    assert not any(p in ("EN303645:5.1-1", "PSTI:1") for kind in kinds for p in kind.provisions)


def test_a_short_backdoor_marker_is_rejected() -> None:
    keys = ("network_services", "unauthenticated_shells", "shells", "login_programs", "debug_shell_units")
    dangerous: dict[str, object] = {key: [] for key in (*keys, "web_servers", "root_users")}
    dangerous.update({key: {} for key in ("findings", "android_properties", "upnp", "snmp", "mqtt", "ssh")})
    backdoors = {"backdoors": [{"name": "x", "marker": "ScMM", "vendor": "v", "reference": "r"}]}
    with pytest.raises(ValueError, match="8 bytes"):
        parse_rules(dangerous, backdoors)


def test_an_unquoted_yaml_boolean_in_a_word_list_is_an_error() -> None:
    data = load_yaml("boot.yaml")
    data["housekeeping"] = yaml.safe_load("[mount, true]")
    with pytest.raises(ValueError, match="quoted strings"):
        parse_boot_data(data)
    assert "true" in default_boot_data().housekeeping

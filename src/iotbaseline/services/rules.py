"""The dangerous-service rules: `data/services/dangerous.yaml` (findings, programs, settings) and
`data/services/backdoors.yaml`, loaded once and validated."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.checks.finding_kinds import FindingKind as FindingKind
from iotbaseline.checks.finding_kinds import parse_finding_kinds
from iotbaseline.services.boot_data import ServiceDataError, load_yaml


@dataclass(frozen=True)
class ShellRule:
    programs: frozenset[str]
    where: str
    """network or console."""
    login_options: tuple[str, ...] = ()
    autologin_options: tuple[str, ...] = ()
    skip_flags: tuple[str, ...] = ()
    address_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class WebServer:
    programs: frozenset[str]
    default_root: bool
    config_option: str | None = None
    config_files: tuple[str, ...] = ()
    user_directive: str | None = None
    user_option: str | None = None
    busybox_only: bool = False


@dataclass(frozen=True)
class Backdoor:
    name: str
    marker: bytes
    vendor: str
    reference: str
    cve: str | None


@dataclass(frozen=True)
class ServiceRules:
    findings: Mapping[str, FindingKind]
    network_services: Mapping[str, str]
    """Program name -> finding key."""
    shells_without_login: tuple[ShellRule, ...]
    shells: frozenset[str]
    login_programs: frozenset[str]
    debug_shell_units: frozenset[str]
    android: Mapping[str, Any]
    upnp: Mapping[str, Any]
    snmp: Mapping[str, Any]
    mqtt: Mapping[str, Any]
    ssh: Mapping[str, Any]
    web_servers: tuple[WebServer, ...]
    root_users: frozenset[str]
    backdoors: tuple[Backdoor, ...]

    def kind(self, key: str) -> FindingKind:
        return self.findings[key]


@functools.cache
def default_rules() -> ServiceRules:
    try:
        return parse_rules(load_yaml("dangerous.yaml"), load_yaml("backdoors.yaml"))
    except (KeyError, TypeError, ValueError) as error:
        raise ServiceDataError(f"data/services: {type(error).__name__}: {error}") from error


def parse_rules(data: Mapping[str, Any], backdoors: Mapping[str, Any]) -> ServiceRules:
    findings = parse_finding_kinds(data["findings"])
    network: dict[str, str] = {}
    for rule in data["network_services"]:
        if rule["finding"] not in findings:
            raise ValueError(f"network_services names an unknown finding {rule['finding']!r}")
        network.update(dict.fromkeys(_texts(rule["programs"]), str(rule["finding"])))
    return ServiceRules(
        findings=findings,
        network_services=network,
        shells_without_login=tuple(
            ShellRule(
                frozenset(_texts(rule["programs"])),
                str(rule["where"]),
                _texts(rule.get("login_options", ())),
                _texts(rule.get("autologin_options", ())),
                _texts(rule.get("skip_flags", ())),
                _texts(rule.get("address_prefixes", ())),
            )
            for rule in data["unauthenticated_shells"]
        ),
        shells=frozenset(_texts(data["shells"])),
        login_programs=frozenset(_texts(data["login_programs"])),
        debug_shell_units=frozenset(_texts(data["debug_shell_units"])),
        android=data["android_properties"],
        upnp=data["upnp"],
        snmp=data["snmp"],
        mqtt=data["mqtt"],
        ssh=data["ssh"],
        web_servers=tuple(
            WebServer(
                frozenset(_texts(spec["programs"])),
                bool(spec["default_root"]),
                spec.get("config_option"),
                _texts(spec.get("config_files", ())),
                spec.get("user_directive"),
                spec.get("user_option"),
                bool(spec.get("busybox_only", False)),
            )
            for spec in data["web_servers"]
        ),
        root_users=frozenset(_texts(data["root_users"])),
        backdoors=tuple(_backdoor(spec) for spec in backdoors["backdoors"]),
    )


def _backdoor(spec: Mapping[str, Any]) -> Backdoor:
    marker = str(spec["marker"]).encode()
    if len(marker) < 8:
        raise ValueError(f"backdoor {spec['name']}: a marker under 8 bytes would match by chance")
    return Backdoor(str(spec["name"]), marker, str(spec["vendor"]), str(spec["reference"]), spec.get("cve"))


def _texts(values: Any) -> tuple[str, ...]:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"expected a list of quoted strings, got {values!r}")
    return tuple(values)

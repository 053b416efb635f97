"""The boot-reading data: `data/services/boot.yaml`, loaded once and validated."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError


class ServiceDataError(IotBaselineError):
    """A shipped services data file is malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class Wrapper:
    values: frozenset[str]
    """Options that take a value."""
    skip: int
    """Words that are not options before the program (a user name, a CPU mask)."""


@dataclass(frozen=True)
class StartStopDaemon:
    names: frozenset[str]
    program_options: frozenset[str]
    start_options: frozenset[str]
    stop_options: frozenset[str]
    value_options: frozenset[str]


@dataclass(frozen=True)
class UciSwitch:
    config: str
    sections: frozenset[str]
    option: str


@dataclass(frozen=True)
class CrontabPlace:
    glob: str
    user_field: bool


@dataclass(frozen=True)
class BootData:
    shells: frozenset[str]
    program_path: tuple[str, ...]
    variable_setters: Mapping[str, int | None]
    wrappers: Mapping[str, Wrapper]
    start_stop_daemon: StartStopDaemon
    housekeeping: frozenset[str]
    sysv_runners: frozenset[str]
    sysv_link_dirs: tuple[str, ...]
    init_script_dirs: tuple[str, ...]
    not_init_scripts: frozenset[str]
    uci_switches: Mapping[str, UciSwitch]
    uci_off: frozenset[str]
    uci_on: frozenset[str]
    systemd_unit_dirs: tuple[str, ...]
    systemd_boot_targets: tuple[str, ...]
    systemd_default_target: str
    crontabs: tuple[CrontabPlace, ...]
    cron_daemons: frozenset[str]
    inetd_daemons: frozenset[str]


def load_yaml(name: str) -> Any:
    text = (files("iotbaseline") / "data" / "services" / name).read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ServiceDataError(f"data/services/{name}: {error}") from error


@functools.cache
def default_boot_data() -> BootData:
    try:
        return parse_boot_data(load_yaml("boot.yaml"))
    except (KeyError, TypeError, ValueError) as error:
        raise ServiceDataError(f"data/services/boot.yaml: {type(error).__name__}: {error}") from error


def parse_boot_data(data: Mapping[str, Any]) -> BootData:
    ssd = data["start_stop_daemon"]
    setters = {str(name): (None if index is None else int(index)) for name, index in data["variable_setters"].items()}
    return BootData(
        shells=_strings(data["shells"]),
        program_path=_string_list(data["program_path"]),
        variable_setters=setters,
        wrappers={
            str(name): Wrapper(_strings(spec.get("values", ())), int(spec.get("skip", 0)))
            for name, spec in data["wrappers"].items()
        },
        start_stop_daemon=StartStopDaemon(
            _strings(ssd["names"]),
            _strings(ssd["program_options"]),
            _strings(ssd["start_options"]),
            _strings(ssd["stop_options"]),
            _strings(ssd["value_options"]),
        ),
        housekeeping=_strings(data["housekeeping"]),
        sysv_runners=_strings(data["sysv_runners"]),
        sysv_link_dirs=_string_list(data["sysv_link_dirs"]),
        init_script_dirs=_string_list(data["init_script_dirs"]),
        not_init_scripts=_strings(data["not_init_scripts"]),
        uci_switches={
            str(name): UciSwitch(str(spec["config"]), _strings(spec["sections"]), str(spec["option"]))
            for name, spec in data["uci_switches"].items()
        },
        uci_off=_strings(data["uci_off"]),
        uci_on=_strings(data["uci_on"]),
        systemd_unit_dirs=_string_list(data["systemd_unit_dirs"]),
        systemd_boot_targets=_string_list(data["systemd_boot_targets"]),
        systemd_default_target=str(data["systemd_default_target"]),
        crontabs=tuple(CrontabPlace(str(c["glob"]), bool(c.get("user_field", False))) for c in data["crontabs"]),
        cron_daemons=_strings(data["cron_daemons"]),
        inetd_daemons=_strings(data["inetd_daemons"]),
    )


def _string_list(values: Any) -> tuple[str, ...]:
    """YAML reads 0 or no as other types: every entry must be quoted text."""
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"expected a list of quoted strings, got {values!r}")
    return tuple(values)


def _strings(values: Any) -> frozenset[str]:
    return frozenset(_string_list(values))

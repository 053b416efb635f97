"""The update-mechanism rules: `data/updates/updaters.yaml`, loaded once and validated."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError
from iotbaseline.shell.options import OptionSpec


class UpdateRuleError(IotBaselineError):
    """The shipped update rules are malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class DownloaderRule:
    spec: OptionSpec
    insecure: frozenset[str]
    transport: str | None
    positional: tuple[str, ...]


@dataclass(frozen=True)
class FlasherRule:
    spec: OptionSpec
    subcommand: str | None
    positional: tuple[str, ...]
    installer: str | None
    device_target: bool


@dataclass(frozen=True)
class InstallerRule:
    verifies: str
    """always, key-option, config or openwrt."""
    why: str
    force: frozenset[str]


@dataclass(frozen=True)
class VerifierMode:
    spec: OptionSpec
    when: frozenset[str]
    """Flags that make the command a verification; empty: it always is one."""
    when_roles: frozenset[str]
    """Or option roles whose presence does (openssl dgst -verify KEY)."""
    algorithm: str | None


@dataclass(frozen=True)
class FrameworkRule:
    programs: frozenset[str]
    configs: tuple[str, ...]
    keys: str | None
    without_key: str
    """unsigned, refuses or unknown."""


@dataclass(frozen=True)
class SysupgradeRule:
    programs: frozenset[str]
    signature_tool: str
    keys: str
    setting_folder: str
    setting: str


@dataclass(frozen=True)
class BinaryRule:
    max_bytes: int
    url: re.Pattern[bytes]
    firmware_words: tuple[str, ...]
    flash_markers: tuple[bytes, ...]
    insecure_markers: tuple[bytes, ...]


@dataclass(frozen=True)
class UpdateRules:
    downloaders: Mapping[str, DownloaderRule]
    flashers: Mapping[str, FlasherRule]
    redirect_writers: frozenset[str]
    devices: re.Pattern[str]
    installers: Mapping[str, InstallerRule]
    verifiers: Mapping[str, Mapping[str | None, VerifierMode]]
    """Tool -> subcommand (None: the tool has none) -> how it verifies."""
    hashes: Mapping[str, str]
    digest_flags: Mapping[str, str]
    weak_digests: frozenset[str]
    weak_key_algorithms: frozenset[str]
    min_rsa_bits: int
    min_ec_bits: int
    aborts: frozenset[str]
    frameworks: Mapping[str, FrameworkRule]
    sysupgrade: SysupgradeRule
    program_folders: tuple[str, ...]
    documentation_paths: tuple[str, ...]
    binary: BinaryRule

    @functools.cached_property
    def quick(self) -> re.Pattern[bytes]:
        """A script without any of these words neither flashes nor installs anything."""
        words = sorted(self.flashers, key=len, reverse=True)
        tools = b"|".join(re.escape(w.encode()) for w in words)
        return re.compile(rb"(?<![\w.-])(?:" + tools + rb")(?![\w.-])|" + self.devices.pattern.lstrip("^").encode())


@functools.cache
def default_rules() -> UpdateRules:
    text = (files("iotbaseline") / "data" / "updates" / "updaters.yaml").read_text(encoding="utf-8")
    return parse_rules(text)


def parse_rules(text: str) -> UpdateRules:
    try:
        return _rules(yaml.safe_load(text))
    except (yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as error:
        raise UpdateRuleError(f"update rules: {type(error).__name__}: {error}") from error


def option_spec(spec: Mapping[str, Any]) -> OptionSpec:
    return OptionSpec(
        roles={str(k): str(v) for k, v in (spec.get("options") or {}).items()},
        clustered=bool(spec.get("clustered", False)),
        single_dash_long=bool(spec.get("single_dash_long", False)),
    )


def _rules(data: Mapping[str, Any]) -> UpdateRules:
    installers = {
        name: InstallerRule(str(spec["verifies"]), str(spec["why"]), frozenset(spec.get("force", ())))
        for name, spec in data["installers"].items()
    }
    flashers = {tool: _flasher(spec) for spec in data["flashers"] for tool in spec["tools"]}
    unknown = {rule.installer for rule in flashers.values() if rule.installer} - set(installers)
    if unknown:
        raise ValueError(f"flashers name installers that are not described: {sorted(unknown)}")
    binary = data["binary"]
    return UpdateRules(
        downloaders={tool: _downloader(spec) for spec in data["downloaders"] for tool in spec["tools"]},
        flashers=flashers,
        redirect_writers=frozenset(data["redirect_writers"]),
        devices=re.compile(data["devices"]),
        installers=installers,
        verifiers={tool: _verifier(spec) for spec in data["verifiers"] for tool in spec["tools"]},
        hashes={str(k): str(v) for k, v in data["hashes"].items()},
        digest_flags={str(k): str(v) for k, v in data["digest_flags"].items()},
        weak_digests=frozenset(data["weak_digests"]),
        weak_key_algorithms=frozenset(data["weak_key_algorithms"]),
        min_rsa_bits=int(data["min_rsa_bits"]),
        min_ec_bits=int(data["min_ec_bits"]),
        aborts=frozenset(data["aborts"]),
        frameworks={name: _framework(spec) for name, spec in data["frameworks"].items()},
        sysupgrade=SysupgradeRule(
            frozenset(data["sysupgrade"]["programs"]),
            str(data["sysupgrade"]["signature_tool"]),
            str(data["sysupgrade"]["keys"]),
            str(data["sysupgrade"]["setting_folder"]),
            str(data["sysupgrade"]["setting"]),
        ),
        program_folders=tuple(data["program_folders"]),
        documentation_paths=tuple(data["documentation_paths"]),
        binary=BinaryRule(
            max_bytes=int(binary["max_bytes"]),
            url=re.compile(str(binary["url"]).encode()),
            firmware_words=tuple(str(w).lower() for w in binary["firmware_words"]),
            flash_markers=tuple(str(m).encode() for m in binary["flash_markers"]),
            insecure_markers=tuple(str(m).encode() for m in binary["insecure_markers"]),
        ),
    )


def _framework(spec: Mapping[str, Any]) -> FrameworkRule:
    without_key = str(spec["without_key"])
    if without_key not in ("unsigned", "refuses", "unknown"):
        raise ValueError(f"without_key must be unsigned, refuses or unknown, not {without_key!r}")
    return FrameworkRule(frozenset(spec["programs"]), tuple(spec["configs"]), spec.get("keys"), without_key)


def _downloader(spec: Mapping[str, Any]) -> DownloaderRule:
    return DownloaderRule(
        option_spec(spec), frozenset(spec.get("insecure", ())), spec.get("transport"), tuple(spec.get("positional", ()))
    )


def _flasher(spec: Mapping[str, Any]) -> FlasherRule:
    return FlasherRule(
        option_spec(spec),
        spec.get("subcommand"),
        tuple(spec.get("positional", ())),
        spec.get("installer"),
        bool(spec.get("device_target", False)),
    )


def _verifier(spec: Mapping[str, Any]) -> Mapping[str | None, VerifierMode]:
    if "subcommands" in spec:
        shared = {"single_dash_long": spec.get("single_dash_long", False)}
        return {name: _mode({**shared, **mode}, spec) for name, mode in spec["subcommands"].items()}
    return {None: _mode(spec, spec)}


def _mode(mode: Mapping[str, Any], tool: Mapping[str, Any]) -> VerifierMode:
    return VerifierMode(
        option_spec(mode),
        frozenset(mode.get("when", ())),
        frozenset(mode.get("when_roles", ())),
        mode.get("algorithm", tool.get("algorithm")),
    )

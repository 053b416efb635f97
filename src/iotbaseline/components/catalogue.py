"""The component catalogue: `data/components/signatures.yaml`, loaded once and validated.

Everything that says what a component is called, how NVD names it and how its version is read out
of a binary is data; this module turns it into typed, compiled values.
"""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError

COMPONENT_TYPES = frozenset({"library", "application", "operating-system", "firmware"})


class SignatureDataError(IotBaselineError):
    """The shipped signature file is malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class Signature:
    component: str
    anchor: bytes
    version: re.Pattern[bytes] | None
    """None: the anchor proves presence only."""
    window: tuple[int, int] | None = None
    """Bytes before and after the anchor searched for `version`; None: matched at the anchor."""
    in_files: re.Pattern[str] | None = None
    """Only files whose name matches count (a symbol that importers carry too, a script's text)."""


@dataclass(frozen=True)
class FileNameRule:
    component: str
    pattern: re.Pattern[str]
    versions: Mapping[str, str] | None
    """soname -> release; None: the soname is the release."""


@dataclass(frozen=True)
class TlsPolicy:
    outdated_before: str
    why: str


@dataclass(frozen=True)
class ComponentSpec:
    key: str
    name: str
    type: str
    cpe_vendor: str
    cpe_product: str
    cpe_part: str
    purl_type: str
    packages: frozenset[str]
    tls: TlsPolicy | None


@dataclass(frozen=True)
class DebugTool:
    name: str
    files: frozenset[str]
    anchors: tuple[bytes, ...]


@dataclass(frozen=True)
class ComponentCatalogue:
    components: Mapping[str, ComponentSpec]
    signatures: tuple[Signature, ...]
    file_names: tuple[FileNameRule, ...]
    debug_tools: tuple[DebugTool, ...]
    by_package: Mapping[str, str]
    """Package name (lower case) -> component key."""


@functools.cache
def load_catalogue() -> ComponentCatalogue:
    text = files("iotbaseline").joinpath("data/components/signatures.yaml").read_text(encoding="utf-8")
    try:
        return parse_catalogue(yaml.safe_load(text))
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise SignatureDataError(f"data/components/signatures.yaml: {error}") from error


def parse_catalogue(data: Mapping[str, Any]) -> ComponentCatalogue:
    components: dict[str, ComponentSpec] = {}
    signatures: list[Signature] = []
    file_names: list[FileNameRule] = []
    by_package: dict[str, str] = {}
    for key, entry in data["components"].items():
        spec = _component(key, entry)
        components[key] = spec
        signatures.extend(_signature(key, item) for item in entry.get("signatures", ()))
        file_names.extend(_file_name_rule(key, item) for item in entry.get("file_names", ()))
        for package in spec.packages:
            if by_package.setdefault(package, key) != key:
                raise ValueError(f"package {package!r} is claimed by {by_package[package]} and {key}")
    tools = tuple(_debug_tool(item) for item in data.get("debug_tools", ()))
    return ComponentCatalogue(components, tuple(signatures), tuple(file_names), tools, by_package)


def _component(key: str, entry: Mapping[str, Any]) -> ComponentSpec:
    if entry["type"] not in COMPONENT_TYPES:
        raise ValueError(f"{key}: type {entry['type']!r} is not one of {sorted(COMPONENT_TYPES)}")
    vendor, product = entry["cpe"]
    tls = entry.get("tls")
    return ComponentSpec(
        key=key,
        name=str(entry["name"]),
        type=entry["type"],
        cpe_vendor=str(vendor),
        cpe_product=str(product),
        cpe_part=str(entry.get("cpe_part", "a")),
        purl_type=str(entry.get("purl", "generic")),
        packages=frozenset(str(p).lower() for p in entry.get("packages", ())),
        tls=TlsPolicy(str(tls["outdated_before"]), str(tls["why"])) if tls else None,
    )


def _signature(key: str, item: Mapping[str, Any]) -> Signature:
    anchor = str(item["anchor"]).encode("latin-1")
    if len(anchor) < 4:
        raise ValueError(f"{key}: anchor {item['anchor']!r} is too short to be specific")
    version = item.get("version")
    pattern = re.compile(version.encode("latin-1"), re.DOTALL) if version else None
    if pattern is not None and "version" not in pattern.groupindex:
        raise ValueError(f"{key}: version regex {version!r} has no group named 'version'")
    window = item.get("window")
    in_files = re.compile(item["in_files"]) if "in_files" in item else None
    return Signature(key, anchor, pattern, (int(window[0]), int(window[1])) if window else None, in_files)


def _file_name_rule(key: str, item: Mapping[str, Any]) -> FileNameRule:
    pattern = re.compile(item["pattern"])
    if "soname" not in pattern.groupindex:
        raise ValueError(f"{key}: file name pattern {item['pattern']!r} has no group named 'soname'")
    versions = item.get("versions")
    return FileNameRule(key, pattern, {str(k): str(v) for k, v in versions.items()} if versions else None)


def _debug_tool(item: Mapping[str, Any]) -> DebugTool:
    anchors = tuple(str(a).encode("latin-1") for a in item.get("anchors", ()))
    return DebugTool(str(item["name"]), frozenset(item.get("files", ())), anchors)

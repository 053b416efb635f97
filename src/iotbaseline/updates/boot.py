"""What an image shows of secure boot: boot images (FIT with or without signatures, legacy uImage
with a CRC only, from the U-Boot handlers' records), a bootloader device tree holding a required
verification key, and lines of configuration (`verify=n`, dm-verity)."""

import functools
import json
import re
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError
from iotbaseline.firmware.handlers.fdt import DeviceTreeFormatError, FdtNode, FlattenedDeviceTree
from iotbaseline.model import Severity

MAX_LINE = 4096
_TREE_ERRORS = (DeviceTreeFormatError, struct.error, ValueError, IndexError)


class BootRuleError(IotBaselineError):
    """The shipped secure-boot rules are malformed."""


@dataclass(frozen=True)
class TextRule:
    id: str
    pattern: re.Pattern[str]
    severity: Severity
    title: str
    detail: str


@dataclass(frozen=True)
class BootRules:
    text_rules: tuple[TextRule, ...]
    text_files: tuple[str, ...]
    documentation_paths: tuple[str, ...]
    signature_node: str
    required_values: frozenset[str]

    @functools.cached_property
    def quick(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in self.text_rules), re.MULTILINE)


@functools.cache
def default_boot_rules() -> BootRules:
    text = (files("iotbaseline") / "data" / "updates" / "boot.yaml").read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        return BootRules(
            text_rules=tuple(
                TextRule(
                    str(r["id"]),
                    re.compile(r["pattern"], re.MULTILINE),
                    Severity(r["severity"]),
                    r["title"],
                    r["detail"],
                )
                for r in data["text_rules"]
            ),
            text_files=tuple(data["text_files"]),
            documentation_paths=tuple(data["documentation_paths"]),
            signature_node=str(data["signature_node"]),
            required_values=frozenset(data["required_values"]),
        )
    except (yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as error:
        raise BootRuleError(f"secure-boot rules: {type(error).__name__}: {error}") from error


def _text_rule(rule: Mapping[str, Any]) -> TextRule:
    pattern = re.compile(rule["pattern"], re.MULTILINE)
    return TextRule(str(rule["id"]), pattern, Severity(rule["severity"]), str(rule["title"]), str(rule["detail"]))


@dataclass(frozen=True)
class BootImage:
    """A boot image as the U-Boot handlers recorded it."""

    format: str
    """fit or uimage."""
    description: str
    signed_configurations: tuple[str, ...] = ()
    signature_algorithms: tuple[str, ...] = ()
    key_hints: tuple[str, ...] = ()
    hash_algorithms: tuple[str, ...] = ()
    unsigned_configurations: tuple[str, ...] = ()
    signed_images: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequiredKey:
    """A verification key in a bootloader device tree (`/signature/key-*`)."""

    name: str
    algorithm: str | None
    required: str | None
    """conf or image when U-Boot must find a valid signature; None when the key is optional."""


@dataclass(frozen=True)
class TextHint:
    rule: TextRule
    line: int
    code: str


def read_boot_record(name: str, text: str) -> BootImage | None:
    """A fit.json or uimage.json record; None when it is not one."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if name == "uimage.json":
        return BootImage("uimage", str(data.get("name") or ""), hash_algorithms=("crc32",))
    configurations = [c for c in data.get("configurations") or () if isinstance(c, dict)]
    images = [i for i in data.get("images") or () if isinstance(i, dict)]
    signatures = [s for c in configurations for s in c.get("signatures") or () if isinstance(s, dict)]
    signatures += [s for i in images for s in i.get("signatures") or () if isinstance(s, dict)]
    signed = [s for s in signatures if s.get("signed")]
    return BootImage(
        "fit",
        str(data.get("description") or ""),
        signed_configurations=tuple(str(c.get("node")) for c in configurations if c.get("signed")),
        signature_algorithms=tuple(sorted({str(s.get("algo")) for s in signed if s.get("algo")})),
        key_hints=tuple(sorted({str(s.get("key_name_hint")) for s in signed if s.get("key_name_hint")})),
        hash_algorithms=tuple(sorted({str(a) for i in images for a in i.get("hash_algorithms") or ()})),
        unsigned_configurations=tuple(str(c.get("node")) for c in configurations if not c.get("signed")),
        signed_images=tuple(
            str(i.get("node")) for i in images if any(s.get("signed") for s in i.get("signatures") or ())
        ),
    )


@dataclass(frozen=True)
class DeviceTreeFacts:
    keys: tuple[RequiredKey, ...]
    bootargs: str | None


def read_device_tree(content: bytes, rules: BootRules) -> DeviceTreeFacts | None:
    """A plain device tree (not a FIT): verification keys and the kernel command line."""
    try:
        tree = FlattenedDeviceTree.parse(content)
    except _TREE_ERRORS:
        return None
    if tree.root.child("images") is not None:
        return None
    keys: list[RequiredKey] = []
    signature = tree.root.child(rules.signature_node)
    for node in signature.children if signature is not None else ():
        required = _string(tree, node, "required")
        keys.append(
            RequiredKey(node.name, _string(tree, node, "algo"), required if required in rules.required_values else None)
        )
    chosen = tree.root.child("chosen")
    return DeviceTreeFacts(tuple(keys), None if chosen is None else _string(tree, chosen, "bootargs"))


def text_hints(text: str, rules: BootRules) -> Iterator[TextHint]:
    """Matches line by line; whole-line comments (# and //) are skipped."""
    if not rules.quick.search(text):
        return
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")):
            continue
        for rule in rules.text_rules:
            if rule.pattern.search(stripped[:MAX_LINE]):
                yield TextHint(rule, number, stripped[:200])


def _signed(image: Mapping[str, Any]) -> bool:
    return any(isinstance(s, dict) and s.get("signed") for s in image.get("signatures") or ())


def _string(tree: FlattenedDeviceTree, node: FdtNode, name: str) -> str | None:
    try:
        return tree.string(node, name)
    except _TREE_ERRORS:
        return None


def evidence_of(image: BootImage) -> Mapping[str, Any]:
    return {
        "format": image.format,
        "description": image.description,
        "signed_configurations": list(image.signed_configurations),
        "unsigned_configurations": list(image.unsigned_configurations),
        "signed_images": list(image.signed_images),
        "signature_algorithms": list(image.signature_algorithms),
        "key_name_hints": list(image.key_hints),
        "hash_algorithms": list(image.hash_algorithms),
    }

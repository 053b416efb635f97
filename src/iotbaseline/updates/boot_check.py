"""Secure-boot hints (EN 303 645 5.7-1): signed or unsigned boot images, a bootloader key marked
required, `verify=n`, dm-verity. Hints, except where the image shows both halves of U-Boot's
verified boot: a signed FIT configuration and a bootloader device tree that requires its key."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import ClassVar

from iotbaseline.checks.base import MIB, Check, CheckSettings, ScannedImage
from iotbaseline.checks.hardcoded.comments import strip_comments
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.updates.boot import (
    BootImage,
    BootRules,
    RequiredKey,
    TextHint,
    default_boot_rules,
    evidence_of,
    read_boot_record,
    read_device_tree,
    text_hints,
)
from iotbaseline.updates.lookup import glob_match

SECURE_BOOT = "EN303645:5.7-1"
_RECORDS = {"fit.json": "fit", "uimage.json": "uimage"}


@dataclass
class _Seen:
    images: list[tuple[str, BootImage]] = field(default_factory=list)
    keys: list[tuple[str, RequiredKey]] = field(default_factory=list)
    hints: list[tuple[str | None, str, TextHint]] = field(default_factory=list)
    """(device path, extracted path, hint)."""


class SecureBootHintsCheck(Check):
    id: ClassVar[str] = "firmware.updates.secure-boot"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Secure boot"
    provisions: ClassVar[tuple[str, ...]] = (SECURE_BOOT,)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.TEXT, FileKind.SCRIPT, FileKind.FIRMWARE_HEADER})
    max_file_bytes: ClassVar[int] = 2 * MIB

    def __init__(self, settings: CheckSettings | None = None, rules: BootRules | None = None) -> None:
        super().__init__(settings)
        self.rules = rules or default_boot_rules()
        self._seen: dict[str, _Seen] = {}

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._seen[image.name] = _Seen()
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        seen = self._seen.setdefault(image.name, _Seen())
        shown = file.device_path or file.path
        if any(shown.startswith(prefix) for prefix in self.rules.documentation_paths):
            return ()
        name = PurePosixPath(file.path).name
        if file.type.kind is FileKind.FIRMWARE_HEADER:
            self._device_tree(seen, shown, file, content)
        elif name in _RECORDS and file.origin and file.origin[-1].format == _RECORDS[name]:
            record = read_boot_record(name, content.decode("utf-8", "replace"))
            if record is not None:
                container = str(PurePosixPath(file.path).parent).removesuffix("_extract")
                seen.images.append((container, record))
        elif file.type.kind is FileKind.SCRIPT or self._text_file(shown):
            text = content.decode("utf-8", "replace")
            if file.type.kind is FileKind.SCRIPT:
                text = strip_comments(text, "shell")
            seen.hints.extend((file.device_path, file.path, hint) for hint in text_hints(text, self.rules))
        return ()

    def _text_file(self, shown: str) -> bool:
        name = PurePosixPath(shown).name
        return any(glob_match(name, pattern) or glob_match(shown, pattern) for pattern in self.rules.text_files)

    def _device_tree(self, seen: _Seen, shown: str, file: TreeFile, content: bytes) -> None:
        if file.type.detail.get("format") != "fdt":
            return
        facts = read_device_tree(content, self.rules)
        if facts is None:
            return
        seen.keys.extend((shown, key) for key in facts.keys)
        if facts.bootargs:
            seen.hints.extend((file.device_path, file.path, hint) for hint in text_hints(facts.bootargs, self.rules))

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        seen = self._seen.pop(image.name, _Seen())
        found = [self._boot_image(image.name, container, record, seen.keys) for container, record in seen.images]
        found.extend(self._key_finding(image.name, path, key) for path, key in seen.keys if key.required)
        found.extend(self._hint_finding(image.name, path, extracted, hint) for path, extracted, hint in seen.hints)
        if not found:
            found.append(
                Finding(
                    check=self.id,
                    check_version=self.version,
                    outcome=Outcome.INFO,
                    provisions=(),
                    severity=Severity.INFO,
                    title="No boot image or verified-boot setting found",
                    location=Location(image=image.name),
                    detail=(
                        "The image holds no FIT or uImage boot image, no bootloader device tree with a key and no "
                        "dm-verity or U-Boot verification setting: secure boot cannot be judged from it."
                    ),
                    discriminator="nothing",
                )
            )
        return found

    def _boot_image(
        self, image: str, container: str, record: BootImage, keys: list[tuple[str, RequiredKey]]
    ) -> Finding:
        required = [key for _, key in keys if key.required and _matches(key, record)]
        if record.format == "uimage":
            outcome, severity = Outcome.INFO, Severity.LOW
            title = "Legacy U-Boot image: a CRC32, no signature"
            detail = (
                f"{container} is a legacy uImage ({record.description or 'no name'}): its header carries a CRC32 "
                "against corruption but no signature, so the bootloader cannot tell a modified kernel from the "
                "manufacturer's. Use a signed FIT image with U-Boot's verified boot."
            )
        elif record.signed_configurations and required:
            outcome, severity = Outcome.PASS, Severity.INFO
            title = "Verified boot: a signed FIT image and a bootloader key marked required"
            algorithms, hints = ", ".join(record.signature_algorithms), ", ".join(record.key_hints) or "unnamed"
            detail = (
                f"{container} signs {', '.join(record.signed_configurations)} ({algorithms}, key {hints}), and a "
                "bootloader device tree in the image requires that key "
                f"({', '.join(f'{k.name}: required = {k.required}' for k in required)})."
            )
        elif record.signed_configurations or record.signed_images:
            outcome, severity = Outcome.INFO, Severity.INFO
            title = "Signed FIT boot image"
            signed = record.signed_configurations or record.signed_images
            detail = (
                f"{container} carries signatures on {', '.join(signed)} ({', '.join(record.signature_algorithms)}, "
                f"key {', '.join(record.key_hints) or 'unnamed'}). Whether the bootloader refuses an unsigned image "
                "depends on its control device tree marking the key required, which the image does not show."
            )
        else:
            outcome, severity = Outcome.INFO, Severity.LOW
            title = "FIT boot image with hashes but no signature"
            detail = (
                f"{container} carries {', '.join(record.hash_algorithms) or 'no'} hashes of its images but no "
                "signature: the bootloader can detect corruption, not a modified image. Sign the configurations "
                "(mkimage -k) and mark the key required in U-Boot's device tree."
            )
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=(SECURE_BOOT,),
            severity=severity,
            title=title,
            location=Location(image=image, extracted_path=container),
            detail=detail,
            evidence={**evidence_of(record), "required_keys": [k.name for k in required]},
            discriminator=f"boot-image:{record.format}:{_inside_image(container)}",
        )

    def _key_finding(self, image: str, path: str, key: RequiredKey) -> Finding:
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.INFO,
            provisions=(SECURE_BOOT,),
            severity=Severity.INFO,
            title="Bootloader device tree requires a signature",
            location=Location(image=image, path=path),
            detail=(
                f"{path} holds the verification key {key.name} ({key.algorithm or 'algorithm not named'}) with "
                f'`required = "{key.required}"`: U-Boot built with this device tree boots only images signed with it.'
            ),
            evidence={"key": key.name, "algorithm": key.algorithm, "required": key.required},
            discriminator=f"required-key:{key.name}",
        )

    def _hint_finding(self, image: str, path: str | None, extracted: str, hint: TextHint) -> Finding:
        shown = path or extracted
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.INFO,
            provisions=(SECURE_BOOT,),
            severity=hint.rule.severity,
            title=hint.rule.title,
            location=Location(image=image, path=path, extracted_path=extracted, line=hint.line),
            detail=f"{shown} line {hint.line}: `{hint.code}`. {hint.rule.detail}",
            evidence={"rule": hint.rule.id, "code": hint.code},
            discriminator=hint.rule.id,
        )


def _matches(key: RequiredKey, record: BootImage) -> bool:
    """U-Boot finds the key for a signature by its key-name-hint: node `key-<hint>`."""
    return not record.key_hints or key.name.removeprefix("key-") in record.key_hints


def _inside_image(container: str) -> str:
    """The container's place below the image's own extraction folder, the same in every version."""
    return container.split("/", 1)[1] if "/" in container else ""

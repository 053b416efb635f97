"""The private-key check: keys baked into the image (EN 303 645 5.4-3, 5.4-1) and the same key in
several images, hence on every unit (5.4-4)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from iotbaseline.checks.base import Check, CheckSettings, ScannedImage
from iotbaseline.checks.secrets.certificates import certificates_in
from iotbaseline.checks.secrets.keys import FoundKey, private_keys_in
from iotbaseline.checks.secrets.placement import is_documentation, shown_path
from iotbaseline.checks.secrets.shared import SharedSecretIndex, Sighting
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity

BAKED_IN = ("EN303645:5.4-3", "EN303645:5.4-1")
UNIVERSAL = ("EN303645:5.4-4",)


@dataclass(frozen=True)
class _KeyAt:
    key: FoundKey
    file: TreeFile
    path: str
    line: int | None


@dataclass
class _ImageKeys:
    examined: int = 0
    keys: list[_KeyAt] = field(default_factory=list)
    certificates: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """Public-key fingerprint -> paths of the certificates that carry that key."""


class PrivateKeyCheck(Check):
    id: ClassVar[str] = "firmware.secrets.private-keys"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Private keys in the firmware"
    provisions: ClassVar[tuple[str, ...]] = (*BAKED_IN, *UNIVERSAL)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset(
        {FileKind.PEM, FileKind.DER, FileKind.OPENSSH_KEY, FileKind.TEXT, FileKind.SCRIPT, FileKind.ELF, FileKind.DATA}
    )

    def __init__(self, settings: CheckSettings | None = None) -> None:
        super().__init__(settings)
        self._index = SharedSecretIndex()
        self._images: dict[str, _ImageKeys] = {}
        self._last_seen: dict[str, tuple[ScannedImage, _KeyAt]] = {}
        """Fingerprint -> where it was last seen, for the finding's location."""

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._images[image.name] = _ImageKeys()
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        state = self._images.setdefault(image.name, _ImageKeys())
        state.examined += 1
        path = shown_path(file.device_path, file.path)
        for key in private_keys_in(content):
            line = content.count(b"\n", 0, key.offset) + 1 if key.format not in _BINARY_FORMATS else None
            state.keys.append(_KeyAt(key, file, path, line))
        for certificate in certificates_in(content):
            state.certificates[certificate.public_sha256].append(path)
        return ()

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        state = self._images.pop(image.name, _ImageKeys())
        findings = [self._key_finding(image, state, found) for found in state.keys]
        for found in state.keys:
            if _is_baked_in(found) and found.key.public_sha256 is not None:
                self._index.add(found.key.public_sha256, Sighting(image.name, found.path, found.line))
                self._last_seen[found.key.public_sha256] = (image, found)
        if not any(f.outcome is Outcome.FAIL for f in findings):
            findings.append(self._pass_finding(image, state))
        return findings

    def _key_finding(self, image: ScannedImage, state: _ImageKeys, found: _KeyAt) -> Finding:
        key = found.key
        evidence: dict[str, object] = {
            "format": key.format,
            "algorithm": key.algorithm,
            "bits": key.bits,
            "encrypted": key.encrypted,
            "public_sha256": key.public_sha256,
            "certificates": sorted(set(state.certificates.get(key.public_sha256 or "", ()))),
        }
        if is_documentation(found.path):
            outcome, severity, confidence = Outcome.INFO, Severity.LOW, "low"
            title = f"Private key in a documentation or test folder: {key.describe()}"
            detail = "most likely published example material, not a key the device uses; confirm it is not loaded"
        elif key.encrypted:
            outcome, severity, confidence = Outcome.INFO, Severity.LOW, "high"
            title = f"Encrypted private key in the image: {key.describe()}"
            detail = "protected by a passphrase; the passphrase must not be in the image either"
        else:
            outcome, severity, confidence = Outcome.FAIL, Severity.HIGH, "high"
            title = f"Private key baked into the image: {key.describe()}"
            detail = "every unit running this firmware holds the same private key"
        evidence["confidence"] = confidence
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=BAKED_IN,
            severity=severity,
            title=title,
            detail=detail,
            location=_location(image, found),
            evidence=evidence,
            discriminator=key.public_sha256 or key.format,
        )

    def conclude(self, images: Sequence[ScannedImage]) -> Iterable[Finding]:
        for fingerprint in self._index.shared():
            image, found = self._last_seen[fingerprint]
            images_seen = self._index.images(fingerprint)
            yield Finding(
                check=self.id,
                check_version=self.version,
                outcome=Outcome.FAIL,
                provisions=UNIVERSAL,
                severity=Severity.HIGH,
                title=f"The same private key is in {len(images_seen)} images: on every unit, not unique per device",
                detail="found in " + "; ".join(f"{s.image}:{s.path}" for s in self._index.sightings(fingerprint)),
                location=_location(image, found),
                evidence={
                    "public_sha256": fingerprint,
                    "algorithm": found.key.algorithm,
                    "bits": found.key.bits,
                    "images": images_seen,
                    "sightings": [s.to_dict() for s in self._index.sightings(fingerprint)],
                },
                discriminator=f"shared:{fingerprint}",
            )

    def _pass_finding(self, image: ScannedImage, state: _ImageKeys) -> Finding:
        certificates = sum(len(paths) for paths in state.certificates.values())
        others = len(state.keys)
        summary = f"examined {state.examined:,} files: {_count(certificates, 'certificate')}, no baked-in private key"
        if others:
            summary += f" ({_count(others, 'key')} in documentation folders or encrypted)"
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.PASS,
            provisions=(*BAKED_IN, *UNIVERSAL),
            severity=Severity.INFO,
            title="No unencrypted private key baked into the image",
            detail=summary,
            location=Location(image=image.name),
            evidence={"files_examined": state.examined, "certificates": certificates, "other_keys": others},
            discriminator="pass",
        )


_BINARY_FORMATS = frozenset({"der", "encrypted-pkcs8-der", "pkcs12", "dropbear"})


def _is_baked_in(found: _KeyAt) -> bool:
    return not found.key.encrypted and not is_documentation(found.path)


def _location(image: ScannedImage, found: _KeyAt) -> Location:
    return Location(
        image=image.name,
        path=found.path,
        extracted_path=found.file.path,
        line=found.line,
        offset=found.key.offset,
    )


def _count(number: int, noun: str) -> str:
    if number == 0:
        return f"no {noun}s"
    return f"{number:,} {noun}" + ("" if number == 1 else "s")

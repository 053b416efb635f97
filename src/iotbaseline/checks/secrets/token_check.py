"""The token check: cloud and API tokens, Wi-Fi keys and secret assignments baked into the image
(EN 303 645 5.4-3), and the same token in several images (5.4-4)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from iotbaseline.checks.base import Check, CheckSettings, ScannedImage
from iotbaseline.checks.masking import mask_token
from iotbaseline.checks.secrets.placement import is_documentation, shown_path
from iotbaseline.checks.secrets.shared import SharedSecretIndex, Sighting
from iotbaseline.checks.secrets.token_rules import AWS_ACCESS_KEY_ID
from iotbaseline.checks.secrets.tokens import TokenMatch, find_tokens
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity

BAKED_IN = ("EN303645:5.4-3",)
UNIVERSAL = ("EN303645:5.4-4",)


@dataclass(frozen=True)
class _TokenAt:
    match: TokenMatch
    location: Location


@dataclass
class _ImageTokens:
    examined: int = 0
    failures: int = 0
    tokens: dict[str, _TokenAt] = field(default_factory=dict)
    """Identity -> first place in this image, for the tokens that count as baked in."""


class TokenCheck(Check):
    id: ClassVar[str] = "firmware.secrets.tokens"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Cloud, API and Wi-Fi secrets in the firmware"
    provisions: ClassVar[tuple[str, ...]] = (*BAKED_IN, *UNIVERSAL)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.TEXT, FileKind.SCRIPT, FileKind.ELF})

    def __init__(self, settings: CheckSettings | None = None) -> None:
        super().__init__(settings)
        self._index = SharedSecretIndex()
        self._last_seen: dict[str, _TokenAt] = {}
        """Token identity -> where it was last seen, for the finding's location."""
        self._images: dict[str, _ImageTokens] = {}

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._images[image.name] = _ImageTokens()
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        state = self._images.setdefault(image.name, _ImageTokens())
        state.examined += 1
        path = shown_path(file.device_path, file.path)
        findings: list[Finding] = []
        for match in find_tokens(content, binary=file.type.kind is FileKind.ELF):
            location = Location(
                image=image.name, path=path, extracted_path=file.path, line=match.line, offset=match.offset
            )
            finding = self._token_finding(match, location, documentation=is_documentation(path))
            findings.append(finding)
            if finding.outcome is Outcome.FAIL:
                state.failures += 1
                state.tokens.setdefault(match.identity, _TokenAt(match, location))
                self._index.add(match.identity, Sighting(image.name, path, match.line))
                self._last_seen[match.identity] = _TokenAt(match, location)
        return findings

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        state = self._images.pop(image.name, _ImageTokens())
        findings: list[Finding] = []
        if not state.failures:
            findings.append(
                Finding(
                    check=self.id,
                    check_version=self.version,
                    outcome=Outcome.PASS,
                    provisions=(*BAKED_IN, *UNIVERSAL),
                    severity=Severity.INFO,
                    title="No cloud, API or Wi-Fi secret baked into the image",
                    detail=f"examined {state.examined:,} text files, scripts and binaries: no tokens",
                    location=Location(image=image.name),
                    evidence={"files_examined": state.examined},
                    discriminator="pass",
                )
            )
        return findings

    def _token_finding(self, match: TokenMatch, location: Location, documentation: bool) -> Finding:
        rule = match.rule
        evidence: dict[str, object] = {"kind": rule.name, "masked": mask_token(match.literal)}
        outcome, severity = Outcome.FAIL, rule.severity
        title = f"{rule.description[:1].upper()}{rule.description[1:]} in the image: {mask_token(match.literal)}"
        detail = "the same secret is in every unit running this firmware"
        if match.companion is not None:
            evidence["secret_masked"] = mask_token(match.companion)
            detail = "with its secret access key nearby: a working credential on every unit"
        elif rule.name == AWS_ACCESS_KEY_ID:
            outcome, severity = Outcome.INFO, Severity.LOW
            detail = "an access key id without its secret nearby is not a credential by itself"
        if documentation:
            outcome, severity = Outcome.INFO, Severity.LOW
            detail = "in a documentation or test folder: most likely example material"
            evidence["confidence"] = "low"
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=BAKED_IN,
            severity=severity,
            title=title,
            detail=detail,
            location=location,
            evidence=evidence,
            discriminator=f"{rule.name}:{match.identity[:16]}",
        )

    def conclude(self, images: Sequence[ScannedImage]) -> Iterable[Finding]:
        for identity in self._index.shared():
            found = self._last_seen[identity]
            images_seen = self._index.images(identity)
            sightings = self._index.sightings(identity)
            yield Finding(
                check=self.id,
                check_version=self.version,
                outcome=Outcome.FAIL,
                provisions=UNIVERSAL,
                severity=Severity.HIGH,
                title=f"The same {found.match.rule.description} is in {len(images_seen)} images: it is on every unit",
                detail="found in " + "; ".join(f"{s.image}:{s.path}:{s.line}" for s in sightings),
                location=found.location,
                evidence={
                    "kind": found.match.rule.name,
                    "masked": mask_token(found.match.literal),
                    "images": images_seen,
                    "sightings": [s.to_dict() for s in sightings],
                },
                discriminator=f"shared:{identity[:16]}",
            )

"""The check over ELF binaries: default passwords next to login logic, passwords piped into chpasswd."""

from collections.abc import Iterable
from dataclasses import replace
from typing import ClassVar

from iotbaseline.checks.base import MIB, Check, CheckSettings, ScannedImage
from iotbaseline.checks.hardcoded.binary_strings import BinaryCandidate, BinaryStringScanner
from iotbaseline.checks.hardcoded.findings import HARD_CODED, UNIVERSAL_LOGIN, hit_finding
from iotbaseline.checks.hardcoded.hits import CredentialHit, Rule
from iotbaseline.checks.hardcoded.patterns import CredentialPatterns, default_patterns
from iotbaseline.checks.masking import mask_password
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity


class BinaryCredentialStringsCheck(Check):
    id = "firmware.credentials.binary-strings"
    version = "1"
    title = "Hard-coded credentials in program binaries"
    provisions = (HARD_CODED, *UNIVERSAL_LOGIN)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.ELF})
    max_file_bytes: ClassVar[int] = 8 * MIB
    """The pattern data's binary.max_bytes bounds the scan further."""

    def __init__(self, settings: CheckSettings | None = None, patterns: CredentialPatterns | None = None) -> None:
        super().__init__(settings)
        self.patterns = patterns or default_patterns()
        self._scanner = BinaryStringScanner(self.patterns)
        self._examined: dict[str, tuple[int, int, int]] = {}  # binaries, bytes, fails

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._examined[image.name] = (0, 0, 0)
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        data = content[: self.patterns.binary.max_bytes]
        path = file.device_path or "/" + file.path
        findings = [self._candidate_finding(image, file, path, c) for c in self._scanner.candidates(data)]
        for command in self._scanner.commands(data):
            location = Location(image=image.name, path=path, extracted_path=file.path, offset=command.offset)
            extra: dict[str, JSONValue] = {"offset": hex(command.offset), "string": command.text[:160]}
            findings.append(hit_finding(self.id, self.version, location, command.hit, reveal=True, extra=extra))
        binaries, scanned, fails = self._examined.get(image.name, (0, 0, 0))
        fails += sum(1 for f in findings if f.outcome is Outcome.FAIL)
        self._examined[image.name] = (binaries + 1, scanned + len(data), fails)
        return findings

    def _candidate_finding(self, image: ScannedImage, file: TreeFile, path: str, found: BinaryCandidate) -> Finding:
        location = Location(image=image.name, path=path, extracted_path=file.path, offset=found.offset)
        hit = CredentialHit(Rule.BINARY_STRING, 0, found.literal, login=True, user=found.user, name="string")
        neighbours = [mask_password(n) if n == found.literal else n[:80] for n in found.neighbours]
        extra: dict[str, JSONValue] = {
            "offset": hex(found.offset),
            "confidence": "low",
            "keywords": list(found.keywords),
            "neighbours": neighbours,
            "known_default": True,
        }
        finding = hit_finding(self.id, self.version, location, hit, reveal=self.reveal, extra=extra)
        if found.corroborated:
            return replace(finding, severity=Severity.MEDIUM)
        return replace(finding, severity=Severity.LOW, outcome=Outcome.INFO)

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        binaries, scanned, fails = self._examined.pop(image.name, (0, 0, 0))
        if fails or not binaries:
            return []
        title = f"examined {binaries} ELF binaries; no known default password next to login logic"
        detail = (
            f"scanned {scanned} bytes (at most {self.patterns.binary.max_bytes} per binary) for "
            f"{len(self.patterns.binary.default_passwords)} known default passwords near login strings and for "
            "passwords piped into chpasswd or passwd; none found."
        )
        evidence: dict[str, JSONValue] = {"binaries": binaries, "bytes": scanned}
        return [
            Finding(
                check=self.id,
                check_version=self.version,
                outcome=Outcome.PASS,
                provisions=(HARD_CODED, *UNIVERSAL_LOGIN),
                severity=Severity.INFO,
                title=title,
                location=Location(image=image.name),
                detail=detail,
                evidence=evidence,
                discriminator="examined",
            )
        ]  # fmt: skip

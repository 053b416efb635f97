"""The certificate check: what is wrong with the X.509 certificates a device presents (EN 303 645 5.5-1).

Certificates in trust stores (CA bundles) are what the device trusts, not what it presents: counted,
not judged.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from iotbaseline.checks.base import Check, CheckSettings, ScannedImage
from iotbaseline.checks.secrets.certificates import CertificateFacts, CertificateProblem, certificates_in
from iotbaseline.checks.secrets.placement import is_documentation, is_trust_store, shown_path
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity

PROVISIONS = ("EN303645:5.5-1",)
# problem kind -> outcome and severity of its finding
JUDGEMENT: dict[str, tuple[Outcome, Severity]] = {
    "weak-key": (Outcome.FAIL, Severity.MEDIUM),
    "weak-signature": (Outcome.FAIL, Severity.MEDIUM),
    "expired": (Outcome.INFO, Severity.LOW),
    "not-yet-valid": (Outcome.INFO, Severity.LOW),
    "self-signed": (Outcome.INFO, Severity.LOW),
}


@dataclass
class _ImageCertificates:
    examined: int = 0
    judged: int = 0
    trusted: int = 0
    failures: int = 0


class CertificateCheck(Check):
    id: ClassVar[str] = "firmware.secrets.certificates"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Certificates in the firmware"
    provisions: ClassVar[tuple[str, ...]] = PROVISIONS
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset(
        {FileKind.PEM, FileKind.DER, FileKind.TEXT, FileKind.SCRIPT, FileKind.ELF}
    )

    def __init__(
        self, settings: CheckSettings | None = None, clock: Callable[[], datetime.datetime] | None = None
    ) -> None:
        super().__init__(settings)
        self._clock = clock or (lambda: datetime.datetime.now(datetime.UTC))
        self._images: dict[str, _ImageCertificates] = {}

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._images[image.name] = _ImageCertificates()
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        state = self._images.setdefault(image.name, _ImageCertificates())
        state.examined += 1
        found = certificates_in(content)
        if not found:
            return []
        path = shown_path(file.device_path, file.path)
        if len(found) > 1 or is_trust_store(path) or is_documentation(path):
            state.trusted += len(found)
            return []
        state.judged += len(found)
        findings = [
            self._problem_finding(image, file, path, content, facts, problem)
            for facts in found
            for problem in facts.problems(self._clock())
        ]
        state.failures += sum(f.outcome is Outcome.FAIL for f in findings)
        return findings

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        state = self._images.pop(image.name, _ImageCertificates())
        if state.failures:
            return []
        detail = (
            f"examined {state.examined:,} files: {state.judged:,} certificates the device may present, "
            f"{state.trusted:,} in trust stores or documentation (not judged); "
            "none with a weak key or a SHA-1/MD5 signature"
        )
        return [
            Finding(
                check=self.id,
                check_version=self.version,
                outcome=Outcome.PASS,
                provisions=PROVISIONS,
                severity=Severity.INFO,
                title="No certificate with a weak key or a broken signature hash",
                detail=detail,
                location=Location(image=image.name),
                evidence={"files_examined": state.examined, "certificates": state.judged, "trusted": state.trusted},
                discriminator="pass",
            )
        ]

    def _problem_finding(
        self,
        image: ScannedImage,
        file: TreeFile,
        path: str,
        content: bytes,
        facts: CertificateFacts,
        problem: CertificateProblem,
    ) -> Finding:
        outcome, severity = JUDGEMENT[problem.kind]
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=PROVISIONS,
            severity=severity,
            title=f"Certificate {facts.subject or '(no subject)'}: {problem.kind.replace('-', ' ')}",
            detail=problem.why,
            location=Location(
                image=image.name,
                path=path,
                extracted_path=file.path,
                line=content.count(b"\n", 0, facts.offset) + 1,
                offset=facts.offset,
            ),
            evidence={
                "problem": problem.kind,
                "subject": facts.subject,
                "issuer": facts.issuer,
                "not_before": facts.not_before.isoformat(),
                "not_after": facts.not_after.isoformat(),
                "self_signed": facts.self_signed,
                "ca": facts.is_ca,
                "key_algorithm": facts.key_algorithm,
                "key_bits": facts.key_bits,
                "signature_hash": facts.signature_hash,
                "public_sha256": facts.public_sha256,
            },
            discriminator=f"{problem.kind}:{facts.public_sha256}",
        )

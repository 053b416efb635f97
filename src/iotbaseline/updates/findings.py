"""Update-mechanism judgements as Findings: where, which provisions, the code lines quoted, what to do."""

from collections.abc import Mapping
from dataclasses import dataclass

from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity
from iotbaseline.updates.judge import FlashJudgement
from iotbaseline.updates.keys import VerificationKey
from iotbaseline.updates.script import CLEARTEXT, Download, Verification

SECURE_INSTALL = "EN303645:5.3-2"
BEST_PRACTICE_CRYPTO = "EN303645:5.3-7"
AUTHENTIC_AND_INTACT = "EN303645:5.3-9"
TRUST_RELATIONSHIP = "EN303645:5.3-10"
UPDATE_PROVISIONS = (SECURE_INSTALL, BEST_PRACTICE_CRYPTO, AUTHENTIC_AND_INTACT, TRUST_RELATIONSHIP)
CODE_CHARS = 200

REMEDIATION = (
    "Sign release images and have the device verify the signature against a public key in its read-only "
    "firmware before anything is written to flash, failing closed (`if ! openssl pkeyutl -verify ...; then exit "
    "1; fi`, usign, RAUC or SWUpdate with signed images); fetch updates over HTTPS with certificate verification."
)


@dataclass(frozen=True)
class ScriptPlace:
    """An update script: where it is and its lines, to quote them."""

    image: str
    device_path: str | None
    """None for a script outside a root file system (in an update package)."""
    extracted_path: str
    lines: tuple[str, ...]

    @property
    def path(self) -> str:
        """How the script is named in a text: its device path, else its place in the extraction."""
        return self.device_path or self.extracted_path

    def location(self, line: int | None) -> Location:
        return Location(image=self.image, path=self.device_path, extracted_path=self.extracted_path, line=line)

    def code(self, line: int) -> str:
        return self.lines[line - 1].strip()[:CODE_CHARS] if 0 < line <= len(self.lines) else ""

    def quoted(self, line: int) -> dict[str, JSONValue]:
        return {"line": line, "code": self.code(line)}


@dataclass(frozen=True)
class FindingMaker:
    """The parts findings about one place share."""

    check: str
    version: str
    location: Location
    evidence: Mapping[str, JSONValue]

    def __call__(
        self,
        outcome: Outcome,
        provisions: tuple[str, ...],
        severity: Severity,
        title: str,
        detail: str,
        discriminator: str,
    ) -> Finding:
        return Finding(
            check=self.check,
            check_version=self.version,
            outcome=outcome,
            provisions=provisions,
            severity=severity,
            title=title,
            location=self.location,
            detail=detail,
            evidence=self.evidence,
            discriminator=discriminator,
        )


@dataclass(frozen=True)
class KeyFacts:
    path: str
    present: bool
    keys: tuple[VerificationKey, ...] = ()
    weakness: str | None = None


def unverified_flash(check: str, version: str, place: ScriptPlace, judged: FlashJudgement) -> Finding:
    download, flash = judged.download, judged.flash
    transport = download.transport if download else "unknown"
    channel_open = transport in CLEARTEXT or (download is not None and download.insecure is not None)
    provisions = UPDATE_PROVISIONS if channel_open else (AUTHENTIC_AND_INTACT,)
    line = download.line if download else flash.line
    how = _channel(download)
    detail = (
        f"{place.path} line {line} fetches the firmware {how} and line {flash.line} writes it with "
        f"`{place.code(flash.line)}` without any signature check that could stop it. {_consequence(download)}"
        f"{_extra(judged)} {REMEDIATION}"
    )
    evidence: dict[str, JSONValue] = {
        **_download_evidence(download, signature_check=False),
        "flash": {**place.quoted(flash.line), "tool": flash.tool, "target": flash.target},
    }
    if download is not None:
        evidence["download"] = {**place.quoted(download.line), "tool": download.tool}
    for name, found in (("checksum", judged.checksum), ("ignored_signature", judged.ignored)):
        if found is not None:
            evidence[name] = {**place.quoted(found.line), "tool": found.tool}
    if judged.fetched_key is not None:
        evidence["downloaded_key"] = {**place.quoted(judged.fetched_key.line), "key": judged.fetched_key.key}
    return Finding(
        check=check,
        check_version=version,
        outcome=Outcome.FAIL,
        provisions=provisions,
        severity=Severity.HIGH if channel_open else Severity.MEDIUM,
        title=_unverified_title(download),
        location=place.location(line),
        detail=detail,
        evidence=evidence,
        discriminator="unverified-flash",
    )


def verified_flash(
    check: str, version: str, place: ScriptPlace, judged: FlashJudgement, key: KeyFacts | None, weak: frozenset[str]
) -> list[Finding]:
    """A PASS for a flash that a signature check guards, with a FAIL when its cryptography is weak
    and a hint when its key is not in the image or its channel is open."""
    signature = judged.signature
    assert signature is not None
    download = judged.download
    digest_weak = signature.digest in weak
    evidence: dict[str, JSONValue] = {
        **_download_evidence(download, signature_check=True),
        "verifier": signature.tool,
        "digest": signature.digest,
        "key": _key_evidence(signature, key),
        "signature": place.quoted(signature.line),
        "flash": {**place.quoted(judged.flash.line), "tool": judged.flash.tool},
    }
    make = FindingMaker(check, version, place.location(signature.line), evidence)
    if key is None or not key.present:
        where = signature.key or "a key the script does not name"
        return [
            make(
                outcome=Outcome.INFO,
                provisions=(AUTHENTIC_AND_INTACT,),
                severity=Severity.INFO,
                title="Update signature checked against a key that is not in the firmware image",
                detail=(
                    f"{place.path} line {signature.line} checks the image's signature (`{place.code(signature.line)}`) "
                    f"before the flash, against {where}, which the image does not hold: it is made or provisioned "
                    "later, so whether an attacker could replace it cannot be told from the image. Keep the "
                    "verification key in the read-only root file system."
                ),
                discriminator="key-not-in-image",
            )
        ]
    found: list[Finding] = []
    weakness = key.weakness or (
        f"the digest is {signature.digest.upper()}" if digest_weak and signature.digest else None
    )
    if weakness is not None:
        found.append(
            make(
                outcome=Outcome.FAIL,
                provisions=(BEST_PRACTICE_CRYPTO,),
                severity=Severity.MEDIUM,
                title="Update signature uses weak cryptography",
                detail=(
                    f"{place.path} line {signature.line} checks updates with `{place.code(signature.line)}`, but "
                    f"{weakness}; a signature that can be forged does not protect the update. Sign with RSA of at "
                    "least 2048 bits, ECDSA P-256 or Ed25519, over SHA-256 or better."
                ),
                discriminator="weak-signature",
            )
        )
        return found
    strong = crypto_known_strong(signature.digest, key, weak)
    provisions = (
        (SECURE_INSTALL, BEST_PRACTICE_CRYPTO, AUTHENTIC_AND_INTACT, TRUST_RELATIONSHIP)
        if strong
        else (AUTHENTIC_AND_INTACT, TRUST_RELATIONSHIP)
    )
    found.append(
        make(
            outcome=Outcome.PASS,
            provisions=provisions,
            severity=Severity.INFO,
            title="Firmware is flashed only after its signature verifies",
            detail=(
                f"{place.path} fetches the firmware {_channel(download)}; line {signature.line} checks its signature "
                f"(`{place.code(signature.line)}`) against {key.path} ({_keys_text(key)}), and the flash at line "
                f"{judged.flash.line} cannot run when the check fails."
                + ("" if strong else " The digest or key type is not stated, so the strength is not judged here.")
            ),
            discriminator="verified-flash",
        )
    )
    if download is not None and (download.transport in CLEARTEXT or download.insecure):
        found.append(
            make(
                outcome=Outcome.INFO,
                provisions=(BEST_PRACTICE_CRYPTO,),
                severity=Severity.LOW,
                title="Signed update fetched over an unauthenticated channel",
                detail=(
                    f"The image is signed, but line {download.line} fetches it {_channel(download)}: the signature "
                    "protects the image, not the privacy of the exchange or the metadata around it. Prefer HTTPS "
                    "with certificate verification."
                ),
                discriminator="open-channel",
            )
        )
    return found


def crypto_known_strong(digest: str | None, key: KeyFacts, weak: frozenset[str]) -> bool:
    """Key type and size read and fine, and a strong digest named (none needed for EdDSA)."""
    if not key.keys or key.weakness or any(k.algorithm == "unknown" for k in key.keys):
        return False
    pure = all(k.algorithm in ("ed25519", "ed448") for k in key.keys)
    return pure or (digest is not None and digest not in weak)


def _key_evidence(signature: Verification, key: KeyFacts | None) -> dict[str, JSONValue]:
    evidence: dict[str, JSONValue] = {"path": signature.key, "present": bool(key and key.present)}
    if key is not None and key.keys:
        evidence["keys"] = [{"algorithm": k.algorithm, "bits": k.bits, "form": k.form} for k in key.keys]
    return evidence


def _keys_text(key: KeyFacts) -> str:
    return ", ".join(k.describe() for k in key.keys) if key.keys else "a key whose format was not read"


def _channel(download: Download | None) -> str:
    if download is None:
        return "from a source the script does not name"
    if download.insecure:
        return f"from {download.url} with certificate verification turned off (`{download.tool} {download.insecure}`)"
    if download.transport in CLEARTEXT:
        return f"from {download.url} over cleartext {download.transport.upper()}"
    if download.transport == "unknown":
        return f"from {download.url} (a URL the script reads at run time)"
    return f"from {download.url}"


def _consequence(download: Download | None) -> str:
    if download is None or download.transport == "unknown":
        return "Nothing on the device checks that the image comes from the manufacturer."
    if download.transport in CLEARTEXT or download.insecure:
        return (
            "Anyone on the network path (a rogue Wi-Fi, a poisoned DNS answer) can serve their own firmware, "
            "and the device will install it."
        )
    return (
        "Only the HTTPS connection vouches for the image: a compromised or impersonated update server, or a "
        "file swapped on the device before the flash, is installed as it is."
    )


def _extra(judged: FlashJudgement) -> str:
    notes = []
    if judged.checksum is not None:
        notes.append(
            f" Line {judged.checksum.line} computes a checksum ({judged.checksum.tool}), which catches transfer "
            "errors but not a forged image."
        )
    if judged.ignored is not None:
        notes.append(f" Line {judged.ignored.line} checks a signature, but its failure does not stop the flash.")
    if judged.fetched_key is not None:
        notes.append(
            f" Line {judged.fetched_key.line} checks a signature against {judged.fetched_key.key}, a key the script "
            "downloads itself, which proves nothing."
        )
    return "".join(notes)


def _unverified_title(download: Download | None) -> str:
    if download is not None and download.insecure:
        return "Firmware fetched with TLS certificate verification off and flashed without a signature check"
    if download is not None and download.transport in CLEARTEXT:
        return f"Firmware fetched over cleartext {download.transport.upper()} and flashed without a signature check"
    return "Firmware flashed without a signature check"


def _download_evidence(download: Download | None, *, signature_check: bool) -> dict[str, JSONValue]:
    """What every flash finding records of the download: where from, how, and whether a signature is checked."""
    return {
        "url": download.url if download else None,
        "transport": download.transport if download else "unknown",
        "tls_verification": _tls_verification(download),
        "signature_check": signature_check,
    }


def _tls_verification(download: Download | None) -> bool | None:
    if download is None or download.transport not in ("https", "ftps"):
        return None
    return download.insecure is None


def installer_flash(
    check: str, version: str, place: ScriptPlace, judged: FlashJudgement, installers: Mapping[str, str]
) -> Finding:
    """A PASS for an image handed to an installer that checks its signature itself."""
    flash = judged.flash
    why = installers.get(flash.installer or "", "the installer checks the image's signature")
    download = judged.download
    return Finding(
        check=check,
        check_version=version,
        outcome=Outcome.PASS,
        provisions=(AUTHENTIC_AND_INTACT, TRUST_RELATIONSHIP),
        severity=Severity.INFO,
        title=f"Firmware is installed through {flash.tool}, which checks its signature",
        location=place.location(flash.line),
        detail=(
            f"{place.path} fetches the firmware {_channel(download)} and installs it with "
            f"`{place.code(flash.line)}`: {why}."
        ),
        evidence={
            **_download_evidence(download, signature_check=True),
            "installer": flash.installer,
            "flash": {**place.quoted(flash.line), "tool": flash.tool},
        },
        discriminator="verified-flash",
    )

"""Update packages and updaters seen from outside: vendor updaters compiled into programs (a
firmware URL among a binary's strings, next to the mark of a flash write) and SWUpdate packages
with or without a signed sw-description. Hints only: what installs them is not in these files."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.updates.findings import AUTHENTIC_AND_INTACT, TRUST_RELATIONSHIP
from iotbaseline.updates.rules import UpdateRules
from iotbaseline.updates.script import CLEARTEXT

MAX_URLS = 8


@dataclass(frozen=True)
class BinaryHint:
    device_path: str | None
    extracted_path: str
    urls: tuple[str, ...]
    flash_markers: tuple[str, ...]
    insecure_markers: tuple[str, ...]


def binary_hint(file: TreeFile, content: bytes, rules: UpdateRules) -> BinaryHint | None:
    binary = rules.binary
    markers = tuple(m.decode() for m in binary.flash_markers if m in content)
    if not markers:
        return None
    urls: list[str] = []
    for match in binary.url.finditer(content):
        url = match.group(0).decode("ascii", "replace")
        if _names_firmware(url, binary.firmware_words) and url not in urls:
            urls.append(url)
            if len(urls) >= MAX_URLS:
                break
    if not urls:
        return None
    insecure = tuple(m.decode() for m in binary.insecure_markers if m in content)
    return BinaryHint(file.device_path, file.path, tuple(urls), markers, insecure)


def binary_hint_finding(check: str, version: str, image: str, hint: BinaryHint) -> Finding:
    cleartext = [url for url in hint.urls if urlsplit(url).scheme.lower() in CLEARTEXT]
    notes = []
    if cleartext:
        notes.append(f"it names cleartext URLs ({', '.join(cleartext[:3])})")
    if hint.insecure_markers:
        notes.append(f"it carries {', '.join(repr(m) for m in hint.insecure_markers)}")
    extra = f"; {' and '.join(notes)}" if notes else ""
    return Finding(
        check=check,
        check_version=version,
        outcome=Outcome.INFO,
        provisions=(AUTHENTIC_AND_INTACT, TRUST_RELATIONSHIP),
        severity=Severity.INFO,
        title="Program that looks like a firmware updater",
        location=Location(image=image, path=hint.device_path, extracted_path=hint.extracted_path),
        detail=(
            f"{hint.device_path or hint.extracted_path} holds the firmware URL {hint.urls[0]} and writes flash "
            f"({', '.join(hint.flash_markers)}){extra}. Whether it checks a signature before flashing cannot be "
            "read from its strings: test it with a modified image, or ask the manufacturer."
        ),
        evidence={
            "urls": list(hint.urls),
            "flash_markers": list(hint.flash_markers),
            "insecure_markers": list(hint.insecure_markers),
        },
        discriminator="binary-updater",
    )


def _names_firmware(url: str, words: tuple[str, ...]) -> bool:
    path = urlsplit(url).path.lower() if "://" in url else url.lower()
    host = urlsplit(url).hostname or ""
    return any(word in path or word in host.split(".")[0] for word in words)


def swu_package_hint(check: str, version: str, image: str, description: TreeFile, signed: bool) -> Finding:
    where = description.device_path or description.path
    state = (
        "carries sw-description.sig, a signature SWUpdate built with signed images checks before installing"
        if signed
        else "has no sw-description.sig: SWUpdate built with signed images refuses it, and one built without "
        "installs it unchecked"
    )
    return Finding(
        check=check,
        check_version=version,
        outcome=Outcome.INFO,
        provisions=(AUTHENTIC_AND_INTACT,),
        severity=Severity.INFO,
        title="Signed SWUpdate package" if signed else "SWUpdate package without a signature",
        location=Location(image=image, path=description.device_path, extracted_path=description.path),
        detail=f"The SWUpdate package described by {where} {state}.",
        evidence={"signed": signed},
        discriminator="swu-package",
    )

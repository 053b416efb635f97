"""Credentials in ELF binaries: known defaults next to login logic, shells without login; bounded."""

import hashlib
import time
from pathlib import Path

from iotbaseline.checks.base import ScannedImage
from iotbaseline.checks.hardcoded import BinaryCredentialStringsCheck
from iotbaseline.checks.hardcoded.binary_strings import BinaryStringScanner
from iotbaseline.checks.hardcoded.patterns import default_patterns
from iotbaseline.firmware.extract import ExtractionResult
from iotbaseline.firmware.filetype import FileKind, FileType
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from iotbaseline.model import Finding, Outcome

ELF = b"\x7fELF\x01\x01\x01" + bytes(57)


def visit(content: bytes) -> tuple[list[Finding], list[Finding]]:
    """(findings of the visit, findings of finish) for one binary."""
    tree = FirmwareTree(Path("/nonexistent"), (), (), (), frozenset(), ())
    result = ExtractionResult(Path("fw.bin"), 1, "00", Path("/nonexistent"), tree, [], [], [], 0.1, 0, 1)
    scanned = ScannedImage("fw.bin", result)
    file = TreeFile(
        "fs/usr/bin/ipcamd", len(content), hashlib.sha256(content).hexdigest(), FileType(FileKind.ELF), 0o755, (),
        "fs", "/usr/bin/ipcamd",
    )  # fmt: skip
    check = BinaryCredentialStringsCheck()
    list(check.start(scanned))
    found = list(check.visit(scanned, file, content))
    return found, list(check.finish(scanned))


def test_a_botnet_default_next_to_a_user_name_and_login_logic_is_a_low_confidence_fail() -> None:
    found, finished = visit(ELF + b"\x00root\x00xc3511\x00Password: \x00login incorrect\x00" + bytes(64))
    [finding] = found
    assert finding.outcome is Outcome.FAIL
    assert finding.evidence["confidence"] == "low"
    assert finding.evidence["user"] == "root"
    assert finding.evidence["literal_masked"] == "x****1"
    assert finding.evidence["offset"] == hex(finding.location.offset or 0)
    assert "Password: " in finding.evidence["neighbours"]
    assert finished == []


def test_a_known_default_without_a_user_name_nearby_is_information() -> None:
    [finding], _ = visit(ELF + b"\x00xc3511\x00Password: \x00" + bytes(64))
    assert finding.outcome is Outcome.INFO


def test_a_known_default_far_from_login_logic_or_inside_a_longer_string_is_nothing() -> None:
    far = ELF + b"\x00root\x00xc3511\x00" + b"\x01" * 4096 + b"\x00Password:\x00"
    inside = ELF + b"\x00root\x00abcxc3511def\x00Password:\x00"
    for content in (far, inside):
        found, finished = visit(content)
        assert found == []
        assert finished[0].outcome is Outcome.PASS
        assert finished[0].title == "examined 1 ELF binaries; no known default password next to login logic"


def test_a_binary_that_starts_telnetd_with_a_shell_is_left_to_the_services_checks() -> None:
    found, finished = visit(ELF + b"\x00factory mode\x00telnetd -l /bin/sh &\x00" + bytes(16))
    assert found == []
    assert finished[0].outcome is Outcome.PASS


def test_junk_and_huge_binaries_are_scanned_quickly_and_never_crash() -> None:
    junk = bytes(range(256)) * 40_000 + b"A" * 3_000_000 + b"xc3511" * 100_000
    started = time.monotonic()
    visit(ELF + junk)
    assert time.monotonic() - started < 5


def test_the_scan_is_capped_at_max_bytes() -> None:
    scanner = BinaryStringScanner(default_patterns())
    cap = default_patterns().binary.max_bytes
    content = bytes(cap) + b"\x00root\x00xc3511\x00Password:\x00"
    assert list(scanner.candidates(content)) == []

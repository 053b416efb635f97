"""The secrets checks through the runner: fail, info and pass findings, and keys shared between images."""

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from iotbaseline.checks.base import Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.checks.secrets import CertificateCheck, PrivateKeyCheck, TokenCheck
from iotbaseline.firmware.extract import ExtractionResult
from iotbaseline.firmware.filetype import FileKind, FileType
from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from iotbaseline.model import Finding, Outcome

FIRMWARE = frozenset({Need.FIRMWARE})
KEY = ec.generate_private_key(ec.SECP256R1())
KEY_PEM = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def image(tmp_path: Path, name: str, files: dict[str, tuple[bytes, FileKind]]) -> ScannedImage:
    root = tmp_path / name
    indexed = []
    for path, (data, kind) in files.items():
        (root / "fs" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "fs" / path).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        indexed.append(TreeFile("fs/" + path, len(data), digest, FileType(kind), 0o644, (), "fs", "/" + path))
    tree = FirmwareTree(root, tuple(indexed), (), (), frozenset({"fs"}), (RootFilesystem("fs", ("etc",)),))
    return ScannedImage(name, ExtractionResult(root / "fw.bin", 1, "00", root, tree, [], [], [], 0.1, 0, 1))


def by_outcome(findings: list[Finding], check: str, outcome: Outcome) -> list[Finding]:
    return [f for f in findings if f.check == check and f.outcome is outcome]


def test_a_baked_in_key_fails_and_a_documentation_key_is_information(tmp_path: Path) -> None:
    scanned = image(
        tmp_path,
        "cam.bin",
        {
            "etc/hub/device.key": (KEY_PEM, FileKind.PEM),
            "usr/share/doc/lighttpd/examples/test.key": (KEY_PEM, FileKind.PEM),
        },
    )

    findings, _ = run_checks([PrivateKeyCheck()], [scanned], FIRMWARE)

    [fail] = by_outcome(findings, PrivateKeyCheck.id, Outcome.FAIL)
    [info] = by_outcome(findings, PrivateKeyCheck.id, Outcome.INFO)
    assert fail.location.path == "/etc/hub/device.key" and fail.location.line == 1
    assert fail.severity == "high" and "EN303645:5.4-3" in fail.provisions
    assert info.location.path == "/usr/share/doc/lighttpd/examples/test.key"
    assert info.evidence["confidence"] == "low"
    assert not by_outcome(findings, PrivateKeyCheck.id, Outcome.PASS)


def test_the_same_key_in_two_images_is_one_shared_finding_naming_both(tmp_path: Path) -> None:
    first = image(tmp_path, "a.bin", {"etc/ssl/private/server.key": (KEY_PEM, FileKind.PEM)})
    second = image(tmp_path, "b.bin", {"etc/tls/device.pem": (b"#!/bin/sh\ncat <<EOF\n" + KEY_PEM, FileKind.SCRIPT)})

    findings, _ = run_checks([PrivateKeyCheck()], [first, second], FIRMWARE)

    [shared] = [f for f in findings if f.provisions == ("EN303645:5.4-4",)]
    assert shared.evidence["images"] == ["a.bin", "b.bin"]
    assert [s["path"] for s in shared.evidence["sightings"]] == ["/etc/ssl/private/server.key", "/etc/tls/device.pem"]


def test_one_image_alone_shares_nothing_and_a_clean_image_passes_saying_what_was_examined(tmp_path: Path) -> None:
    alone = image(tmp_path, "a.bin", {"etc/ssl/private/server.key": (KEY_PEM, FileKind.PEM)})
    clean = image(tmp_path, "c.bin", {"etc/passwd": (b"root:x:0:0::/root:/bin/sh\n", FileKind.TEXT)})

    findings, runs = run_checks([PrivateKeyCheck(), TokenCheck(), CertificateCheck()], [alone, clean], FIRMWARE)

    assert not [f for f in findings if "EN303645:5.4-4" in f.provisions and f.outcome is Outcome.FAIL]
    passes = [f for f in findings if f.outcome is Outcome.PASS and f.location.image == "c.bin"]
    assert {f.check for f in passes} == {PrivateKeyCheck.id, TokenCheck.id, CertificateCheck.id}
    assert all("examined 1 " in f.detail for f in passes)
    assert {r.status for r in runs} == {"ran"}


def test_a_token_finding_shows_file_line_and_the_masked_literal(tmp_path: Path) -> None:
    script = b'#!/bin/sh\nexport AWS_ACCESS_KEY_ID="AKIAUE7STPW2OF4R7AQ5"\n'
    script += b'export AWS_SECRET_ACCESS_KEY="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"\n'
    scanned = image(tmp_path, "cam.bin", {"usr/bin/cloud-agent": (script, FileKind.SCRIPT)})

    findings, _ = run_checks([TokenCheck()], [scanned], FIRMWARE)

    [fail] = by_outcome(findings, TokenCheck.id, Outcome.FAIL)
    assert (fail.location.path, fail.location.line, fail.severity) == ("/usr/bin/cloud-agent", 2, "high")
    assert fail.evidence["masked"] == "AKIA" + "*" * 16
    assert "AKIAUE7" not in str(fail.to_dict())

"""Secure-boot hints: boot image records, a bootloader key marked required, verify=n, dm-verity."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from iotbaseline.model import Finding, Outcome
from iotbaseline.updates.boot_check import SecureBootHintsCheck
from tests.unit.tiny_image import outcomes, scan, tiny_image

SECURE_BOOT = ("EN303645:5.7-1",)
needs_dtc = pytest.mark.skipif(shutil.which("dtc") is None, reason="dtc (device-tree-compiler) is not installed")


def fit_record(signed: bool) -> str:
    signature = {
        "node": "signature-1",
        "algo": "sha256,rsa2048",
        "key_name_hint": "dev",
        "padding": None,
        "sign_images": None,
        "hashed_nodes": ["/", "/configurations/config-1", "/images/kernel-1"],
        "covered_images": ["kernel-1"],
        "signer_name": "mkimage",
        "signer_version": "2024.01",
        "timestamp": 0,
        "signed": True,
    }
    record: dict[str, Any] = {
        "format_version": 1,
        "description": "camera",
        "images": [{"node": "kernel-1", "hash_algorithms": ["sha256"], "signatures": []}],
        "configurations": [
            {"node": "config-1", "signatures": [signature] if signed else [], "signed": signed, "images": {}}
        ],
    }
    return json.dumps(record)


def dtb(tmp_path: Path, source: str) -> bytes:
    (tmp_path / "board.dts").write_text(source)
    subprocess.run(
        ["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", tmp_path / "board.dtb", tmp_path / "board.dts"], check=True
    )
    return (tmp_path / "board.dtb").read_bytes()


def run(tmp_path: Path, files: dict[str, str | bytes], outside: dict[str, tuple[str | bytes, str]]) -> list[Finding]:
    return scan(SecureBootHintsCheck(), tiny_image(tmp_path / "x", files, outside))


def test_fit_with_hashes_only_is_a_hint_not_a_pass(tmp_path: Path) -> None:
    findings = run(tmp_path, {}, {"fw.bin_extract/fit.json": (fit_record(signed=False), "fit")})
    [hint] = findings
    assert hint.outcome is Outcome.INFO and hint.provisions == SECURE_BOOT
    assert "no signature" in hint.title


def test_signed_fit_without_the_bootloader_tree_is_a_hint(tmp_path: Path) -> None:
    [hint] = run(tmp_path, {}, {"fw.bin_extract/fit.json": (fit_record(signed=True), "fit")})
    assert hint.outcome is Outcome.INFO and hint.title == "Signed FIT boot image"
    assert hint.evidence["key_name_hints"] == ["dev"]


@needs_dtc
def test_signed_fit_and_a_bootloader_tree_requiring_its_key_pass(tmp_path: Path) -> None:
    tree = dtb(
        tmp_path,
        '/dts-v1/;\n/ {\n\tsignature {\n\t\tkey-dev {\n\t\t\trequired = "conf";\n\t\t\talgo = "sha256,rsa2048";\n'
        "\t\t};\n\t};\n};\n",
    )
    findings = run(
        tmp_path,
        {},
        {"fw.bin_extract/fit.json": (fit_record(signed=True), "fit"), "fw.bin_extract/u-boot.dtb": (tree, "uimage")},
    )
    passed = outcomes(findings, Outcome.PASS)
    assert [f.provisions for f in passed] == [SECURE_BOOT]
    assert passed[0].evidence["required_keys"] == ["key-dev"]


@needs_dtc
def test_a_bootloader_key_not_marked_required_does_not_pass(tmp_path: Path) -> None:
    tree = dtb(
        tmp_path, '/dts-v1/;\n/ {\n\tsignature {\n\t\tkey-dev {\n\t\t\talgo = "sha256,rsa2048";\n\t\t};\n\t};\n};\n'
    )
    findings = run(
        tmp_path,
        {},
        {"fw.bin_extract/fit.json": (fit_record(signed=True), "fit"), "fw.bin_extract/u-boot.dtb": (tree, "uimage")},
    )
    assert outcomes(findings, Outcome.PASS) == []


def test_legacy_uimage_is_a_crc_only_hint(tmp_path: Path) -> None:
    record = json.dumps({"name": "Linux-4.14", "data_crc32": "0x1"})
    [hint] = run(tmp_path, {}, {"fw.bin_extract/uimage.json": (record, "uimage")})
    assert hint.outcome is Outcome.INFO and "CRC32" in hint.title


def test_a_record_not_written_by_the_handler_is_ignored(tmp_path: Path) -> None:
    # a file named fit.json inside the root file system is the vendor's, not the handler's record
    [nothing] = run(tmp_path, {"www/fit.json": fit_record(signed=True)}, {})
    assert nothing.discriminator == "nothing"


def test_uboot_verify_off_is_a_hint_with_its_line(tmp_path: Path) -> None:
    findings = run(tmp_path, {"boot/uEnv.txt": "bootdelay=1\nverify=n\n"}, {})
    [hint] = findings
    assert (hint.location.path, hint.location.line) == ("/boot/uEnv.txt", 2)
    assert hint.evidence["rule"] == "uboot-verify-off"


def test_commented_verify_off_is_not_a_hint(tmp_path: Path) -> None:
    [nothing] = run(tmp_path, {"boot/uEnv.txt": "# verify=n\nverify=y\n"}, {})
    assert nothing.discriminator == "nothing"


def test_dm_verity_in_a_script_is_a_hint(tmp_path: Path) -> None:
    script = "#!/bin/sh\nveritysetup open /dev/mmcblk0p2 root /dev/mmcblk0p3 $ROOTHASH\nmount /dev/mapper/root /\n"
    [hint] = run(tmp_path, {"init": script}, {})
    assert hint.evidence["rule"] == "dm-verity" and hint.location.line == 2

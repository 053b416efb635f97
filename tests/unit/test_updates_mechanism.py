"""The update-mechanism check on tiny inline images: each rule in both directions."""

import base64
from collections.abc import Mapping
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from iotbaseline.model import Finding, Outcome
from iotbaseline.updates import UpdateMechanismCheck
from tests.unit.tiny_image import outcomes, scan, tiny_image

ALL = {"EN303645:5.3-2", "EN303645:5.3-7", "EN303645:5.3-9", "EN303645:5.3-10"}
UPDATER = "usr/sbin/fw-update"


def ed25519_pem() -> bytes:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def rsa_pem(bits: int) -> bytes:
    key = rsa.generate_private_key(65537, bits).public_key()
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


USIGN_KEY = b"untrusted comment: release key\n" + base64.b64encode(b"Ed" + bytes(range(40))) + b"\n"


def run(tmp_path: Path, files: Mapping[str, str | bytes]) -> list[Finding]:
    return [f for f in scan(UpdateMechanismCheck(), tiny_image(tmp_path, files)) if f.discriminator != "examined"]


def only(findings: list[Finding], outcome: Outcome) -> Finding:
    [found] = outcomes(findings, outcome)
    return found


HTTP_UPDATER = """#!/bin/sh
SERVER="http://update.example.com/fw"
LATEST=$(wget -q -O - "$SERVER/latest.txt")
wget -q -O /tmp/firmware.bin "$SERVER/$LATEST/firmware.bin"
mtd -r write /tmp/firmware.bin firmware
"""


# ---- unverified flashes ---------------------------------------------------------------------------------


def test_http_download_flashed_without_signature_fails_with_the_url_and_line(tmp_path: Path) -> None:
    failed = only(run(tmp_path, {UPDATER: HTTP_UPDATER}), Outcome.FAIL)
    assert set(failed.provisions) == ALL
    assert (failed.location.path, failed.location.line) == ("/usr/sbin/fw-update", 4)
    assert failed.evidence["url"] == "http://update.example.com/fw/$LATEST/firmware.bin"
    assert failed.evidence["transport"] == "http"
    assert failed.evidence["signature_check"] is False
    assert failed.evidence["flash"]["line"] == 5
    assert "mtd -r write /tmp/firmware.bin firmware" in failed.detail


def test_curl_k_download_fails_as_tls_verification_off(tmp_path: Path) -> None:
    script = "#!/bin/sh\ncurl -fsSk -o /tmp/fw.bin https://up.example.com/fw.bin\nsysupgrade -n /tmp/fw.bin\n"
    failed = only(run(tmp_path, {UPDATER: script}), Outcome.FAIL)
    assert set(failed.provisions) == ALL
    assert failed.evidence["tls_verification"] is False
    assert "certificate verification" in failed.title


def test_https_download_without_signature_fails_only_the_device_side_check(tmp_path: Path) -> None:
    script = "#!/bin/sh\ncurl -fsS -o /tmp/fw.bin https://up.example.com/fw.bin\nmtd write /tmp/fw.bin firmware\n"
    failed = only(run(tmp_path, {UPDATER: script}), Outcome.FAIL)
    assert failed.provisions == ("EN303645:5.3-9",)
    assert failed.evidence["tls_verification"] is True


def test_a_checksum_from_the_same_server_is_not_a_signature(tmp_path: Path) -> None:
    script = (
        "#!/bin/sh\nwget -O /tmp/fw.bin http://h/fw.bin\nwget -O /tmp/fw.md5 http://h/fw.md5\n"
        '[ "$(md5sum /tmp/fw.bin | cut -d" " -f1)" = "$(cat /tmp/fw.md5)" ] || exit 1\n'
        "mtd write /tmp/fw.bin firmware\n"
    )
    failed = only(run(tmp_path, {UPDATER: script}), Outcome.FAIL)
    assert failed.evidence["checksum"]["line"] == 4
    assert "checksum" in failed.detail


def test_a_signature_check_whose_result_is_ignored_does_not_count(tmp_path: Path) -> None:
    script = (
        "#!/bin/sh\nwget -O /tmp/fw.bin http://h/fw.bin\n"
        "openssl dgst -sha256 -verify /etc/keys/fw.pem -signature /tmp/fw.sig /tmp/fw.bin\n"
        "mtd write /tmp/fw.bin firmware\n"
    )
    failed = only(run(tmp_path, {UPDATER: script, "etc/keys/fw.pem": rsa_pem(2048)}), Outcome.FAIL)
    assert failed.evidence["ignored_signature"]["line"] == 3


def test_a_signature_checked_after_the_flash_does_not_count(tmp_path: Path) -> None:
    script = (
        "#!/bin/sh\nwget -O /tmp/fw.bin http://h/fw.bin\nmtd write /tmp/fw.bin firmware\n"
        "usign -V -m /tmp/fw.bin -p /etc/keys/fw.pub || exit 1\n"
    )
    assert outcomes(run(tmp_path, {UPDATER: script, "etc/keys/fw.pub": USIGN_KEY}), Outcome.FAIL)


def test_a_signature_against_a_downloaded_key_proves_nothing(tmp_path: Path) -> None:
    script = (
        "#!/bin/sh\nwget -O /tmp/fw.bin http://h/fw.bin\nwget -O /tmp/key.pub http://h/key.pub\n"
        "usign -V -m /tmp/fw.bin -p /tmp/key.pub || exit 1\nmtd write /tmp/fw.bin firmware\n"
    )
    failed = only(run(tmp_path, {UPDATER: script}), Outcome.FAIL)
    assert failed.evidence["downloaded_key"]["key"] == "/tmp/key.pub"


def test_sysupgrade_without_enforced_signatures_is_an_unverified_flash(tmp_path: Path) -> None:
    script = "#!/bin/sh\nwget -O /tmp/fw.bin http://h/fw.bin && sysupgrade /tmp/fw.bin\n"
    assert only(run(tmp_path, {UPDATER: script}), Outcome.FAIL).evidence["flash"]["tool"] == "sysupgrade"


# ---- verified flashes -----------------------------------------------------------------------------------


SIGNED = """#!/bin/sh
set -e
SERVER="https://update.example.com/fw"
PUBKEY=/etc/keys/fw-signing.pub
curl -fsS --cacert /etc/ssl/ca.crt -o /tmp/firmware.bin "$SERVER/firmware.bin"
curl -fsS --cacert /etc/ssl/ca.crt -o /tmp/firmware.bin.sig "$SERVER/firmware.bin.sig"
if ! openssl pkeyutl -verify -pubin -inkey "$PUBKEY" -rawin -in /tmp/firmware.bin -sigfile /tmp/firmware.bin.sig; then
\texit 1
fi
mtd -r write /tmp/firmware.bin firmware
"""


def test_signature_checked_before_the_flash_with_an_ed25519_key_passes_all(tmp_path: Path) -> None:
    findings = run(tmp_path, {UPDATER: SIGNED, "etc/keys/fw-signing.pub": ed25519_pem()})
    assert outcomes(findings, Outcome.FAIL) == []
    passed = only(findings, Outcome.PASS)
    assert set(passed.provisions) == ALL
    assert passed.location.line == 7
    assert passed.evidence["transport"] == "https"
    assert passed.evidence["signature_check"] is True
    assert passed.evidence["key"]["keys"] == [{"algorithm": "ed25519", "bits": 256, "form": "public-key"}]


def test_a_verification_key_missing_from_the_image_gives_no_pass(tmp_path: Path) -> None:
    findings = run(tmp_path, {UPDATER: SIGNED})
    assert outcomes(findings, Outcome.PASS) == [] and outcomes(findings, Outcome.FAIL) == []
    assert only(findings, Outcome.INFO).discriminator == "key-not-in-image"


def test_an_rsa_1024_key_fails_best_practice_cryptography(tmp_path: Path) -> None:
    failed = only(run(tmp_path, {UPDATER: SIGNED, "etc/keys/fw-signing.pub": rsa_pem(1024)}), Outcome.FAIL)
    assert failed.provisions == ("EN303645:5.3-7",)
    assert "1024" in failed.detail


def test_an_md5_signature_digest_fails_best_practice_cryptography(tmp_path: Path) -> None:
    script = (
        "#!/bin/sh\nwget -O /tmp/fw.bin https://h/fw.bin\n"
        "openssl dgst -md5 -verify /etc/k.pem -signature /tmp/fw.sig /tmp/fw.bin || exit 1\n"
        "mtd write /tmp/fw.bin firmware\n"
    )
    failed = only(run(tmp_path, {UPDATER: script, "etc/k.pem": rsa_pem(2048)}), Outcome.FAIL)
    assert failed.discriminator == "weak-signature" and "MD5" in failed.detail


def test_usign_in_an_if_around_the_flash_passes(tmp_path: Path) -> None:
    script = (
        "#!/bin/sh\nuclient-fetch -O /tmp/fw.bin http://h/fw.bin\n"
        "if usign -V -m /tmp/fw.bin -p /etc/opkg/keys/abc; then\n  mtd write /tmp/fw.bin firmware\nfi\n"
    )
    findings = run(tmp_path, {UPDATER: script, "etc/opkg/keys/abc": USIGN_KEY})
    passed = only(findings, Outcome.PASS)
    assert set(passed.provisions) == ALL
    # signed, but over plain HTTP: a hint, not a failure
    assert only(findings, Outcome.INFO).discriminator == "open-channel"


def test_rauc_checks_the_bundle_itself(tmp_path: Path) -> None:
    script = "#!/bin/sh\nwget -O /tmp/u.raucb https://h/u.raucb\nrauc install /tmp/u.raucb\n"
    passed = only(run(tmp_path, {UPDATER: script}), Outcome.PASS)
    assert passed.evidence["installer"] == "rauc"


def test_commented_out_updater_lines_are_not_read(tmp_path: Path) -> None:
    script = "#!/bin/sh\n# wget -O /tmp/fw.bin http://h/fw.bin\n# mtd write /tmp/fw.bin firmware\necho no updates\n"
    assert run(tmp_path, {UPDATER: script}) == []


def test_a_local_flash_without_download_is_not_judged(tmp_path: Path) -> None:
    script = "#!/bin/sh\n# flash an image the web UI uploaded\nmtd -r write /tmp/upload.bin firmware\n"
    assert outcomes(run(tmp_path, {"lib/upgrade/do_flash.sh": script}), Outcome.FAIL) == []


# ---- frameworks -----------------------------------------------------------------------------------------

OPKG = "#!/bin/sh\n"  # a stand-in program: the frameworks count only where theirs is installed


@pytest.mark.parametrize("option", ["option check_signature", "option check_signature 0"])
def test_opkg_with_signature_checking_and_keys_passes(tmp_path: Path, option: str) -> None:
    # opkg turns a boolean option on by its presence, whatever value follows it
    config = f"dest root /\n{option}\nsrc/gz core http://downloads.example.org/packages\n"
    files: dict[str, str | bytes] = {
        "etc/opkg.conf": config,
        "etc/opkg/keys/b5043e70f9a75cde": USIGN_KEY,
        "bin/opkg": OPKG,
    }
    findings = run(tmp_path, files)
    passed = only(findings, Outcome.PASS)
    assert passed.location.line == 2 and set(passed.provisions) == ALL


def test_opkg_without_signature_checking_over_http_fails_at_the_feed(tmp_path: Path) -> None:
    config = "dest root /\n#option check_signature\nsrc/gz core http://downloads.example.org/packages\n"
    failed = only(run(tmp_path, {"etc/opkg.conf": config, "bin/opkg": OPKG}), Outcome.FAIL)
    assert set(failed.provisions) == ALL and failed.location.line == 3


def test_opkg_config_without_opkg_installed_is_not_judged(tmp_path: Path) -> None:
    config = "src/gz core http://downloads.example.org/packages\n"
    assert run(tmp_path, {"etc/opkg.conf": config}) == []


def test_mender_skipping_tls_verification_without_artifact_key_fails(tmp_path: Path) -> None:
    config = '{\n  "ServerURL": "https://hosted.mender.io",\n  "SkipVerify": true\n}\n'
    failed = only(run(tmp_path, {"etc/mender/mender.conf": config, "usr/bin/mender": OPKG}), Outcome.FAIL)
    assert set(failed.provisions) == ALL and failed.location.line == 3


def test_mender_with_an_artifact_key_in_the_image_passes(tmp_path: Path) -> None:
    key = "/etc/mender/artifact-verify-key.pem"
    config = f'{{\n  "ServerURL": "https://hosted.mender.io",\n  "ArtifactVerifyKey": "{key}"\n}}\n'
    files: dict[str, str | bytes] = {
        "etc/mender/mender.conf": config,
        "usr/bin/mender": OPKG,
        key.lstrip("/"): rsa_pem(3072),
    }
    passed = only(run(tmp_path, files), Outcome.PASS)
    assert passed.location.line == 3


def test_rauc_keyring_in_the_image_passes(tmp_path: Path) -> None:
    config = "[system]\ncompatible=board\n\n[keyring]\npath=/etc/rauc/ca.cert.pem\n"
    files: dict[str, str | bytes] = {
        "etc/rauc/system.conf": config,
        "usr/bin/rauc": OPKG,
        "etc/rauc/ca.cert.pem": rsa_pem(2048),
    }
    assert only(run(tmp_path, files), Outcome.PASS).location.line == 5


# ---- binaries -------------------------------------------------------------------------------------------


def test_a_binary_with_a_firmware_url_and_a_flash_marker_is_a_hint(tmp_path: Path) -> None:
    elf = b"\x7fELF\x01\x01\x01" + bytes(9) + b"\x02\x00\x08\x00" + bytes(40)
    elf += b"\0http://fw.vendor.example.com/upgrade/latest.bin\0mtd -r write %s firmware\0"
    hint = only(run(tmp_path, {"usr/bin/upgraded": elf}), Outcome.INFO)
    assert hint.discriminator == "binary-updater"
    assert hint.evidence["urls"] == ["http://fw.vendor.example.com/upgrade/latest.bin"]


def test_no_update_mechanism_at_all_is_a_hint_for_5_3_2(tmp_path: Path) -> None:
    findings = scan(UpdateMechanismCheck(), tiny_image(tmp_path, {"etc/init.d/rcS": "#!/bin/sh\necho hi\n"}))
    [summary] = findings
    assert summary.outcome is Outcome.INFO and summary.provisions == ("EN303645:5.3-2",)


@pytest.mark.parametrize("signed", [True, False])
def test_swupdate_packages_are_hints_saying_whether_they_are_signed(tmp_path: Path, signed: bool) -> None:
    outside: dict[str, tuple[str | bytes, str]] = {
        "update.swu_extract/sw-description": ('software = { version = "1.0"; };\n', "cpio_portable_ascii")
    }
    if signed:
        outside["update.swu_extract/sw-description.sig"] = (bytes(range(256)), "cpio_portable_ascii")
    findings = scan(UpdateMechanismCheck(), tiny_image(tmp_path, {}, outside))
    [hint] = [f for f in findings if f.discriminator == "swu-package"]
    assert hint.outcome is Outcome.INFO and hint.evidence["signed"] is signed

"""The account checks on tiny trees: what fails, and the pass finding that says what was examined."""

import subprocess
from pathlib import Path

from iotbaseline.checks.accounts import DefaultPasswordCheck, PasswordHashSchemeCheck
from iotbaseline.checks.accounts.cracker import Cracker
from iotbaseline.checks.accounts.dictionary import Dictionary
from iotbaseline.checks.base import CheckSettings
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.model import Outcome
from tests.unit.test_check_runner import scanned_image

SMALL = Dictionary(defaults=(), weak=("admin", "1234"))


def check() -> DefaultPasswordCheck:
    return DefaultPasswordCheck(cracker=Cracker(workers=1), dictionary=SMALL)


def test_des_root_password_xc3511_in_passwd_is_a_universal_default(tmp_path: Path) -> None:
    dictionary = Dictionary(defaults=(), weak=("xc3511",))
    argv = ["mkpasswd", "--stdin", "-m", "des", "-S", "ab"]
    stored = subprocess.run(argv, input=b"xc3511\n", capture_output=True, check=True).stdout.decode().strip()
    image = scanned_image(tmp_path, {"fs/etc/passwd": (f"root:{stored}:0:0::/root:/bin/sh\n".encode(), FileKind.TEXT)})

    found = list(DefaultPasswordCheck(cracker=Cracker(workers=1), dictionary=dictionary).finish(image))

    (fail,) = [f for f in found if f.outcome is Outcome.FAIL]
    assert (fail.location.path, fail.location.line) == ("/etc/passwd", 1)
    assert fail.provisions == ("EN303645:5.1-1", "PSTI:1")
    assert fail.evidence["password_masked"] == "x****1" and "password" not in fail.evidence


def test_reveal_puts_the_clear_password_in_evidence(tmp_path: Path) -> None:
    image = scanned_image(tmp_path, {"fs/etc/lighttpd.user": (b"admin:1234\n", FileKind.TEXT)})
    revealing = DefaultPasswordCheck(CheckSettings(reveal=True), cracker=Cracker(workers=1), dictionary=SMALL)

    (fail,) = [f for f in revealing.finish(image) if f.outcome is Outcome.FAIL]
    (masked,) = [f for f in check().finish(image) if f.outcome is Outcome.FAIL]

    assert fail.evidence["password"] == "1234"
    assert "password" not in masked.evidence or masked.evidence["password"] is None


def test_empty_password_on_a_login_account_fails_and_on_a_nologin_one_does_not(tmp_path: Path) -> None:
    passwd = b"root:x:0:0::/root:/bin/sh\nguest:x:1000:100::/tmp:/bin/sh\nftp:x:21:21::/:/bin/false\n"
    shadow = b"root:!:1::::::\nguest::1::::::\nftp::1::::::\n"
    image = scanned_image(
        tmp_path, {"fs/etc/passwd": (passwd, FileKind.TEXT), "fs/etc/shadow": (shadow, FileKind.TEXT)}
    )

    fails = [f for f in check().finish(image) if f.outcome is Outcome.FAIL]

    assert [(f.location.path, f.location.line, f.evidence["user"]) for f in fails] == [("/etc/shadow", 2, "guest")]


def test_strong_unknown_password_passes_with_what_was_examined(tmp_path: Path) -> None:
    stored = "$6$saltsalt$" + "a" * 86
    passwd = b"root:x:0:0::/root:/bin/sh\nadmin:x:0:0::/root:/bin/sh\n"
    shadow = f"root:{stored}:1::::::\nadmin:!:1::::::\n".encode()
    image = scanned_image(
        tmp_path, {"fs/etc/passwd": (passwd, FileKind.TEXT), "fs/etc/shadow": (shadow, FileKind.TEXT)}
    )

    found = list(check().finish(image))
    schemes = list(PasswordHashSchemeCheck().finish(image))

    assert not [f for f in found + schemes if f.outcome is Outcome.FAIL]
    (passed,) = [f for f in found if f.outcome is Outcome.PASS]
    assert (
        passed.title == "parsed /etc/passwd and /etc/shadow: 1 account with a password, none matched 2 known defaults"
    )
    assert [f.location.line for f in found if f.discriminator == "uid0:admin"] == [2]
    assert [f.outcome for f in schemes] == [Outcome.PASS]


def test_weak_scheme_fails_5_1_3_and_junk_in_shadow_is_noted(tmp_path: Path) -> None:
    shadow = b"root:$1$Zq3rT0vB$E1.YpfHTN14..fAQy6fCi/:1::::::\n\x00\xff binary junk\n"
    image = scanned_image(tmp_path, {"fs/etc/shadow": (shadow, FileKind.DATA)})

    schemes = list(PasswordHashSchemeCheck().finish(image))
    notes = [f for f in check().finish(image) if f.discriminator.startswith("note:")]

    (fail,) = [f for f in schemes if f.outcome is Outcome.FAIL]
    assert fail.provisions == ("EN303645:5.1-3",) and fail.evidence["scheme"] == "md5crypt"
    assert [n.location.line for n in notes] == [2]


def test_no_account_files_is_no_pass(tmp_path: Path) -> None:
    image = scanned_image(tmp_path, {"fs/etc/inittab": (b"::sysinit:/etc/init.d/rcS\n", FileKind.TEXT)})

    assert [f.outcome for f in check().finish(image)] == [Outcome.INFO]

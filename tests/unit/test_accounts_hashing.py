"""Hash schemes are identified with their strength, and each is cracked by its C implementation."""

import base64
import hashlib
import subprocess
from collections.abc import Callable

import bcrypt
import pytest

from iotbaseline.checks.accounts import schemes
from iotbaseline.checks.accounts.apr1 import apr1
from iotbaseline.checks.accounts.hashing import matches
from iotbaseline.checks.accounts.schemes import FieldState, Strength, identify, read_field


def openssl_passwd(flag: str, salt: str, password: str) -> str:
    argv = ["openssl", "passwd", flag, "-salt", salt, "-stdin"]
    return (
        subprocess.run(argv, input=password.encode() + b"\n", capture_output=True, check=True).stdout.decode().strip()
    )


def mkpasswd(method: str, salt: str, password: str) -> str:
    argv = ["mkpasswd", "--stdin", "-m", method, "-S", salt]
    return (
        subprocess.run(argv, input=password.encode() + b"\n", capture_output=True, check=True).stdout.decode().strip()
    )


def ldap_sha(password: str) -> str:
    return "{SHA}" + base64.b64encode(hashlib.sha1(password.encode(), usedforsecurity=False).digest()).decode()


GENERATED: dict[str, Callable[[str], str]] = {
    "descrypt": lambda pw: mkpasswd("des", "ab", pw),
    "md5crypt": lambda pw: openssl_passwd("-1", "Zq3rT0vB", pw),
    "apr1": lambda pw: openssl_passwd("-apr1", "k8Jd2xQa", pw),
    "sha256crypt": lambda pw: openssl_passwd("-5", "saltsalt", pw),
    "sha512crypt": lambda pw: openssl_passwd("-6", "saltsalt", pw),
    "yescrypt": lambda pw: mkpasswd("yescrypt", "$y$j9T$abcdefghijklmnop$", pw).replace("\n", ""),
    "bcrypt": lambda pw: bcrypt.hashpw(pw.encode(), bcrypt.gensalt(4)).decode(),
    "{SHA}": ldap_sha,
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_each_scheme_is_identified_and_its_password_found(name: str) -> None:
    stored = GENERATED[name]("admin")

    scheme = identify(stored)

    assert scheme is not None and scheme.name == name
    assert matches(scheme, stored, b"admin")
    assert not matches(scheme, stored, b"admin1")


@pytest.mark.parametrize(("prefix", "expected"), [("$2a$", "bcrypt"), ("$2y$", "bcrypt"), ("$2b$", "bcrypt")])
def test_bcrypt_variants_are_all_cracked(prefix: str, expected: str) -> None:
    stored = prefix + bcrypt.hashpw(b"password", bcrypt.gensalt(4)).decode()[4:]

    scheme = identify(stored)

    assert scheme is not None and scheme.name == expected
    assert matches(scheme, stored, b"password")


def test_strength_of_schemes_follows_what_an_offline_attacker_can_do() -> None:
    assert schemes.DESCRYPT.strength is Strength.BROKEN
    assert schemes.LDAP_SHA.strength is Strength.BROKEN
    assert schemes.CLEAR.strength is Strength.BROKEN
    assert schemes.MD5CRYPT.strength is Strength.WEAK
    assert schemes.SHA512CRYPT.strength is Strength.STRONG
    assert schemes.YESCRYPT.strength is Strength.STRONG


@pytest.mark.parametrize("field", ["!", "*", "!!", "x", "!$6$salt$abc", "*LK*"])
def test_locked_markers_are_not_passwords(field: str) -> None:
    assert read_field(field).state is FieldState.LOCKED


def test_empty_field_is_an_empty_password_and_garbage_is_unknown() -> None:
    assert read_field("").state is FieldState.EMPTY
    assert read_field("not a hash at all").state is FieldState.UNKNOWN
    assert read_field("not a hash at all", clear_text_allowed=True).state is FieldState.CLEAR


def test_a_13_letter_config_value_is_a_password_not_a_des_hash() -> None:
    assert read_field("adminpassword", clear_text_allowed=True, unmarked_allowed=False).state is FieldState.CLEAR


@pytest.mark.parametrize(
    ("password", "salt"), [("admin", "k8Jd2xQa"), ("", "abc"), ("a" * 40, "zz"), ("pässwörd", "12345678")]
)
def test_apr1_matches_openssl(password: str, salt: str) -> None:
    assert apr1(password.encode(), salt.encode()).decode() == openssl_passwd("-apr1", salt, password)

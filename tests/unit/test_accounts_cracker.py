"""The cracker: first hit per hash on a pool, time budget for slow schemes, masking of what it finds."""

import subprocess

import pytest

from iotbaseline.checks.accounts.cracker import Cracker, CrackTarget, Parallelism
from iotbaseline.checks.accounts.dictionary import Dictionary, known_defaults, weak_passwords
from iotbaseline.checks.accounts.findings import crack_evidence
from iotbaseline.checks.accounts.schemes import identify
from iotbaseline.checks.masking import mask_password


def md5crypt(password: str, salt: str) -> str:
    argv = ["openssl", "passwd", "-1", "-salt", salt, "-stdin"]
    return (
        subprocess.run(argv, input=password.encode() + b"\n", capture_output=True, check=True).stdout.decode().strip()
    )


def target(stored: str, candidates: list[str]) -> CrackTarget:
    scheme = identify(stored)
    assert scheme is not None
    return CrackTarget(scheme, stored, tuple(c.encode() for c in candidates))


@pytest.mark.parametrize("parallelism", list(Parallelism))
def test_md5crypt_root_password_admin_is_found_on_a_pool(parallelism: Parallelism) -> None:
    words = [f"word{i}" for i in range(600)]
    targets = [target(md5crypt("admin", "Zq3rT0vB"), [*words, "admin"]), target(md5crypt("Xy7-unique", "s1"), words)]

    hit, miss = Cracker(workers=2, budget_per_hash=None, parallelism=parallelism).crack(targets)

    assert hit.password == b"admin"
    assert miss.password is None and miss.tried == 600 and not miss.cut


def test_a_slow_hash_is_cut_at_its_time_budget_and_says_so() -> None:
    stored = subprocess.run(
        ["mkpasswd", "--stdin", "-m", "yescrypt", "-S", "$y$j9T$abcdefghijklmnop$"],
        input=b"strong-unique\n", capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip

    (outcome,) = Cracker(workers=2, budget_per_hash=0.1).crack([target(stored, [f"w{i}" for i in range(500)])])

    assert outcome.password is None and outcome.cut
    assert 0 < outcome.tried < 500


def test_the_dictionary_reads_the_packaged_defaults_with_the_mirai_pairs() -> None:
    defaults = known_defaults()

    assert len(defaults) > 3600
    assert any(d.user == "root" and d.password == "xc3511" for d in defaults)
    assert "admin" in weak_passwords()


def test_candidates_put_the_users_name_and_the_weak_list_first_and_include_identifiers() -> None:
    dictionary = Dictionary(identifiers=("LumoraRouter",), defaults=(), weak=("admin", "1234"))

    assert dictionary.candidates_for("support") == (b"support", b"admin", b"1234", b"LumoraRouter")


def test_a_cracked_password_is_masked_unless_revealed() -> None:
    assert mask_password("admin") == "a***n"
    assert mask_password("abc") == "***"
    assert "admin" not in str(crack_evidence("admin", "cracked", 3, reveal=False).to_dict())
    assert crack_evidence("admin", "cracked", 3, reveal=True).to_dict()["password"] == "admin"

"""What the store indexes from a finding and a product mapping: secret fingerprints (from data, validated;
hostile evidence ignored) and vendor, model, version and year."""

from dataclasses import replace

import pytest

from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.store.errors import StoreError
from iotbaseline.store.fingerprints import fingerprint_rules, parse_rules, secret_fingerprint
from iotbaseline.store.product import ProductFacts, product_facts
from tests.unit.store_data import KEY_CHECK, TOKEN_CHECK, key_finding

IDENTITY = "7c5d1cc9079e6b5a"


def finding(check: str, discriminator: str = "", **evidence: object) -> Finding:
    return Finding(
        check, Outcome.FAIL, (), Severity.HIGH, "t", Location(), evidence=evidence, discriminator=discriminator
    )


def test_a_private_key_is_known_by_its_public_digest() -> None:
    assert secret_fingerprint(key_finding("i", "AB" * 32)) == "private-key:" + "ab" * 32


def test_a_token_is_known_by_its_identity_in_the_per_image_and_the_shared_finding() -> None:
    alone = finding(TOKEN_CHECK, f"aws-access-key-id:{IDENTITY}", kind="aws-access-key-id", masked="AKIA****")
    shared = finding(TOKEN_CHECK, f"shared:{IDENTITY}", kind="aws-access-key-id")

    assert secret_fingerprint(alone) == secret_fingerprint(shared) == f"token:{IDENTITY}"
    assert secret_fingerprint(finding(TOKEN_CHECK, "pass")) is None  # the check's pass finding names no token


def test_a_certificate_is_public_and_not_a_secret() -> None:
    certificate = finding("firmware.secrets.certificates", "self-signed:" + "ab" * 32, public_sha256="ab" * 32)
    assert secret_fingerprint(certificate) is None


def test_any_check_can_index_a_secret_through_secret_sha256() -> None:
    hashed = finding("firmware.accounts.default-password", "cracked:root", secret_sha256="EF" * 32)
    assert secret_fingerprint(hashed) == "secret:" + "ef" * 32


def test_an_uncracked_hash_is_indexed_but_a_key_reported_as_info_is_not() -> None:
    uncracked = finding("firmware.accounts.default-password", "login:root", secret_sha256="ef" * 32)
    assert secret_fingerprint(replace(uncracked, outcome=Outcome.INFO)) == "secret:" + "ef" * 32
    assert secret_fingerprint(replace(key_finding("i", "ab" * 32), outcome=Outcome.INFO)) is None


@pytest.mark.parametrize("value", ["not hex", "ab" * 40, "abc", 12345, None, ["ab" * 32]])
def test_evidence_that_is_not_a_digest_gives_no_fingerprint(value: object) -> None:
    assert secret_fingerprint(finding(KEY_CHECK, public_sha256=value)) is None


def test_the_bundled_rules_load() -> None:
    assert [rule.kind for rule in fingerprint_rules()] == ["private-key", "token", "secret"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "expected a list"),
        ({"fingerprints": [{"check": "c", "kind": "k"}]}, "exactly `check`, `kind`, `from` and `outcomes`"),
        (
            {"fingerprints": [{"check": "c", "kind": "Bad Kind", "from": "discriminator", "outcomes": ["fail"]}]},
            "short lower-case word",
        ),
        (
            {"fingerprints": [{"check": "c", "kind": "k", "from": "evidence", "outcomes": ["fail"]}]},
            "`evidence.KEY` or `discriminator`",
        ),
        ({"fingerprints": [{"check": "", "kind": "k", "from": "discriminator", "outcomes": ["fail"]}]}, "check id or"),
        ({"fingerprints": [{"check": "c", "kind": "k", "from": "discriminator", "outcomes": ["maybe"]}]}, "outcomes"),
    ],
)
def test_malformed_rules_are_refused_with_the_entry(data: object, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        parse_rules(data)


def test_product_facts_from_a_batch_list_and_from_a_profile() -> None:
    batch = {"vendor": " Vistacam ", "model": "VC-200", "version": 1.2, "year": 2021}
    profile = {"manufacturer": {"name": "Zetta Home", "address": "x"}, "model_designation": "ZH-Cam 2",
               "firmware_version": "2.0.1", "release_date": "2023-05-01T00:00:00Z"}  # fmt: skip

    assert product_facts(batch) == ProductFacts("Vistacam", "VC-200", "1.2", 2021)
    assert product_facts(profile) == ProductFacts("Zetta Home", "ZH-Cam 2", "2.0.1", 2023)


@pytest.mark.parametrize(
    "product",
    [{}, {"vendor": "", "model": "  "}, {"vendor": True, "year": "soon"}, {"year": 1970}, {"build_date": "20x1"}],
)
def test_missing_or_odd_product_facts_are_unknown(product: dict[str, object]) -> None:
    facts = product_facts(product)
    assert (facts.known, facts.release_year) == (False, None)

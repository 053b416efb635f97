"""Certificates: validity dates, self-signature, key size and signature hash, each with its reason."""

import datetime
from dataclasses import replace

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

from iotbaseline.checks.secrets.certificates import certificates_in

NOW = datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)
STRONG = rsa.generate_private_key(65537, 2048)
CA_KEY = ec.generate_private_key(ec.SECP256R1())


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def certificate(
    key: CertificateIssuerPrivateKeyTypes | None = None,
    start: datetime.datetime = NOW - datetime.timedelta(days=1),
    days: int = 365,
    digest: hashes.HashAlgorithm | None = None,
    issuer: tuple[str, CertificateIssuerPrivateKeyTypes] | None = None,
    subject_key: rsa.RSAPrivateKey | None = None,
) -> x509.Certificate:
    key = key or STRONG
    issuer_name, signer = issuer or ("device", key)
    public = (subject_key or key).public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name("device"))
        .issuer_name(name(issuer_name))
        .public_key(public)
        .serial_number(7)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
    )
    return builder.sign(signer, digest or hashes.SHA256())  # type: ignore[arg-type]


def problems(cert: x509.Certificate) -> set[str]:
    [facts] = certificates_in(cert.public_bytes(serialization.Encoding.PEM))
    return {problem.kind for problem in facts.problems(NOW)}


def test_a_self_signed_device_certificate_is_reported_as_self_signed_only() -> None:
    assert problems(certificate()) == {"self-signed"}


def test_a_certificate_signed_by_a_ca_is_not_self_signed() -> None:
    assert problems(certificate(issuer=("Vendor CA", CA_KEY), subject_key=STRONG)) == set()


def test_expired_and_not_yet_valid_certificates_are_reported() -> None:
    expired = certificate(start=NOW - datetime.timedelta(days=800), days=365)
    future = certificate(start=NOW + datetime.timedelta(days=30))

    assert "expired" in problems(expired)
    assert "not-yet-valid" in problems(future)


def test_a_1024_bit_rsa_key_is_weak() -> None:
    weak = rsa.generate_private_key(65537, 1024)  # noqa: S505 (the weak key under test)
    [facts] = certificates_in(certificate(weak).public_bytes(serialization.Encoding.PEM))

    [problem] = [p for p in facts.problems(NOW) if p.kind == "weak-key"]

    assert "1024-bit" in problem.why and "2048" in problem.why


def test_a_sha1_signature_is_weak_and_says_why() -> None:
    # OpenSSL 3 here refuses to sign with SHA-1, so the examined facts are altered instead
    [facts] = certificates_in(certificate().public_bytes(serialization.Encoding.DER))

    [problem] = [p for p in replace(facts, signature_hash="sha1").problems(NOW) if p.kind == "weak-signature"]

    assert facts.signature_hash == "sha256"
    assert "SHA1" in problem.why and "forged" in problem.why


def test_a_certificate_bundle_yields_every_certificate_with_its_offset() -> None:
    first = certificate().public_bytes(serialization.Encoding.PEM)
    bundle = first + certificate(issuer=("Vendor CA", CA_KEY), subject_key=STRONG).public_bytes(
        serialization.Encoding.PEM
    )

    found = certificates_in(bundle)

    assert [f.offset for f in found] == [0, len(first)]
    assert found[0].public_sha256 == found[1].public_sha256


def test_marker_strings_and_garbage_blocks_are_not_certificates() -> None:
    assert certificates_in(b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n") == []
    assert certificates_in(b"\x7fELF-----BEGIN CERTIFICATE-----\x00") == []

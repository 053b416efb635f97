"""X.509 certificates in a file's content (PEM blocks anywhere, or a whole DER file), and what is
wrong with them: validity dates, self-signature, key size, signature hash."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm

from iotbaseline.checks.secrets.keys import algorithm_and_bits, is_whole_der, pem_blocks, public_sha256

_CERTIFICATE_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE"})
_WEAK_HASHES = frozenset({"md2", "md4", "md5", "sha1"})
MIN_BITS = {"rsa": 2048, "dsa": 2048, "ec": 256}


@dataclass(frozen=True)
class CertificateProblem:
    kind: str
    """expired, not-yet-valid, self-signed, weak-key, weak-signature."""
    why: str


@dataclass(frozen=True)
class CertificateFacts:
    subject: str
    issuer: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    self_signed: bool
    is_ca: bool
    key_algorithm: str
    key_bits: int | None
    signature_hash: str | None
    public_sha256: str
    offset: int

    def problems(self, now: datetime.datetime) -> list[CertificateProblem]:
        found: list[CertificateProblem] = []
        if now > self.not_after:
            found.append(CertificateProblem("expired", f"expired on {self.not_after:%Y-%m-%d}"))
        if now < self.not_before:
            found.append(CertificateProblem("not-yet-valid", f"valid only from {self.not_before:%Y-%m-%d}"))
        if self.self_signed:
            found.append(
                CertificateProblem("self-signed", "signed by its own key: clients cannot authenticate the device by it")
            )
        minimum = MIN_BITS.get(self.key_algorithm)
        if minimum is not None and self.key_bits is not None and self.key_bits < minimum:
            found.append(
                CertificateProblem(
                    "weak-key", f"{self.key_algorithm.upper()} {self.key_bits}-bit key, below {minimum} bits"
                )
            )
        if self.signature_hash in _WEAK_HASHES:
            found.append(
                CertificateProblem(
                    "weak-signature", f"signed with {self.signature_hash.upper()}, which allows forged certificates"
                )
            )
        return found


def certificates_in(content: bytes) -> list[CertificateFacts]:
    found: list[CertificateFacts] = []
    for block in pem_blocks(content):
        if block.label in _CERTIFICATE_LABELS:
            certificate = _load(x509.load_pem_x509_certificate, block.text)
            if certificate is not None:
                found.append(examine(certificate, block.offset))
    if not found and is_whole_der(content):
        certificate = _load(x509.load_der_x509_certificate, content)
        if certificate is not None:
            found.append(examine(certificate, 0))
    return found


def _load(loader: Callable[[bytes], x509.Certificate], data: bytes) -> x509.Certificate | None:
    try:
        return loader(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None


def examine(certificate: x509.Certificate, offset: int) -> CertificateFacts:
    public = certificate.public_key()
    algorithm, bits = algorithm_and_bits(public)
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        self_signed=_self_signed(certificate),
        is_ca=_is_ca(certificate),
        key_algorithm=algorithm,
        key_bits=bits,
        signature_hash=_signature_hash(certificate),
        public_sha256=public_sha256(public),
        offset=offset,
    )


def _self_signed(certificate: x509.Certificate) -> bool:
    if certificate.issuer != certificate.subject:
        return False
    try:
        certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):
        return False


def _signature_hash(certificate: x509.Certificate) -> str | None:
    try:
        algorithm = certificate.signature_hash_algorithm
    except UnsupportedAlgorithm:
        return _OID_HASHES.get(certificate.signature_algorithm_oid.dotted_string)
    return None if algorithm is None else algorithm.name


# Signature algorithms cryptography no longer maps to a hash object.
_OID_HASHES = {
    "1.2.840.113549.1.1.2": "md2",
    "1.2.840.113549.1.1.3": "md4",
    "1.2.840.113549.1.1.4": "md5",
}

"""The public keys an update is checked against: PEM or DER public keys, certificates (a keyring),
usign/signify keys; their algorithm and size, and whether that is weak for an update signature."""

import base64
import binascii
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from iotbaseline.checks.secrets.keys import algorithm_and_bits, is_whole_der, pem_blocks
from iotbaseline.updates.rules import UpdateRules

MAX_KEY_FILE_BYTES = 256 * 1024
_CERTIFICATE_LABELS = frozenset({"CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"})
_PUBLIC_LABELS = frozenset({"PUBLIC KEY", "RSA PUBLIC KEY"})
_USIGN_COMMENT = b"untrusted comment:"
_USIGN_KEY_LENGTH = 42  # "Ed" + 8-byte key number + 32-byte Ed25519 key
_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm)


@dataclass(frozen=True)
class VerificationKey:
    algorithm: str
    bits: int | None
    form: str
    """public-key, certificate or usign."""

    def describe(self) -> str:
        size = f"-{self.bits}" if self.bits and self.algorithm in ("rsa", "dsa") else ""
        curve = f" P-{self.bits}" if self.bits and self.algorithm == "ec" else ""
        return f"{self.algorithm.upper()}{size}{curve} ({self.form})"


def keys_in(content: bytes) -> list[VerificationKey]:
    found = [key for block in pem_blocks(content) if (key := _pem_key(block.label, block.text)) is not None]
    if not found:
        found.extend(_usign_key(content))
    if not found and is_whole_der(content):
        found.extend(_der_key(content))
    return found


def weakness(key: VerificationKey, rules: UpdateRules) -> str | None:
    """Why the key is too weak to protect updates, or None."""
    if key.algorithm in rules.weak_key_algorithms:
        return f"{key.algorithm.upper()} keys are no longer accepted for signatures"
    if key.algorithm == "rsa" and key.bits is not None and key.bits < rules.min_rsa_bits:
        return f"an RSA key of {key.bits} bits is below the {rules.min_rsa_bits} bits best practice asks for"
    if key.algorithm == "ec" and key.bits is not None and key.bits < rules.min_ec_bits:
        return f"an elliptic-curve key of {key.bits} bits is below {rules.min_ec_bits} bits"
    return None


def _pem_key(label: str, text: bytes) -> VerificationKey | None:
    try:
        if label in _PUBLIC_LABELS:  # cryptography reads SubjectPublicKeyInfo and PKCS#1 alike
            return VerificationKey(*algorithm_and_bits(serialization.load_pem_public_key(text)), "public-key")
        if label in _CERTIFICATE_LABELS:
            certificate = x509.load_pem_x509_certificate(text.replace(b"TRUSTED CERTIFICATE", b"CERTIFICATE"))
            return VerificationKey(*algorithm_and_bits(certificate.public_key()), "certificate")
    except _ERRORS:
        return None
    return None


def _usign_key(content: bytes) -> list[VerificationKey]:
    lines = [line.strip() for line in content.split(b"\n") if line.strip()]
    if len(lines) < 2 or not lines[0].startswith(_USIGN_COMMENT):
        return []
    try:
        raw = base64.b64decode(lines[1], validate=True)
    except binascii.Error:
        return []
    if len(raw) == _USIGN_KEY_LENGTH and raw.startswith(b"Ed"):
        return [VerificationKey("ed25519", 256, "usign")]
    return []


def _der_key(content: bytes) -> list[VerificationKey]:
    try:
        return [VerificationKey(*algorithm_and_bits(serialization.load_der_public_key(content)), "public-key")]
    except _ERRORS:
        pass
    try:
        certificate = x509.load_der_x509_certificate(content)
    except _ERRORS:
        return []
    return [VerificationKey(*algorithm_and_bits(certificate.public_key()), "certificate")]

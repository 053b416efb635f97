"""The facts of a leaf certificate that the TLS check judges: validity, issuer, key type and size, the
signature's hash, the names it is valid for and whether one matches the address or name probed."""

import fnmatch
import hashlib
import ipaddress

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import NameOID

from iotbaseline.live.text import field
from iotbaseline.live.trials import CertificateFacts


def certificate_facts(
    certificate: x509.Certificate, names_probed: tuple[str, ...], trusted_by: tuple[str, ...] = ()
) -> CertificateFacts:
    key_type, bits = key_of(certificate)
    names = names_of(certificate)
    algorithm = certificate.signature_hash_algorithm
    der = certificate.public_bytes(serialization.Encoding.DER)
    return CertificateFacts(
        subject=field(certificate.subject.rfc4514_string()),
        issuer=field(certificate.issuer.rfc4514_string()),
        not_before=certificate.not_valid_before_utc.isoformat(),
        not_after=certificate.not_valid_after_utc.isoformat(),
        self_signed=_self_signed(certificate),
        key_type=key_type,
        key_bits=bits,
        signature_hash=algorithm.name if algorithm is not None else "",
        names=tuple(field(name) for name in names[:20]),
        hostname_matches=any(_matches(name, probed) for name in names for probed in names_probed) if names else False,
        trusted_by=trusted_by,
        sha256=hashlib.sha256(der).hexdigest(),
    )


def key_of(certificate: x509.Certificate) -> tuple[str, int]:
    try:
        key = certificate.public_key()
    except (ValueError, TypeError):  # an unknown or malformed key
        return "unknown", 0
    if isinstance(key, rsa.RSAPublicKey):
        return "rsa", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ec", key.curve.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "ed448", 456
    if isinstance(key, dsa.DSAPublicKey):
        return "dsa", key.key_size
    return type(key).__name__.lower(), 0


def names_of(certificate: x509.Certificate) -> list[str]:
    """Subject alternative names (DNS and IP), then the common names."""
    names: list[str] = []
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names += [str(name) for name in extension.get_values_for_type(x509.DNSName)]
        names += [str(address) for address in extension.get_values_for_type(x509.IPAddress)]
    except (x509.ExtensionNotFound, ValueError):
        pass
    names += [str(attribute.value) for attribute in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return names


def _matches(name: str, probed: str) -> bool:
    try:
        return ipaddress.ip_address(name) == ipaddress.ip_address(probed)
    except ValueError:
        pass
    name, probed = name.lower().rstrip("."), probed.lower().rstrip(".")
    if name.startswith("*."):
        return probed.count(".") == name.count(".") and fnmatch.fnmatchcase(probed, name)
    return name == probed


def _self_signed(certificate: x509.Certificate) -> bool:
    """Issued by itself: its own key verifies its signature (checked by hand, since cryptography's
    `verify_directly_issued_by` refuses SHA-1 and MD5 signatures, which are what old devices have)."""
    if certificate.subject != certificate.issuer:
        return False
    algorithm = certificate.signature_hash_algorithm
    try:
        key = certificate.public_key()
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(certificate.signature, certificate.tbs_certificate_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(certificate.signature, certificate.tbs_certificate_bytes, ec.ECDSA(algorithm))
        else:
            certificate.verify_directly_issued_by(certificate)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True

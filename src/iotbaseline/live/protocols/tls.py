"""Whether a port speaks TLS: one handshake that accepts anything (no verification, legacy versions
and ciphers allowed), recording the version, cipher and certificate for the TLS checks."""

import hashlib
import ssl

from cryptography import x509

from iotbaseline.live.text import field
from iotbaseline.model import JSONValue


def probing_context() -> ssl.SSLContext:
    """Accepts any certificate and any protocol OpenSSL still speaks: we are observing, not trusting."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    try:
        context.set_ciphers("ALL:@SECLEVEL=0")
    except ssl.SSLError:
        context.set_ciphers("ALL")
    return context


def session_evidence(tls: ssl.SSLObject) -> dict[str, JSONValue]:
    cipher = tls.cipher()
    evidence: dict[str, JSONValue] = {"version": tls.version(), "cipher": cipher[0] if cipher else None}
    der = tls.getpeercert(binary_form=True)
    if der:
        evidence["certificate"] = certificate_evidence(der)
    return evidence


def certificate_evidence(der: bytes) -> dict[str, JSONValue]:
    """The leaf certificate: enough to recognise it and judge it later (the PEM is kept, bounded)."""
    evidence: dict[str, JSONValue] = {"sha256": hashlib.sha256(der).hexdigest()}
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError as error:
        evidence["error"] = field(str(error))
        return evidence
    evidence.update(
        subject=field(certificate.subject.rfc4514_string()),
        issuer=field(certificate.issuer.rfc4514_string()),
        not_before=certificate.not_valid_before_utc.isoformat(),
        not_after=certificate.not_valid_after_utc.isoformat(),
        self_issued=certificate.subject == certificate.issuer,
    )
    if len(der) <= 8192:
        evidence["der_hex"] = der.hex()
    return evidence

"""Verifying a cleartext signature with the manufacturer's OpenPGP public key, through Sequoia-PGP (`pysequoia`).

pysequoia is maintained, self-contained (no gpg binary, no keyring on disk) and applies Sequoia's standard policy,
which rejects signatures over broken hashes (MD5, SHA-1) and expired or revoked keys. Without it, or without a key,
verification is reported as not done and why; the structure is still checked (`cleartext`).
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from iotbaseline.errors import IotBaselineError

if TYPE_CHECKING:
    from pysequoia import Cert

MAX_KEY_FILE_BYTES = 1024 * 1024


class PublicKeyError(IotBaselineError):
    """The file given as the public key holds no usable OpenPGP certificate."""


@dataclass(frozen=True)
class PublicKeys:
    certificates: tuple["Cert", ...]

    @property
    def fingerprints(self) -> tuple[str, ...]:
        return tuple(cert.fingerprint for cert in self.certificates)


@dataclass(frozen=True)
class SignatureCheck:
    verified: bool | None
    """None: not attempted (no key, or no verifier installed)."""
    note: str


def load_public_keys(data: bytes, origin: str) -> PublicKeys:
    """The certificates in `data` (armored or binary); PublicKeyError naming `origin` when there are none."""
    try:
        from pysequoia import Cert
    except ImportError as error:
        raise PublicKeyError(f"{origin}: cannot read OpenPGP keys: the 'pysequoia' package is not installed") from error
    try:
        certificates = tuple(Cert.split_bytes(data))
    except Exception as error:  # the native parser raises RuntimeError and more on hostile input; none may escape
        raise PublicKeyError(f"{origin}: not an OpenPGP public key: {_first_line(error)}") from error
    if not certificates:
        raise PublicKeyError(f"{origin}: holds no OpenPGP public key")
    return PublicKeys(certificates)


def verify_clearsigned(armored: str, keys: PublicKeys | None) -> SignatureCheck:
    if keys is None:
        return SignatureCheck(None, "no public key was given (docs check --key FILE)")
    try:
        from pysequoia import verify
    except ImportError:
        return SignatureCheck(None, "the 'pysequoia' package, which verifies OpenPGP signatures, is not installed")
    try:
        result = verify(bytes=armored.encode("utf-8"), store=lambda _key_ids: list(keys.certificates))
    except Exception as error:  # a bad or foreign signature is a RuntimeError; hostile input must not escape either
        return SignatureCheck(False, _first_line(error))
    if not result.valid_sigs:
        return SignatureCheck(False, "no valid signature from the given key")
    signers = ", ".join(sorted({str(sig.certificate).upper() for sig in result.valid_sigs}))
    return SignatureCheck(True, f"signed by the key with fingerprint {signers}")


def _first_line(error: Exception) -> str:
    """Sequoia's message without the Rust backtrace it carries when RUST_BACKTRACE is set."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__

"""Whether a candidate password produces a stored hash, with the C implementations.

libxcrypt's `crypt_rn` (through ctypes; Python's crypt module is deprecated and gone in 3.13) for
DES, BSDi, md5crypt, sha256crypt, sha512crypt, yescrypt and scrypt; the `bcrypt` package for
`$2a$/$2b$/$2y$`; hashlib for {SHA}, {SSHA}, the mosquitto formats; our own apr1. ctypes and
bcrypt release the GIL while hashing.
"""

import base64
import ctypes
import hashlib
import hmac
import threading

import bcrypt

from iotbaseline.checks.accounts import schemes
from iotbaseline.checks.accounts.apr1 import apr1
from iotbaseline.checks.accounts.schemes import Scheme

LIBCRYPT = "libcrypt.so.1"
_CRYPT_DATA_SIZE = 32768  # sizeof(struct crypt_data) in libxcrypt
_BCRYPT_MAX_BYTES = 72
_LIBXCRYPT_SCHEMES = frozenset(
    s.name
    for s in (
        schemes.DESCRYPT,
        schemes.BSDICRYPT,
        schemes.MD5CRYPT,
        schemes.SHA256CRYPT,
        schemes.SHA512CRYPT,
        schemes.YESCRYPT,
        schemes.GOST_YESCRYPT,
        schemes.SCRYPT,
    )
)


class HashingUnavailableError(RuntimeError):
    """libxcrypt cannot be loaded: install the `libcrypt1` package."""


class _Libxcrypt:
    def __init__(self) -> None:
        try:
            library = ctypes.CDLL(LIBCRYPT)
        except OSError as error:
            raise HashingUnavailableError(f"cannot load {LIBCRYPT} ({error}); install libcrypt1") from error
        self._crypt_rn = library.crypt_rn
        self._crypt_rn.restype = ctypes.c_char_p
        self._crypt_rn.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int)
        self._local = threading.local()

    def crypt(self, password: bytes, setting: bytes) -> bytes | None:
        buffer = getattr(self._local, "buffer", None)
        if buffer is None:
            buffer = self._local.buffer = ctypes.create_string_buffer(_CRYPT_DATA_SIZE)
        result: bytes | None = self._crypt_rn(password, setting, buffer, _CRYPT_DATA_SIZE)
        return result


_libxcrypt: _Libxcrypt | None = None


def libxcrypt() -> _Libxcrypt:
    global _libxcrypt
    if _libxcrypt is None:
        _libxcrypt = _Libxcrypt()
    return _libxcrypt


def matches(scheme: Scheme, stored: str, candidate: bytes) -> bool:
    """True when `candidate` is the password behind `stored` (a hash of `scheme`)."""
    target = stored.encode("ascii")
    if scheme.name in _LIBXCRYPT_SCHEMES:
        return libxcrypt().crypt(candidate, target) == target
    if scheme == schemes.BCRYPT:
        return bcrypt.checkpw(candidate[:_BCRYPT_MAX_BYTES], target)
    if scheme == schemes.APR1:
        return apr1(candidate, target.split(b"$")[2]) == target
    if scheme == schemes.LDAP_SHA:
        return hmac.compare_digest(
            base64.b64decode(stored[5:]), hashlib.sha1(candidate, usedforsecurity=False).digest()
        )
    if scheme == schemes.LDAP_SSHA:
        raw = base64.b64decode(stored[6:])
        return hmac.compare_digest(raw[:20], hashlib.sha1(candidate + raw[20:], usedforsecurity=False).digest())
    if scheme == schemes.MOSQUITTO_SHA512:
        _, _, salt, digest = stored.split("$")
        expected = hashlib.sha512(candidate + base64.b64decode(salt)).digest()
        return hmac.compare_digest(base64.b64decode(digest), expected)
    if scheme == schemes.MOSQUITTO_PBKDF2:
        _, _, rounds, salt, digest = stored.split("$")
        expected = hashlib.pbkdf2_hmac("sha512", candidate, base64.b64decode(salt), int(rounds))
        return hmac.compare_digest(base64.b64decode(digest), expected)
    if scheme == schemes.CLEAR:
        return hmac.compare_digest(stored.encode("utf-8", "surrogateescape"), candidate)
    return False

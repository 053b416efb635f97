"""Private keys in a file's content: PEM blocks anywhere (parsed, not just matched), whole-file DER and
PKCS#12, OpenSSH's own format, dropbear host keys.

A key is reported only when it parses: a PEM marker inside a library, an empty file or a public key
is not a private key. Each key carries the SHA-256 of its public half (SubjectPublicKeyInfo DER),
which is what recognises the same key across formats and images.
"""

import base64
import binascii
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from iotbaseline.checks.secrets.dropbear import DropbearKey, parse_dropbear_key

PEM_MARKER = b"-----BEGIN "
MAX_PEM_BODY = 64 * 1024
MAX_PEM_BLOCKS = 4096
_PEM_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9][A-Z0-9 ]{0,40})-----(.{1,%d}?)-----END \1-----" % MAX_PEM_BODY, re.DOTALL
)
_PEM_PRIVATE_FORMATS = {
    b"RSA PRIVATE KEY": "rsa-pem",
    b"EC PRIVATE KEY": "ec-pem",
    b"DSA PRIVATE KEY": "dsa-pem",
    b"PRIVATE KEY": "pkcs8-pem",
    b"ENCRYPTED PRIVATE KEY": "encrypted-pkcs8-pem",
    b"OPENSSH PRIVATE KEY": "openssh",
}
_LEGACY_ALGORITHMS = {"rsa-pem": "rsa", "ec-pem": "ec", "dsa-pem": "dsa"}
_OPENSSH_MAGIC = b"openssh-key-v1\x00"
_PKCS7_DATA_OID = bytes.fromhex("06092a864886f70d010701")
_PARSE_ERRORS = (ValueError, TypeError, UnsupportedAlgorithm, IndexError)


@dataclass(frozen=True)
class PemBlock:
    label: str
    text: bytes
    """The whole block, BEGIN and END lines included, lines stripped of surrounding blanks."""
    offset: int


@dataclass(frozen=True)
class FoundKey:
    format: str
    """rsa-pem (PKCS#1), ec-pem (SEC1), dsa-pem, pkcs8-pem, encrypted-pkcs8-pem, openssh, der,
    encrypted-pkcs8-der, pkcs12, dropbear."""
    algorithm: str
    """rsa, ec, dsa, ed25519, ed448, x25519, x448, or unknown (encrypted PKCS#8 hides it)."""
    bits: int | None
    encrypted: bool
    public_sha256: str | None
    """None when the public half cannot be read without the passphrase."""
    offset: int = 0

    def describe(self) -> str:
        size = f" {self.bits}-bit" if self.bits else ""
        state = "encrypted" if self.encrypted else "unencrypted"
        name = self.algorithm.upper() if self.algorithm != "unknown" else "private"
        return f"{state} {name}{size} key ({self.format})"


def pem_blocks(content: bytes) -> Iterator[PemBlock]:
    """Every PEM block in the content, wherever it lies (a script, a config, a binary's strings)."""
    if PEM_MARKER not in content:
        return
    for count, match in enumerate(_PEM_BLOCK.finditer(content)):
        if count >= MAX_PEM_BLOCKS:
            return
        body = match.group(2).replace(b"\\n", b"\n")
        lines = b"\n".join(line.strip() for line in body.split(b"\n")).strip(b"\n")
        label = match.group(1)
        text = b"\n".join([b"-----BEGIN " + label + b"-----", lines, b"-----END " + label + b"-----"])
        yield PemBlock(label.decode("ascii"), text + b"\n", match.start())


def public_sha256(public_key: PublicKeyTypes) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def algorithm_and_bits(public_key: PublicKeyTypes) -> tuple[str, int | None]:
    if isinstance(public_key, rsa.RSAPublicKey):
        return "rsa", public_key.key_size
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        return "ec", public_key.curve.key_size
    if isinstance(public_key, dsa.DSAPublicKey):
        return "dsa", public_key.key_size
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "ed25519", 256
    if isinstance(public_key, ed448.Ed448PublicKey):
        return "ed448", 456
    if isinstance(public_key, x25519.X25519PublicKey):
        return "x25519", 256
    if isinstance(public_key, x448.X448PublicKey):
        return "x448", 448
    return "unknown", None


def private_keys_in(content: bytes) -> list[FoundKey]:
    """All private keys the content holds, in any of the supported formats."""
    found = [key for block in pem_blocks(content) if (key := pem_private_key(block)) is not None]
    if is_whole_der(content):
        found.extend(der_private_keys(content))
    dropbear = parse_dropbear_key(content)
    if dropbear is not None:
        found.append(_from_dropbear(dropbear))
    return found


def pem_private_key(block: PemBlock) -> FoundKey | None:
    form = _PEM_PRIVATE_FORMATS.get(block.label.encode())
    if form is None:
        return None
    if form == "openssh":
        return _openssh_key(block)
    try:
        key = serialization.load_pem_private_key(block.text, password=None)
    except TypeError:  # encrypted: legacy Proc-Type header or EncryptedPrivateKeyInfo
        return _encrypted_pem(block, form)
    except _PARSE_ERRORS:
        return None
    return _found(form, key, block.offset)


def is_whole_der(content: bytes) -> bool:
    """An ASN.1 SEQUENCE whose declared length is the whole content."""
    if len(content) < 16 or content[0] != 0x30:
        return False
    first = content[1]
    if first < 0x80:
        return 2 + first == len(content)
    count = first & 0x7F
    if count not in (1, 2, 3) or len(content) < 2 + count:
        return False
    return 2 + count + int.from_bytes(content[2 : 2 + count], "big") == len(content)


def der_private_keys(content: bytes) -> list[FoundKey]:
    try:
        return [_found("der", serialization.load_der_private_key(content, password=None), 0)]
    except TypeError:
        return [FoundKey("encrypted-pkcs8-der", "unknown", None, True, None)]
    except _PARSE_ERRORS:
        pass
    if not _looks_like_pkcs12(content):
        return []
    try:
        key, _certificate, _extra = pkcs12.load_key_and_certificates(content, password=None)
    except _PARSE_ERRORS:
        return [FoundKey("pkcs12", "unknown", None, True, None)]
    return [] if key is None else [_found("pkcs12", key, 0)]


def _looks_like_pkcs12(content: bytes) -> bool:
    """PFX: SEQUENCE { INTEGER 3, ContentInfo { OID pkcs7-data, ... } ... }."""
    head = content[:32]
    return b"\x02\x01\x03\x30" in head and _PKCS7_DATA_OID in head


def _found(form: str, key: PrivateKeyTypes, offset: int) -> FoundKey:
    public = key.public_key()
    algorithm, bits = algorithm_and_bits(public)
    return FoundKey(form, algorithm, bits, False, public_sha256(public), offset)


def _encrypted_pem(block: PemBlock, form: str) -> FoundKey | None:
    if form == "encrypted-pkcs8-pem" or b"ENCRYPTED" in block.text:
        return FoundKey(form, _LEGACY_ALGORITHMS.get(form, "unknown"), None, True, None, block.offset)
    return None


def _openssh_key(block: PemBlock) -> FoundKey | None:
    """openssh-key-v1: the public key is stored in clear even when the private part is encrypted."""
    body = b"".join(block.text.split(b"\n")[1:-2])
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_OPENSSH_MAGIC):
        return None
    reader = _SshReader(raw, len(_OPENSSH_MAGIC))
    try:
        cipher = reader.string()
        reader.string()  # kdf name
        reader.string()  # kdf options
        if reader.uint32() < 1:
            return None
        public_blob = reader.string()
        private = reader.string()
    except ValueError:
        return None
    encrypted = cipher != b"none"
    if not encrypted and (len(private) < 8 or private[:4] != private[4:8]):
        return None  # unencrypted keys start with the same check integer twice
    algorithm, bits, fingerprint = _ssh_public(public_blob)
    return FoundKey("openssh", algorithm, bits, encrypted, fingerprint, block.offset)


def _ssh_public(blob: bytes) -> tuple[str, int | None, str | None]:
    try:
        key_type = _SshReader(blob, 0).string()
        public = serialization.load_ssh_public_key(key_type + b" " + base64.b64encode(blob))
    except (*_PARSE_ERRORS, binascii.Error):
        return "unknown", None, None
    algorithm, bits = algorithm_and_bits(public)
    return algorithm, bits, public_sha256(public)


def _from_dropbear(key: DropbearKey) -> FoundKey:
    algorithm, bits = algorithm_and_bits(key.public_key)
    return FoundKey("dropbear", algorithm, bits, False, public_sha256(key.public_key))


class _SshReader:
    """SSH wire-format strings and integers, bounded by the buffer."""

    def __init__(self, data: bytes, position: int) -> None:
        self.data = data
        self.position = position

    def uint32(self) -> int:
        if self.position + 4 > len(self.data):
            raise ValueError("truncated")
        value = int.from_bytes(self.data[self.position : self.position + 4], "big")
        self.position += 4
        return value

    def string(self) -> bytes:
        length = self.uint32()
        if self.position + length > len(self.data):
            raise ValueError("truncated")
        value = self.data[self.position : self.position + length]
        self.position += length
        return value

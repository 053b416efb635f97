"""Dropbear's binary host-key format, parsed by hand with bounds on every length.

The file is an SSH wire-format key type string, then the key's numbers: ssh-rsa (e, n, d, p, q as
mpints), ssh-dss (p, q, g, y, x), ecdsa-sha2-nistp* (curve name, public point, private d), ssh-ed25519
(one string: 32-byte seed and 32-byte public key). A key is accepted only when its private half
matches its public half, so random data that happens to start with "ssh-rsa" is not a key.
"""

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

MAX_FILE = 64 * 1024
MAX_FIELD = 8 * 1024
_CURVES: dict[bytes, ec.EllipticCurve] = {
    b"nistp256": ec.SECP256R1(),
    b"nistp384": ec.SECP384R1(),
    b"nistp521": ec.SECP521R1(),
}
_KEY_TYPES = (
    b"ssh-rsa",
    b"ssh-dss",
    b"ssh-ed25519",
    b"ecdsa-sha2-nistp256",
    b"ecdsa-sha2-nistp384",
    b"ecdsa-sha2-nistp521",
)


@dataclass(frozen=True)
class DropbearKey:
    key_type: str
    public_key: PublicKeyTypes


class _Fields:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def string(self) -> bytes:
        if self.position + 4 > len(self.data):
            raise ValueError("truncated length")
        length = int.from_bytes(self.data[self.position : self.position + 4], "big")
        if length > MAX_FIELD or self.position + 4 + length > len(self.data):
            raise ValueError("field runs past the end of the key")
        start = self.position + 4
        self.position = start + length
        return self.data[start : self.position]

    def mpint(self) -> int:
        value = self.string()
        if value and value[0] & 0x80:
            raise ValueError("negative number in a key")
        return int.from_bytes(value, "big")


def looks_like_dropbear(content: bytes) -> bool:
    return 11 <= len(content) <= MAX_FILE and content[:3] == b"\x00\x00\x00" and content[4:].startswith(_KEY_TYPES)


def parse_dropbear_key(content: bytes) -> DropbearKey | None:
    if not looks_like_dropbear(content):
        return None
    fields = _Fields(content)
    try:
        key_type = fields.string()
        public = _parse_numbers(key_type, fields)
    except ValueError:
        return None
    return None if public is None else DropbearKey(key_type.decode("ascii"), public)


def _parse_numbers(key_type: bytes, fields: _Fields) -> PublicKeyTypes | None:
    if key_type == b"ssh-rsa":
        e, n, _d, p, q = (fields.mpint() for _ in range(5))
        return rsa.RSAPublicNumbers(e, n).public_key() if p > 1 and q > 1 and p * q == n else None
    if key_type == b"ssh-dss":
        p, q, g, y, x = (fields.mpint() for _ in range(5))
        if p < 3 or not 0 < x < q or pow(g, x, p) != y:
            return None
        return dsa.DSAPublicNumbers(y, dsa.DSAParameterNumbers(p, q, g)).public_key()
    if key_type == b"ssh-ed25519":
        both = fields.string()
        if len(both) != 64:
            return None
        private = ed25519.Ed25519PrivateKey.from_private_bytes(both[:32])
        public = private.public_key()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return public if raw == both[32:] else None
    curve = _CURVES.get(fields.string())
    if curve is None or key_type[len(b"ecdsa-sha2-") :] not in _CURVES:
        return None
    point, d = fields.string(), fields.mpint()
    derived = ec.derive_private_key(d, curve).public_key()
    return derived if derived.public_bytes(_X962, _UNCOMPRESSED) == point else None


_X962 = serialization.Encoding.X962
_UNCOMPRESSED = serialization.PublicFormat.UncompressedPoint

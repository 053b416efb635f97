"""Deterministic credentials: private keys, certificates, crypt(3) hashes and cloud keys.

Key material is derived from a seed (the key id, plus the image's `Recipe.seed` for unshared keys), so that a
rebuild writes the same bytes and no secret-looking text has to be committed to the repository.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import struct

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from tests.corpus.model import Hashed, Key
from tests.corpus.tools import run

# The key the vendor signs update packages with; only its public half ships, in hardened images.
FIRMWARE_SIGNING_KEY = Key("fw-signing", "ed25519", "spki-pem", shared=True)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

_SMALL_PRIMES = tuple(p for p in range(3, 2000) if all(p % d for d in range(2, int(p**0.5) + 1)))


def _stream(seed: str, counter: int, size: int) -> bytes:
    return hashlib.shake_256(f"iotbaseline-corpus/{seed}/{counter}".encode()).digest(size)


def _is_probable_prime(n: int) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for base in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        x = pow(base, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(seed: str, bits: int) -> int:
    counter = 0
    while True:
        counter += 1
        candidate = int.from_bytes(_stream(seed, counter, bits // 8)) | (3 << (bits - 2)) | 1
        if _is_probable_prime(candidate) and (candidate - 1) % 65537 != 0:
            return candidate


def private_key(key: Key, image: str) -> PrivateKey:
    return _derive(key.algorithm, key.id if key.shared else f"{image}/{key.id}")


@functools.cache
def _derive(algorithm: str, seed: str) -> PrivateKey:
    if algorithm == "rsa":
        p, q = _prime(f"{seed}/p", 1024), _prime(f"{seed}/q", 1024)
        e, n = 65537, p * q
        d = pow(e, -1, (p - 1) * (q - 1))
        numbers = rsa.RSAPrivateNumbers(
            p=p,
            q=q,
            d=d,
            dmp1=rsa.rsa_crt_dmp1(d, p),
            dmq1=rsa.rsa_crt_dmq1(d, q),
            iqmp=rsa.rsa_crt_iqmp(p, q),
            public_numbers=rsa.RSAPublicNumbers(e, n),
        )
        return numbers.private_key()
    if algorithm == "ec":
        curve = ec.SECP256R1()
        order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
        return ec.derive_private_key(int.from_bytes(_stream(seed, 0, 40)) % (order - 1) + 1, curve)
    return ed25519.Ed25519PrivateKey.from_private_bytes(_stream(seed, 0, 32))


def public_sha256(key: Key, image: str) -> str:
    """Fingerprint of the public half (SubjectPublicKeyInfo DER): equal across images iff the key is."""
    der = (
        private_key(key, image)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return hashlib.sha256(der).hexdigest()


def key_bits(key: Key, image: str) -> int:
    material = private_key(key, image)
    return 256 if isinstance(material, ed25519.Ed25519PrivateKey) else material.key_size


def render_key(key: Key, image: str) -> bytes:
    material = private_key(key, image)
    pem, der = serialization.Encoding.PEM, serialization.Encoding.DER
    none = serialization.NoEncryption()
    match key.form:
        case "rsa-pem" | "sec1-pem":
            return material.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL, none)
        case "pkcs8-pem":
            return material.private_bytes(pem, serialization.PrivateFormat.PKCS8, none)
        case "spki-pem":
            return material.public_key().public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo)
        case "openssh":
            return _openssh(material, f"support@{image}")
        case "dropbear":
            return _dropbear(material)
        case "x509-pem":
            return self_signed_certificate(material, key.subject or image).public_bytes(pem)
    raise AssertionError(der)


def self_signed_certificate(material: PrivateKey, common_name: str) -> x509.Certificate:
    """A certificate signed by its own key, with fixed dates and serial; RSA PKCS#1 v1.5 signatures are
    deterministic, Ed25519 ones too, so the bytes repeat."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(material.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(common_name.encode()).digest()[:8]) | 1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650 * 3))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    )
    algorithm = None if isinstance(material, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    if isinstance(material, ec.EllipticCurvePrivateKey):
        raise ValueError("ECDSA signatures are randomised; use an RSA or Ed25519 key for certificates")
    return builder.sign(material, algorithm)


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _mpint(value: int) -> bytes:
    return _ssh_string(value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _openssh(material: PrivateKey, comment: str) -> bytes:
    """openssh-key-v1, unencrypted, written by hand: the library version draws random check bytes."""
    if not isinstance(material, ed25519.Ed25519PrivateKey):
        raise ValueError("the corpus writes OpenSSH keys for Ed25519 only")
    raw = serialization.Encoding.Raw
    seed = material.private_bytes(raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    public = material.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    public_blob = _ssh_string(b"ssh-ed25519") + _ssh_string(public)
    check = hashlib.sha256(public).digest()[:4] * 2
    private = check + public_blob + _ssh_string(seed + public) + _ssh_string(comment.encode())
    private += bytes(range(1, 1 + (-len(private) % 8)))
    body = (
        b"openssh-key-v1\0"
        + _ssh_string(b"none")
        + _ssh_string(b"none")
        + _ssh_string(b"")
        + struct.pack(">I", 1)
        + _ssh_string(public_blob)
        + _ssh_string(private)
    )
    lines = base64.b64encode(body).decode()
    wrapped = "\n".join(lines[i : i + 70] for i in range(0, len(lines), 70))
    return f"-----BEGIN OPENSSH PRIVATE KEY-----\n{wrapped}\n-----END OPENSSH PRIVATE KEY-----\n".encode()


def _dropbear(material: PrivateKey) -> bytes:
    """Dropbear's own binary host-key format: ssh-rsa, then e, n, d, p, q as SSH mpints."""
    if not isinstance(material, rsa.RSAPrivateKey):
        raise ValueError("the corpus writes dropbear host keys for RSA only")
    numbers = material.private_numbers()
    public = numbers.public_numbers
    return (
        _ssh_string(b"ssh-rsa")
        + _mpint(public.e)
        + _mpint(public.n)
        + _mpint(numbers.d)
        + _mpint(numbers.p)
        + _mpint(numbers.q)
    )


def ed25519_sign(key: Key, image: str, message: bytes) -> bytes:
    material = private_key(key, image)
    if not isinstance(material, ed25519.Ed25519PrivateKey):
        raise ValueError(f"{key.id} is not an Ed25519 key")
    return material.sign(message)


@functools.cache
def crypt_hash(password: Hashed) -> str:
    """A real crypt(3) hash from the host's libxcrypt (`mkpasswd`) or OpenSSL, with the fixed salt."""
    match password.scheme:
        case "apr1" | "md5crypt":
            flag = "-apr1" if password.scheme == "apr1" else "-1"
            argv = ["openssl", "passwd", flag, "-salt", password.salt, "-stdin"]
        case "yescrypt":
            argv = ["mkpasswd", "--stdin", f"--salt=$y$j9T${password.salt}$"]
        case "bcrypt":
            # The 22nd salt character carries only two bits; libxcrypt refuses any other value.
            argv = ["mkpasswd", "--stdin", "-m", "bcrypt", "-R", "10", "-S", password.salt[:21] + "e"]
        case _:
            argv = ["mkpasswd", "--stdin", "-m", password.scheme, "-S", password.salt]
    return run(argv, stdin=password.password.encode() + b"\n").decode().strip()


def strong_password(seed: str) -> str:
    """A long random-looking password, unique per seed: what a hardened image would use."""
    return base64.b64encode(hashlib.sha256(f"strong/{seed}".encode()).digest()).decode()[:24]


def salt(seed: str, length: int = 16) -> str:
    alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[b % 64] for b in hashlib.sha256(f"salt/{seed}".encode()).digest()[:length])


def aws_credentials(image: str) -> tuple[str, str]:
    """An access key id and secret in AWS's shapes (AKIA + 16 base32; 40 base64), unique per image."""
    digest = hashlib.sha256(f"aws/{image}".encode()).digest()
    key_id = "AKIA" + base64.b32encode(digest).decode()[:16]
    secret = base64.b64encode(hashlib.sha512(digest).digest()).decode()[:40]
    return key_id, secret

"""Private keys in every form a firmware ships them, parsed, not matched: type, size, encryption, fingerprint."""

import hashlib
import struct

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from iotbaseline.checks.secrets.dropbear import parse_dropbear_key
from iotbaseline.checks.secrets.keys import private_keys_in

PEM, DER = serialization.Encoding.PEM, serialization.Encoding.DER
PKCS8, LEGACY, OPENSSH = (
    serialization.PrivateFormat.PKCS8,
    serialization.PrivateFormat.TraditionalOpenSSL,
    serialization.PrivateFormat.OpenSSH,
)
PLAIN = serialization.NoEncryption()
LOCKED = serialization.BestAvailableEncryption(b"vendor-passphrase")
RSA_KEY = rsa.generate_private_key(65537, 2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def fingerprint(key: PrivateKeyTypes) -> str:
    der = key.public_key().public_bytes(DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def mpint(value: int) -> bytes:
    return ssh_string(value.to_bytes(value.bit_length() // 8 + 1, "big"))


def dropbear_rsa(key: rsa.RSAPrivateKey) -> bytes:
    numbers = key.private_numbers()
    public = numbers.public_numbers
    return ssh_string(b"ssh-rsa") + b"".join(mpint(v) for v in (public.e, public.n, numbers.d, numbers.p, numbers.q))


@pytest.mark.parametrize(
    ("data", "form", "algorithm", "bits"),
    [
        (RSA_KEY.private_bytes(PEM, LEGACY, PLAIN), "rsa-pem", "rsa", 2048),
        (EC_KEY.private_bytes(PEM, LEGACY, PLAIN), "ec-pem", "ec", 256),
        (EC_KEY.private_bytes(PEM, PKCS8, PLAIN), "pkcs8-pem", "ec", 256),
        (RSA_KEY.private_bytes(DER, PKCS8, PLAIN), "der", "rsa", 2048),
        (ED_KEY.private_bytes(PEM, OPENSSH, PLAIN), "openssh", "ed25519", 256),
        (RSA_KEY.private_bytes(PEM, OPENSSH, PLAIN), "openssh", "rsa", 2048),
    ],
)
def test_an_unencrypted_private_key_is_parsed_with_its_type_size_and_fingerprint(
    data: bytes, form: str, algorithm: str, bits: int
) -> None:
    [key] = private_keys_in(data)

    assert (key.format, key.algorithm, key.bits, key.encrypted) == (form, algorithm, bits, False)
    material = RSA_KEY if algorithm == "rsa" else EC_KEY if algorithm == "ec" else ED_KEY
    assert key.public_sha256 == fingerprint(material)


def test_a_dsa_key_in_pem_is_a_private_key() -> None:
    key = dsa.generate_private_key(2048)

    [found] = private_keys_in(key.private_bytes(PEM, LEGACY, PLAIN))

    assert (found.format, found.algorithm, found.bits) == ("dsa-pem", "dsa", 2048)


def test_the_same_key_in_pem_der_and_dropbear_form_has_one_fingerprint() -> None:
    forms = [RSA_KEY.private_bytes(PEM, LEGACY, PLAIN), RSA_KEY.private_bytes(DER, PKCS8, PLAIN), dropbear_rsa(RSA_KEY)]

    fingerprints = {key.public_sha256 for data in forms for key in private_keys_in(data)}

    assert fingerprints == {fingerprint(RSA_KEY)}


@pytest.mark.parametrize(
    ("data", "form", "algorithm"),
    [
        (RSA_KEY.private_bytes(PEM, LEGACY, LOCKED), "rsa-pem", "rsa"),
        (EC_KEY.private_bytes(PEM, PKCS8, LOCKED), "encrypted-pkcs8-pem", "unknown"),
        (EC_KEY.private_bytes(DER, PKCS8, LOCKED), "encrypted-pkcs8-der", "unknown"),
    ],
)
def test_an_encrypted_private_key_is_reported_as_encrypted(data: bytes, form: str, algorithm: str) -> None:
    [key] = private_keys_in(data)

    assert (key.format, key.algorithm, key.encrypted, key.public_sha256) == (form, algorithm, True, None)


def test_an_encrypted_openssh_key_still_shows_its_public_fingerprint() -> None:
    [key] = private_keys_in(ED_KEY.private_bytes(PEM, OPENSSH, LOCKED))

    assert key.encrypted
    assert key.public_sha256 == fingerprint(ED_KEY)


def test_pkcs12_with_an_empty_password_is_opened_and_with_a_password_is_encrypted() -> None:
    opened = pkcs12.serialize_key_and_certificates(b"dev", RSA_KEY, None, None, PLAIN)
    locked = pkcs12.serialize_key_and_certificates(b"dev", RSA_KEY, None, None, LOCKED)

    [plain] = private_keys_in(opened)
    [encrypted] = private_keys_in(locked)

    assert (plain.format, plain.encrypted, plain.public_sha256) == ("pkcs12", False, fingerprint(RSA_KEY))
    assert (encrypted.format, encrypted.encrypted) == ("pkcs12", True)


def test_an_empty_file_and_a_public_key_are_not_private_keys() -> None:
    public = RSA_KEY.public_key().public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    ssh_public = ED_KEY.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)

    assert private_keys_in(b"") == []
    assert private_keys_in(public) == []
    assert private_keys_in(ssh_public) == []


def test_pem_markers_inside_a_library_are_not_a_key() -> None:
    library = (
        b"\x7fELF\x01\x01\x01" + bytes(64) + b"-----BEGIN %s-----\n\x00-----END %s-----\n\x00"
        b"-----BEGIN PRIVATE KEY-----\x00ANY PRIVATE KEY\x00-----END PRIVATE KEY-----\x00" + bytes(64)
    )

    assert private_keys_in(library) == []


def test_a_key_embedded_in_a_binary_or_an_escaped_json_string_is_found() -> None:
    pem = EC_KEY.private_bytes(PEM, PKCS8, PLAIN)
    binary = b"\x7fELF\x01\x01\x01" + bytes(100) + pem + b"\x00" + bytes(50)
    json_text = b'{"key": "' + pem.replace(b"\n", b"\\n") + b'"}'

    [in_binary] = private_keys_in(binary)
    [in_json] = private_keys_in(json_text)

    assert in_binary.offset == 107
    assert in_binary.public_sha256 == in_json.public_sha256 == fingerprint(EC_KEY)


def test_dropbear_ed25519_and_ecdsa_host_keys_are_parsed_from_their_binary_format() -> None:
    raw = serialization.Encoding.Raw
    seed = ED_KEY.private_bytes(raw, serialization.PrivateFormat.Raw, PLAIN)
    public = ED_KEY.public_key().public_bytes(raw, serialization.PublicFormat.Raw)
    ed_file = ssh_string(b"ssh-ed25519") + ssh_string(seed + public)
    point = EC_KEY.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    ec_file = (
        ssh_string(b"ecdsa-sha2-nistp256")
        + ssh_string(b"nistp256")
        + ssh_string(point)
        + mpint(EC_KEY.private_numbers().private_value)
    )

    [ed_key] = private_keys_in(ed_file)
    [ec_key] = private_keys_in(ec_file)

    assert (ed_key.format, ed_key.algorithm, ed_key.public_sha256) == ("dropbear", "ed25519", fingerprint(ED_KEY))
    assert (ec_key.algorithm, ec_key.bits, ec_key.public_sha256) == ("ec", 256, fingerprint(EC_KEY))


def test_a_dropbear_file_whose_numbers_do_not_make_a_key_is_not_a_key() -> None:
    data = bytearray(dropbear_rsa(RSA_KEY))
    data[-5] ^= 0x01  # q no longer divides n

    assert parse_dropbear_key(bytes(data)) is None
    assert parse_dropbear_key(ssh_string(b"ssh-rsa") + struct.pack(">I", 0xFFFFFFF0) + b"\x01") is None
    assert parse_dropbear_key(bytes(64)) is None

"""Apache's apr1 password hash: md5crypt with the magic `$apr1$` in place of `$1$`.

libxcrypt does not implement it (the magic is hashed into the result, so `$1$` cannot stand in).
The algorithm is Poul-Henning Kamp's md5crypt, as in Apache's apr_md5.c.
"""

import hashlib

_MAGIC = b"$apr1$"
_ALPHABET = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Byte triples of the final digest, in the order md5crypt encodes them.
_TRIPLES = ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))


def apr1(password: bytes, salt: bytes) -> bytes:
    """The full `$apr1$salt$hash` string; `salt` is cut to 8 bytes, as Apache does."""
    salt = salt[:8]
    final = hashlib.md5(password + salt + password, usedforsecurity=False).digest()
    context = hashlib.md5(password + _MAGIC + salt, usedforsecurity=False)
    for start in range(0, len(password), 16):
        context.update(final[: min(16, len(password) - start)])
    length = len(password)
    while length:
        context.update(b"\0" if length & 1 else password[:1])
        length >>= 1
    digest = context.digest()
    # The 1,000 rounds: each one hashes a concatenation chosen by the round number.
    password_salt, password_password = password + salt, password + password
    password_salt_password = password + salt + password
    for round_ in range(1000):
        if round_ & 1:
            left = password_salt_password if round_ % 3 else password_password
            if round_ % 7 == 0:
                left = password_salt if round_ % 3 else password
            digest = hashlib.md5(left + digest, usedforsecurity=False).digest()
        else:
            middle = (salt if round_ % 3 else b"") + (password if round_ % 7 else b"")
            digest = hashlib.md5(digest + middle + password, usedforsecurity=False).digest()
    return _MAGIC + salt + b"$" + _encode(digest)


def _encode(digest: bytes) -> bytes:
    out = bytearray()
    for a, b, c in _TRIPLES:
        out += _b64(digest[a] << 16 | digest[b] << 8 | digest[c], 4)
    out += _b64(digest[11], 2)
    return bytes(out)


def _b64(value: int, count: int) -> bytes:
    out = bytearray()
    for _ in range(count):
        out.append(_ALPHABET[value & 0x3F])
        value >>= 6
    return bytes(out)

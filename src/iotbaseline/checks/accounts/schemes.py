"""What a password field holds: locked, empty, or a hash of a known scheme, and how strong that scheme is.

Strength follows what an attacker holding the firmware can do with the hash: BROKEN (clear text, DES
crypt, unsalted {SHA}, NT hashes: recovered from a table or in seconds), WEAK (md5crypt and its
Apache twin apr1: a fixed 1,000 MD5 rounds), STRONG (sha256crypt, sha512crypt, bcrypt, yescrypt,
scrypt, PBKDF2: tunable cost, current practice).
"""

import re
from dataclasses import dataclass
from enum import StrEnum


class Strength(StrEnum):
    BROKEN = "broken"
    WEAK = "weak"
    STRONG = "strong"


class FieldState(StrEnum):
    LOCKED = "locked"
    EMPTY = "empty"
    HASH = "hash"
    CLEAR = "clear"
    """The field is the password itself (a configuration value, a plain user file)."""
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Scheme:
    name: str
    strength: Strength
    crackable: bool = True
    """False where we identify the scheme but do not compute it (the NT hash: MD4 is gone from OpenSSL 3)."""


DESCRYPT = Scheme("descrypt", Strength.BROKEN)
BSDICRYPT = Scheme("bsdicrypt", Strength.WEAK)
MD5CRYPT = Scheme("md5crypt", Strength.WEAK)
APR1 = Scheme("apr1", Strength.WEAK)
SHA256CRYPT = Scheme("sha256crypt", Strength.STRONG)
SHA512CRYPT = Scheme("sha512crypt", Strength.STRONG)
BCRYPT = Scheme("bcrypt", Strength.STRONG)
YESCRYPT = Scheme("yescrypt", Strength.STRONG)
GOST_YESCRYPT = Scheme("gost-yescrypt", Strength.STRONG)
SCRYPT = Scheme("scrypt", Strength.STRONG)
LDAP_SHA = Scheme("{SHA}", Strength.BROKEN)
LDAP_SSHA = Scheme("{SSHA}", Strength.BROKEN)
MOSQUITTO_SHA512 = Scheme("mosquitto-sha512", Strength.WEAK)
MOSQUITTO_PBKDF2 = Scheme("mosquitto-pbkdf2-sha512", Strength.STRONG)
NTHASH = Scheme("nthash", Strength.BROKEN, crackable=False)
CLEAR = Scheme("plain", Strength.BROKEN)

_B64 = r"[./0-9A-Za-z]"
_STD_B64 = r"[+/0-9A-Za-z]"
_PATTERNS: tuple[tuple[re.Pattern[str], Scheme], ...] = (
    (re.compile(rf"^\$1\${_B64}{{0,8}}\${_B64}{{22}}$"), MD5CRYPT),
    (re.compile(rf"^\$apr1\${_B64}{{0,8}}\${_B64}{{22}}$"), APR1),
    (re.compile(rf"^\$5\$(rounds=\d+\$)?{_B64}{{0,16}}\${_B64}{{43}}$"), SHA256CRYPT),
    (re.compile(rf"^\$6\$(rounds=\d+\$)?{_B64}{{0,16}}\${_B64}{{86}}$"), SHA512CRYPT),
    (re.compile(rf"^\$6\${_STD_B64}+={{0,2}}\${_STD_B64}{{86}}==$"), MOSQUITTO_SHA512),
    (re.compile(rf"^\$7\$\d+\${_STD_B64}+={{0,2}}\${_STD_B64}{{86}}==$"), MOSQUITTO_PBKDF2),
    (re.compile(rf"^\$2[abyx]\$\d\d\${_B64}{{53}}$"), BCRYPT),
    (re.compile(rf"^\$y\${_B64}+\${_B64}*\${_B64}{{43}}$"), YESCRYPT),
    (re.compile(rf"^\$gy\${_B64}+\${_B64}*\${_B64}{{43}}$"), GOST_YESCRYPT),
    (re.compile(rf"^\$7\${_B64}{{11}}{_B64}*\${_B64}{{43}}$"), SCRYPT),
    (re.compile(r"^\{SHA\}[+/0-9A-Za-z]{27}=$", re.IGNORECASE), LDAP_SHA),
    (re.compile(r"^\{SSHA\}[+/0-9A-Za-z]{28,}={0,2}$", re.IGNORECASE), LDAP_SSHA),
)
# Forms with no marker: believable only where a crypt(3) field is expected (a 13-letter
# configuration value is more likely a password than a DES hash).
_UNMARKED: tuple[tuple[re.Pattern[str], Scheme], ...] = (
    (re.compile(rf"^_{_B64}{{19}}$"), BSDICRYPT),
    (re.compile(rf"^{_B64}{{13}}$"), DESCRYPT),
)
_NTHASH = re.compile(r"^[0-9A-Fa-f]{32}$")
# Markers that make a crypt(3) field unusable: `!`/`*` prefixes (passwd -l, useradd), `x` (see shadow).
_LOCK_PREFIXES = ("!", "*")
_LOCKED_WORDS = frozenset({"x", "*LK*", "NP", "LK"})


@dataclass(frozen=True)
class FieldReading:
    state: FieldState
    scheme: Scheme | None = None


def read_field(
    field: str, *, clear_text_allowed: bool = False, unmarked_allowed: bool = True, nthash_allowed: bool = False
) -> FieldReading:
    """What a password field holds. `clear_text_allowed`: in a file where an unrecognised value is the
    password itself (configuration files, plain user files), rather than a string no password hashes to.
    `unmarked_allowed`: DES and BSDi crypt, which carry no `$id$` marker, may be recognised."""
    if field == "":
        return FieldReading(FieldState.EMPTY)
    if field.startswith(_LOCK_PREFIXES) or field in _LOCKED_WORDS:
        return FieldReading(FieldState.LOCKED)
    scheme = identify(field, unmarked_allowed=unmarked_allowed, nthash_allowed=nthash_allowed)
    if scheme is not None:
        return FieldReading(FieldState.HASH, scheme)
    if clear_text_allowed:
        return FieldReading(FieldState.CLEAR, CLEAR)
    return FieldReading(FieldState.UNKNOWN)


def identify(field: str, *, unmarked_allowed: bool = True, nthash_allowed: bool = False) -> Scheme | None:
    patterns = _PATTERNS + _UNMARKED if unmarked_allowed else _PATTERNS
    for pattern, scheme in patterns:
        if pattern.match(field):
            return scheme
    if nthash_allowed and _NTHASH.match(field):
        return NTHASH
    return None

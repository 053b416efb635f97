"""The candidate passwords: known vendor defaults (the `defaultcreds-cheat-sheet` package's data,
with the Mirai telnet pairs), the commonest weak passwords (our data file), and what the image
says about itself (hostname, model, vendor). Ordered for an early hit: a user's own known defaults
first, then the weak list, the image's identifiers, and the rest of the defaults."""

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

DEFAULTS_PACKAGE = "DefaultCreds"
DEFAULTS_FILE = "DefaultCreds_db.json"
_BLANK = "<blank>"
_EMPTY_LINE = "<empty>"
MAX_CANDIDATE_BYTES = 128


class DictionaryError(RuntimeError):
    """The default-credential data cannot be read: reinstall `defaultcreds-cheat-sheet`."""


@dataclass(frozen=True)
class DefaultCredential:
    product: str
    user: str
    password: str


@functools.cache
def known_defaults() -> tuple[DefaultCredential, ...]:
    """Every vendor default pair the package ships (3,600+), `<blank>` read as empty."""
    try:
        text = resources.files(DEFAULTS_PACKAGE).joinpath(DEFAULTS_FILE).read_text(encoding="utf-8")
        table = json.loads(text)["_default"]
    except (ModuleNotFoundError, FileNotFoundError, KeyError, ValueError) as error:
        raise DictionaryError(f"cannot read {DEFAULTS_PACKAGE}/{DEFAULTS_FILE}: {error}") from error
    found = []
    for row in table.values():
        user, password = str(row.get("username", "")), str(row.get("password", ""))
        found.append(
            DefaultCredential(
                str(row.get("product", "")),
                "" if user == _BLANK else user,
                "" if password == _BLANK else password,
            )
        )
    return tuple(found)


@functools.cache
def weak_passwords() -> tuple[str, ...]:
    text = resources.files("iotbaseline").joinpath("data/credentials/weak-passwords.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return tuple("" if line == _EMPTY_LINE else line for line in lines if line and not line.startswith("#"))


@dataclass(frozen=True)
class Dictionary:
    """The candidates for one image."""

    identifiers: tuple[str, ...] = ()
    defaults: tuple[DefaultCredential, ...] | None = None
    weak: tuple[str, ...] | None = None

    @functools.cached_property
    def _defaults(self) -> tuple[DefaultCredential, ...]:
        return known_defaults() if self.defaults is None else self.defaults

    @functools.cached_property
    def _weak(self) -> tuple[str, ...]:
        return weak_passwords() if self.weak is None else self.weak

    @functools.cached_property
    def passwords(self) -> tuple[bytes, ...]:
        return _unique([*self._weak, *self.identifiers, *(d.password for d in self._defaults)])

    @functools.cached_property
    def _by_user(self) -> dict[str, tuple[str, ...]]:
        table: dict[str, list[str]] = {}
        for credential in self._defaults:
            table.setdefault(credential.user.lower(), []).append(credential.password)
        return {user: tuple(passwords) for user, passwords in table.items()}

    @property
    def size(self) -> int:
        """How many distinct passwords are tried (each user's own name comes on top)."""
        return len(self.passwords)

    def candidates_for(self, user: str) -> tuple[bytes, ...]:
        """The user's name, the weak list, the user's known defaults, the image's identifiers, the rest."""
        first = _unique([user, *self._weak, *self._by_user.get(user.lower(), ()), *self.identifiers])
        taken = set(first)
        return first + tuple(c for c in self.passwords if c not in taken)


def _unique(passwords: Iterable[str]) -> tuple[bytes, ...]:
    seen: dict[bytes, None] = {}
    for password in passwords:
        encoded = password.encode("utf-8")
        if b"\x00" not in encoded and len(encoded) <= MAX_CANDIDATE_BYTES:
            seen.setdefault(encoded, None)
    return tuple(seen)


def dictionary_for(identifiers: Sequence[str]) -> Dictionary:
    return Dictionary(identifiers=tuple(identifiers))

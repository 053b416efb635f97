"""The findings of the account checks, each with a typed evidence payload, placed at the image,
the device path and the line."""

import hashlib
from dataclasses import asdict, dataclass

from iotbaseline.checks.accounts.inventory import AccountFile, PlacedEntry
from iotbaseline.checks.accounts.schemes import FieldState
from iotbaseline.checks.masking import mask_password
from iotbaseline.model import JSONValue, Location


@dataclass(frozen=True)
class CredentialEvidence:
    user: str
    source: str
    scheme: str | None = None
    strength: str | None = None
    uid: int | None = None
    shell: str | None = None
    secret_sha256: str | None = None
    """SHA-256 of a stored hash (salt included): the same hash in other images is the same password on every
    unit (the results store indexes it). Never of a password in clear, whose digest would give it away."""

    def to_dict(self) -> dict[str, JSONValue]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class CrackEvidence:
    password_masked: str
    found_in: str
    """Why the password is known: cracked from the dictionary, or stored in clear."""
    candidates_tried: int
    password: str | None = None
    """Only with `--reveal`."""

    def to_dict(self) -> dict[str, JSONValue]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class ExaminedEvidence:
    files: list[str]
    accounts_with_password: int
    known_defaults: int
    hashes_cut_short: int

    def to_dict(self) -> dict[str, JSONValue]:
        return asdict(self)


def crack_evidence(password: str, found_in: str, tried: int, *, reveal: bool) -> CrackEvidence:
    return CrackEvidence(mask_password(password), found_in, tried, password if reveal else None)


def entry_evidence(placed: PlacedEntry) -> CredentialEvidence:
    entry, scheme = placed.entry, placed.entry.reading.scheme
    hashed = entry.reading.state is FieldState.HASH
    return CredentialEvidence(
        user=entry.user,
        source=entry.source,
        scheme=None if scheme is None else scheme.name,
        strength=None if scheme is None else scheme.strength.value,
        uid=entry.uid,
        shell=entry.shell,
        secret_sha256=hashlib.sha256(entry.secret.encode()).hexdigest() if hashed else None,
    )


def location(image: str, place: AccountFile, line: int | None) -> Location:
    return Location(image=image, path=place.file.device_path, extracted_path=place.file.path, line=line or None)


def files_phrase(files: list[str]) -> str:
    """`/etc/shadow`, `/etc/shadow and /etc/passwd`, `/etc/shadow and 2 other account files`."""
    if len(files) == 1:
        return files[0]
    if len(files) == 2:
        return f"{files[0]} and {files[1]}"
    return f"{files[0]} and {len(files) - 1} other account files"

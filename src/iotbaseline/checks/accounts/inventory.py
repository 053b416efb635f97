"""The credentials of one image: every account file read (capped), parsed, passwd joined with its
shadow, each entry placed at its file and line; what could not be read is kept as a note."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from iotbaseline.checks.accounts import account_files
from iotbaseline.checks.accounts.account_files import AccountFileKind
from iotbaseline.checks.accounts.entries import CredentialEntry, ParsedFile, PasswdAccount
from iotbaseline.checks.accounts.system_accounts import is_login_shell
from iotbaseline.firmware.tree import FirmwareTree, TreeFile

MAX_ACCOUNT_FILE_BYTES = 1024 * 1024
"""Account files are small; past this only the beginning is parsed, and that is noted."""


@dataclass(frozen=True)
class AccountFile:
    file: TreeFile
    kind: AccountFileKind

    @property
    def shown_path(self) -> str:
        return self.file.device_path or self.file.path


@dataclass(frozen=True)
class PlacedEntry:
    entry: CredentialEntry
    place: AccountFile


@dataclass(frozen=True)
class PlacedAccount:
    account: PasswdAccount
    place: AccountFile


@dataclass(frozen=True)
class ReadingNote:
    place: AccountFile
    detail: str
    line: int | None = None


@dataclass
class Inventory:
    files: list[AccountFile] = field(default_factory=list)
    entries: list[PlacedEntry] = field(default_factory=list)
    accounts: list[PlacedAccount] = field(default_factory=list)
    notes: list[ReadingNote] = field(default_factory=list)


def take_inventory(tree: FirmwareTree) -> Inventory:
    inventory = Inventory()
    parsed_by_directory: dict[str, dict[str, tuple[AccountFile, ParsedFile]]] = defaultdict(dict)
    for file in tree.files:
        kind = account_files.account_file_kind(file)
        if kind is None:
            continue
        place = AccountFile(file, kind)
        parsed = _read_and_parse(tree, place, inventory)
        if parsed is None:
            continue
        if parsed.entries or parsed.accounts:
            inventory.files.append(place)
        _note_problems(place, parsed, inventory)
        if kind.system:
            name = PurePosixPath(file.path).name
            parsed_by_directory[str(PurePosixPath(file.path).parent)][name] = (place, parsed)
        else:
            inventory.entries.extend(PlacedEntry(entry, place) for entry in parsed.entries)
    for group in parsed_by_directory.values():
        _join_system_accounts(group, inventory)
    return inventory


def _read_and_parse(tree: FirmwareTree, place: AccountFile, inventory: Inventory) -> ParsedFile | None:
    try:
        content = tree.read_bytes(place.file.path, limit=MAX_ACCOUNT_FILE_BYTES + 1)
    except (OSError, ValueError) as error:
        inventory.notes.append(ReadingNote(place, f"could not be read ({error}): skipped"))
        return None
    if len(content) > MAX_ACCOUNT_FILE_BYTES:
        content = content[:MAX_ACCOUNT_FILE_BYTES].rpartition(b"\n")[0]
        inventory.notes.append(
            ReadingNote(place, f"larger than {MAX_ACCOUNT_FILE_BYTES // 1024} KiB: only the beginning was parsed")
        )
    return place.kind.parse(content)


def _note_problems(place: AccountFile, parsed: ParsedFile, inventory: Inventory) -> None:
    inventory.notes.extend(ReadingNote(place, note) for note in parsed.notes)
    skipped = sorted(parsed.malformed_lines)
    if skipped:
        plural = "s" if len(skipped) > 1 else ""
        detail = f"{len(skipped)} malformed or non-text line{plural} skipped (first: line {skipped[0]})"
        inventory.notes.append(ReadingNote(place, detail, skipped[0]))


def _join_system_accounts(group: dict[str, tuple[AccountFile, ParsedFile]], inventory: Inventory) -> None:
    """passwd with shadow, passwd- with shadow-: the shell and uid of a shadow entry come from passwd."""
    for passwd_name, shadow_name in (("passwd", "shadow"), ("passwd-", "shadow-")):
        passwd = group.get(passwd_name)
        shadow = group.get(shadow_name)
        accounts: dict[str, PasswdAccount] = {}
        if passwd is not None:
            place, parsed = passwd
            accounts = {account.user: account for account in parsed.accounts}
            inventory.accounts.extend(PlacedAccount(account, place) for account in parsed.accounts)
            inventory.entries.extend(PlacedEntry(entry, place) for entry in parsed.entries)
        if shadow is not None:
            place, parsed = shadow
            for entry in parsed.entries:
                account = accounts.get(entry.user)
                if account is not None:
                    entry = replace(entry, uid=account.uid, shell=account.shell, login=is_login_shell(account.shell))
                inventory.entries.append(PlacedEntry(entry, place))

"""What the parsers give: one credential entry per line that names a user and a password field, and
the problems met on the way (malformed lines, binary junk, a file cut at the read cap)."""

from dataclasses import dataclass, field

from iotbaseline.checks.accounts.schemes import FieldReading

MAX_LINE = 4096
"""Longer lines are not credential lines: skipped as malformed."""


@dataclass(frozen=True)
class CredentialEntry:
    user: str
    secret: str
    """The password field as written (a hash, a marker, empty, or the password in clear)."""
    reading: FieldReading
    line: int
    source: str
    """What kind of file it came from: shadow, passwd, htpasswd, smbpasswd, nvram, ..."""
    uid: int | None = None
    shell: str | None = None
    login: bool = True
    """The account can log in with a password (a login shell, a web or broker user)."""


@dataclass(frozen=True)
class PasswdAccount:
    """A /etc/passwd line: who the account is, whatever its password field says."""

    user: str
    uid: int
    shell: str
    line: int


@dataclass
class ParsedFile:
    entries: list[CredentialEntry] = field(default_factory=list)
    accounts: list[PasswdAccount] = field(default_factory=list)
    malformed_lines: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skip(self, line: int) -> None:
        self.malformed_lines.append(line)


def text_lines(content: bytes, parsed: ParsedFile) -> list[tuple[int, str]]:
    """Numbered lines that decode as UTF-8 and hold no control characters; the others are noted."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(content.splitlines(), start=1):
        if len(raw) > MAX_LINE or b"\x00" in raw:
            parsed.skip(number)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            parsed.skip(number)
            continue
        text = text.rstrip("\r")
        if any(ord(c) < 0x20 and c != "\t" for c in text):
            parsed.skip(number)
            continue
        lines.append((number, text))
    return lines

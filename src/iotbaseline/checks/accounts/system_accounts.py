"""/etc/passwd and /etc/shadow in their embedded forms: BusyBox and OpenWrt files, hashes kept in
passwd itself (no shadow), the `passwd-`/`shadow-` backups. Parsed line by line: a malformed line
is skipped and counted, never fatal."""

from iotbaseline.checks.accounts.entries import CredentialEntry, ParsedFile, PasswdAccount, text_lines
from iotbaseline.checks.accounts.schemes import read_field

NO_LOGIN_SHELLS = frozenset(
    {
        "/bin/false",
        "/usr/bin/false",
        "/sbin/nologin",
        "/usr/sbin/nologin",
        "/bin/nologin",
        "/usr/bin/nologin",
        "/bin/sync",
        "/sbin/shutdown",
        "/sbin/halt",
        "/dev/null",
    }
)
DEFAULT_SHELL = "/bin/sh"
"""What login (and BusyBox's) runs when the shell field is empty."""


def parse_passwd(content: bytes) -> ParsedFile:
    parsed = ParsedFile()
    for number, text in text_lines(content, parsed):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        fields = text.split(":")
        if len(fields) != 7 or not fields[0] or not fields[2].isdigit():
            parsed.skip(number)
            continue
        user, secret, uid, shell = fields[0], fields[1], int(fields[2]), fields[6].strip() or DEFAULT_SHELL
        parsed.accounts.append(PasswdAccount(user, uid, shell, number))
        if secret == "x":  # noqa: S105 (the shadow marker)
            continue  # the hash is in shadow
        parsed.entries.append(
            CredentialEntry(user, secret, read_field(secret), number, "passwd", uid, shell, is_login_shell(shell))
        )
    return parsed


def parse_shadow(content: bytes) -> ParsedFile:
    parsed = ParsedFile()
    for number, text in text_lines(content, parsed):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        fields = text.split(":")
        if not 2 <= len(fields) <= 9 or not fields[0]:
            parsed.skip(number)
            continue
        parsed.entries.append(CredentialEntry(fields[0], fields[1], read_field(fields[1]), number, "shadow"))
    return parsed


def is_login_shell(shell: str) -> bool:
    return shell not in NO_LOGIN_SHELLS and not shell.endswith(("/false", "/nologin"))

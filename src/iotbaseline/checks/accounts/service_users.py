"""User files of the services embedded devices run: htpasswd (lighttpd, boa, Apache), mosquitto
password files, lighttpd's plain user file, BusyBox/uhttpd `httpd.conf`, Samba's smbpasswd."""

from iotbaseline.checks.accounts.entries import CredentialEntry, ParsedFile, text_lines
from iotbaseline.checks.accounts.schemes import FieldReading, FieldState, read_field

_SYSTEM_PASSWORD_REFERENCE = "$p$"  # noqa: S105 (a marker, not a password)
"""uhttpd and rpcd: `$p$root` means "root's password from /etc/shadow", not a password."""
_SAMBA_NO_PASSWORD = "NO PASSWORD"  # noqa: S105 (a marker, not a password)


def parse_user_file(content: bytes, source: str, *, clear_text_allowed: bool) -> ParsedFile:
    """`user:field` lines (htpasswd, mosquitto, boa, lighttpd plain, web UI user lists)."""
    parsed = ParsedFile()
    for number, text in text_lines(content, parsed):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        user, colon, secret = text.partition(":")
        if not colon or not user or " " in user or ":" in secret:
            parsed.skip(number)
            continue
        if secret.startswith(_SYSTEM_PASSWORD_REFERENCE):
            continue
        reading = read_field(secret, clear_text_allowed=clear_text_allowed)
        if reading.state is FieldState.UNKNOWN:
            parsed.skip(number)
            continue
        parsed.entries.append(CredentialEntry(user, secret, reading, number, source))
    return parsed


def parse_httpd_conf(content: bytes) -> ParsedFile:
    """BusyBox httpd / uhttpd: `/protected/path:user:password` lines (password in clear or md5crypt)."""
    parsed = ParsedFile()
    for number, text in text_lines(content, parsed):
        if not text.startswith("/"):
            continue  # A:, D:, H:, .ext: and comments are not credentials
        fields = text.split(":")
        if len(fields) != 3 or not fields[1]:
            continue
        secret = fields[2]
        if secret.startswith(_SYSTEM_PASSWORD_REFERENCE):
            continue
        reading = read_field(secret, clear_text_allowed=True, unmarked_allowed=False)
        parsed.entries.append(CredentialEntry(fields[1], secret, reading, number, "httpd.conf"))
    return parsed


def parse_smbpasswd(content: bytes) -> ParsedFile:
    """`user:uid:LM:NT:[flags]:LCT-...:`; flags D (disabled), N (no password needed)."""
    parsed = ParsedFile()
    for number, text in text_lines(content, parsed):
        if not text.strip() or text.startswith("#"):
            continue
        fields = text.split(":")
        if len(fields) < 6 or not fields[1].isdigit():
            parsed.skip(number)
            continue
        user, nt_hash, flags = fields[0], fields[3], fields[4]
        if "D" in flags:
            reading = FieldReading(FieldState.LOCKED)
        elif "N" in flags or nt_hash.startswith(_SAMBA_NO_PASSWORD):
            reading = FieldReading(FieldState.EMPTY)
        elif nt_hash.startswith("X"):
            reading = FieldReading(FieldState.LOCKED)
        else:
            reading = read_field(nt_hash, nthash_allowed=True, unmarked_allowed=False)
        if reading.state is FieldState.UNKNOWN:
            parsed.skip(number)
            continue
        secret = "" if reading.state is FieldState.EMPTY else nt_hash
        parsed.entries.append(CredentialEntry(user, secret, reading, number, "smbpasswd", uid=int(fields[1])))
    return parsed

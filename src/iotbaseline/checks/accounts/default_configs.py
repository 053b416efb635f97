"""Passwords in factory-default configuration: NVRAM defaults (`key=value`), INI files, OpenWrt UCI
(`option password '...'`), GoAhead's umconfig, `defaultvalue.xml`, JSON. A value in clear is the
password itself; a crypt(3) value is a hash. Wi-Fi keys are left to the secrets checks."""

import json
import re
from collections.abc import Iterator

from iotbaseline.checks.accounts.entries import CredentialEntry, ParsedFile, text_lines
from iotbaseline.checks.accounts.schemes import FieldState, read_field

_PASSWORD_WORDS = ("password", "passwd", "passphrase", "pass", "pwd")
_USER_KEY = re.compile(r"(?:^|[_.\-])(?:user|username|user_name|login|usr|name)$", re.IGNORECASE)
_NOT_ACCOUNTS = ("wifi", "wlan", "wpa", "wl0", "wl1", "ssid", "psk", "wep", "ppp", "pppoe", "smtp", "ftp_proxy")
_NOT_PASSWORDS = frozenset({"0", "1", "yes", "no", "true", "false", "on", "off", "none", "null", "enable", "disable"})
_KEY_VALUE = re.compile(r"^\s*([A-Za-z_][\w.\-]*)\s*=\s*(.*?)\s*$")
_UCI_OPTION = re.compile(r"^\s*option\s+(\S+)\s+(.*?)\s*$")
_XML_ELEMENT = re.compile(r"<([A-Za-z_][\w.\-]*)(?:\s[^>]*)?>([^<]*)</\1\s*>")
_XML_ATTRIBUTE = re.compile(r"([A-Za-z_][\w.\-]*)\s*=\s*\"([^\"]*)\"")


def is_password_key(key: str) -> bool:
    lowered = key.lower()
    if any(word in lowered for word in _NOT_ACCOUNTS):
        return False
    for word in _PASSWORD_WORDS:
        if lowered.endswith(word):
            before = key[: len(key) - len(word)]
            return not before or not before[-1].isalnum() or key[len(before)].isupper()
    return False


def parse_key_values(content: bytes, source: str) -> ParsedFile:
    """`key=value` (NVRAM, INI, GoAhead) and UCI `option key 'value'` lines."""
    parsed = ParsedFile()
    user: str | None = None
    for number, text in text_lines(content, parsed):
        stripped = text.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if stripped.startswith(("[", "config ")):
            user = None  # a new INI section or UCI block
            continue
        match = _UCI_OPTION.match(text) or _KEY_VALUE.match(text)
        if match is None:
            continue
        key, value = match.group(1), _unquote(match.group(2))
        if _USER_KEY.search(key):
            user = value
        elif is_password_key(key):
            _add(parsed, user or key, value, number, source)
    return parsed


def parse_xml(content: bytes, source: str) -> ParsedFile:
    parsed = ParsedFile()
    user: str | None = None
    for number, text in text_lines(content, parsed):
        for key, value in [*_XML_ELEMENT.findall(text), *_XML_ATTRIBUTE.findall(text)]:
            if _USER_KEY.search(key):
                user = value
            elif is_password_key(key):
                _add(parsed, user or key, _unescape(value), number, source)
    return parsed


def parse_json(content: bytes, source: str) -> ParsedFile:
    parsed = ParsedFile()
    lines = text_lines(content, parsed)
    if parsed.malformed_lines:
        parsed.notes.append("not UTF-8 text: skipped")
        return parsed
    try:
        document = json.loads("\n".join(text for _, text in lines))
    except (ValueError, RecursionError):
        parsed.notes.append("not valid JSON: skipped")
        return parsed
    for user, key, value in _json_passwords(document, depth=0):
        needle = json.dumps(key)
        line = next((n for n, text in lines if needle in text and json.dumps(value)[1:-1] in text), 0)
        _add(parsed, user or key, value, line, source)
    return parsed


def _json_passwords(node: object, depth: int) -> Iterator[tuple[str | None, str, str]]:
    if depth > 64:
        return
    if isinstance(node, dict):
        user = next((v for k, v in node.items() if isinstance(v, str) and _USER_KEY.search(str(k))), None)
        for key, value in node.items():
            if isinstance(value, str) and is_password_key(str(key)):
                yield user, str(key), value
            else:
                yield from _json_passwords(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _json_passwords(item, depth + 1)


def _add(parsed: ParsedFile, user: str, value: str, line: int, source: str) -> None:
    if not value or value.lower() in _NOT_PASSWORDS or value.startswith(("/", "$p$", "${", "$(")):
        return
    reading = read_field(value, clear_text_allowed=True, unmarked_allowed=False)
    if reading.state is FieldState.LOCKED:
        return
    parsed.entries.append(CredentialEntry(user, value, reading, line, source))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _unescape(value: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        value = value.replace(entity, char)
    return value

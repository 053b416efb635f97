"""What a literal is: a password-ish name, a placeholder, a real value; and how it is shown masked."""

import re

from iotbaseline.checks.hardcoded.patterns import CredentialPatterns

_WORD_BOUNDARY = re.compile(r"[_.\-\s\[\]'\"$:/{}]+|(?<=[a-z0-9])(?=[A-Z])")


def name_words(identifier: str) -> list[str]:
    """`http_passwd` -> [http, passwd]; `adminPassword` -> [admin, password]."""
    return [w.lower() for w in _WORD_BOUNDARY.split(identifier) if w]


def is_password_name(identifier: str, patterns: CredentialPatterns) -> bool:
    words = name_words(identifier)
    return bool(words) and words[-1] in patterns.password_words


def is_user_name(identifier: str, patterns: CredentialPatterns) -> bool:
    words = name_words(identifier)
    return bool(words) and words[-1] in patterns.user_words


def is_literal(value: str, patterns: CredentialPatterns) -> bool:
    """A value a device would really use: not empty, not a variable or template, not too long."""
    stripped = value.strip()
    if not patterns.min_literal_length <= len(stripped) <= patterns.max_literal_length:
        return False
    if any(ch in stripped for ch in "\n\r\x00"):
        return False
    return patterns.placeholder.fullmatch(stripped) is None and "$(" not in stripped and "${" not in stripped


def is_prose(value: str, patterns: CredentialPatterns) -> bool:
    """A label or prompt, not a password: `A challenge password`, `Enter the admin password`."""
    words = value.split()
    if len(words) < 2:
        return False
    if any(w.lower().strip(".:") in patterns.password_words for w in words):
        return True
    return len(words) >= 3 and all(w.isalpha() for w in words)

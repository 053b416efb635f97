"""A hard-coded credential as a rule saw it, before it becomes a Finding."""

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    COMPARISON = "comparison"
    """Input compared with a literal password: the device's own login check."""
    COMMAND_LINE = "command-line"
    """A literal passed as a password option to a program."""
    PASSWORD_PIPE = "password-pipe"  # noqa: S105 (a rule name)
    """echo user:password | chpasswd: the same password set on every unit."""
    URL_CREDENTIALS = "url-credentials"
    """http://user:password@host."""
    ASSIGNMENT = "assignment"
    """A password-named variable or config key set to a literal."""
    USER_FILE = "user-file"
    """A user:password line in clear in a users file."""
    BINARY_STRING = "binary-string"
    """A known default password among a binary's strings, next to login logic."""


@dataclass(frozen=True)
class CredentialHit:
    rule: Rule
    line: int
    literal: str
    """The password (for an unauthenticated shell: the command)."""
    login: bool
    """A credential for logging in to the device itself, the same on every unit (5.1-1, PSTI)."""
    user: str = ""
    name: str = ""
    """The variable, key, option or tool the literal belongs to."""

"""Accounts and their passwords: account files parsed in all their embedded forms, hash schemes
judged, stored hashes cracked against known defaults (EN 303 645 5.1-1, 5.1-3; PSTI paragraph 1)."""

from iotbaseline.checks.accounts.default_password import DefaultPasswordCheck
from iotbaseline.checks.accounts.hash_scheme import PasswordHashSchemeCheck

__all__ = ["DefaultPasswordCheck", "PasswordHashSchemeCheck"]

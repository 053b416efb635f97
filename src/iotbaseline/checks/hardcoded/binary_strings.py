"""Credentials among the printable strings of an ELF binary, with corroboration.

A string in a binary is only a credential when the code around it says so, and that cannot be seen
without disassembly. So a candidate needs two kinds of evidence close by (within `window` bytes):
it is a known default or botnet password (exactly, as a whole string), and login logic (a
`password`/`login` string) is near it; a known user name near it as well makes it a low-confidence
fail, otherwise it is information. Commands a binary runs that set a password (`echo root:x |
chpasswd`) are found by the command rules.

The work is bounded: at most `max_bytes` of each binary, one regular-expression pass (C speed) for
all candidates at once, and neighbouring strings are read only around the few hits.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from iotbaseline.checks.hardcoded.commands import CommandMatcher
from iotbaseline.checks.hardcoded.hits import CredentialHit
from iotbaseline.checks.hardcoded.patterns import CredentialPatterns

_STRING = re.compile(rb"[\x20-\x7e]{3,256}")
_STRING_TAIL = re.compile(rb"[\x20-\x7e]*\Z")
_STRING_HEAD = re.compile(rb"[\x20-\x7e]{0,256}")
MAX_NEIGHBOURS = 8


@dataclass(frozen=True)
class BinaryCandidate:
    offset: int
    literal: str
    user: str
    """A known user name among the neighbours ('' if none)."""
    keywords: tuple[str, ...]
    neighbours: tuple[str, ...]
    """The printable strings around the candidate, nearest first (never the candidate itself)."""

    @property
    def corroborated(self) -> bool:
        return bool(self.user and self.keywords)


@dataclass(frozen=True)
class CommandInBinary:
    offset: int
    text: str
    hit: CredentialHit


class BinaryStringScanner:
    def __init__(self, patterns: CredentialPatterns) -> None:
        self.patterns = patterns.binary
        alternatives = b"|".join(re.escape(p.encode()) for p in sorted(self.patterns.default_passwords, key=len)[::-1])
        self._defaults = re.compile(alternatives)
        self._keywords = tuple(k.lower() for k in self.patterns.keywords)
        self._commands = CommandMatcher(patterns)
        names = sorted(patterns.password_pipes)
        self._command_names = re.compile(b"|".join(re.escape(n.encode()) for n in names))

    def candidates(self, data: bytes) -> Iterator[BinaryCandidate]:
        data = data[: self.patterns.max_bytes]
        for match in self._defaults.finditer(data):
            if not _whole_string(data, match.start(), match.end()):
                continue
            neighbours = self._neighbours(data, match.start(), match.end())
            lowered = [n.lower() for n in neighbours]
            keywords = tuple(k for k in self._keywords if any(k in n for n in lowered))
            if not keywords:
                continue
            user = next((n for n in neighbours if n.strip() in self.patterns.usernames), "").strip()
            yield BinaryCandidate(
                match.start(), match.group(0).decode("ascii"), user, keywords, tuple(neighbours[:MAX_NEIGHBOURS])
            )

    def commands(self, data: bytes) -> Iterator[CommandInBinary]:
        data = data[: self.patterns.max_bytes]
        end = 0
        for match in self._command_names.finditer(data):
            if match.start() < end:
                continue  # inside the string already examined
            start = match.start() - _printable_before(data, match.start())
            end = match.end() + _printable_after(data, match.end())
            text = data[start:end].decode("ascii")
            for hit in self._commands.find(text, 0):
                yield CommandInBinary(start, text, hit)

    def _neighbours(self, data: bytes, start: int, end: int) -> list[str]:
        """Printable strings within the window around [start, end), nearest first."""
        window = self.patterns.window
        low, high = max(0, start - window), min(len(data), end + window)
        found = []
        for match in _STRING.finditer(data, low, high):
            if match.start() <= start < match.end() or start <= match.start() < end:
                continue
            distance = start - match.end() if match.end() <= start else match.start() - end
            found.append((distance, match.group(0).decode("ascii")))
        return [text for _, text in sorted(found)]


def _whole_string(data: bytes, start: int, end: int) -> bool:
    """The match is a whole printable string: not printable on either side."""
    return _printable_before(data, start) == 0 and _printable_after(data, end) == 0


def _printable_before(data: bytes, position: int) -> int:
    tail = _STRING_TAIL.search(data, max(0, position - 256), position)
    return len(tail[0]) if tail is not None else 0


def _printable_after(data: bytes, position: int) -> int:
    head = _STRING_HEAD.match(data, position)
    return len(head[0]) if head is not None else 0

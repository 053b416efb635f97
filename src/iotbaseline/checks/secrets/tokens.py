"""Cloud and API tokens, Wi-Fi keys and secret-looking assignments in a file's content.

The content is read as Latin-1, so offsets are byte offsets and binaries are searched as they are.
Rules come from `token_rules` in order of precedence: a match overlapping an earlier one is dropped.
An AWS secret access key within a few lines of an access key id is reported with it, as one credential.
"""

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, replace

from iotbaseline.checks.secrets.token_rules import AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, TOKEN_RULES, TokenRule

AWS_PAIR_LINES = 5
MAX_MATCHES_PER_FILE = 200
_PATH_STARTS = ("/", "./", "../")
_PLACEHOLDER_MARKS = ("$", "<", "{", "@@", "%s", "%d", "xxxx", "XXXX", "****")


@dataclass(frozen=True)
class TokenMatch:
    rule: TokenRule
    literal: str
    line: int
    offset: int
    companion: str | None = None
    """For an AWS access key id: the secret access key found next to it."""

    @property
    def identity(self) -> str:
        """What recognises the same secret in another image, without keeping the secret itself."""
        return hashlib.sha256(f"{self.rule.name}\x1f{self.literal}".encode("latin-1")).hexdigest()


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values()) if value else 0.0


def find_tokens(content: bytes, binary: bool = False) -> list[TokenMatch]:
    text = content.decode("latin-1")
    taken: list[tuple[int, int]] = []
    found: list[TokenMatch] = []
    for rule in TOKEN_RULES:
        if binary and not rule.in_binaries:
            continue
        if rule.file_must_contain and rule.file_must_contain not in text:
            continue
        for pattern in rule.patterns:
            for match in pattern.finditer(text):
                start, end = match.span(rule.value_group)
                literal = match.group(rule.value_group)
                if _overlaps(taken, start, end) or not _acceptable(rule, literal, text, start):
                    continue
                taken.append((start, end))
                found.append(TokenMatch(rule, literal, text.count("\n", 0, start) + 1, start))
                if len(found) >= MAX_MATCHES_PER_FILE:
                    return _pair_aws(found)
    return _pair_aws(found)


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in taken)


def _acceptable(rule: TokenRule, literal: str, text: str, start: int) -> bool:
    if not literal or any(mark in literal for mark in _PLACEHOLDER_MARKS):
        return False
    if rule.min_entropy and literal.startswith(_PATH_STARTS):
        return False
    if rule.min_entropy and shannon_entropy(literal) < rule.min_entropy:
        return False
    if rule.skip_comments:
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].lstrip().startswith(("#", "//", ";", "--")):
            return False
    return True


def _pair_aws(found: list[TokenMatch]) -> list[TokenMatch]:
    """Attach each AWS secret to the nearest access key id within a few lines."""
    ids = [m for m in found if m.rule.name == AWS_ACCESS_KEY_ID]
    secrets = [m for m in found if m.rule.name == AWS_SECRET_ACCESS_KEY]
    if not ids or not secrets:
        return sorted(found, key=lambda m: m.offset)
    paired: dict[int, TokenMatch] = {}
    used: set[int] = set()
    for key_id in ids:
        near = [s for s in secrets if abs(s.line - key_id.line) <= AWS_PAIR_LINES and s.offset not in used]
        if near:
            secret = min(near, key=lambda s: abs(s.line - key_id.line))
            used.add(secret.offset)
            paired[key_id.offset] = replace(key_id, companion=secret.literal)
    result = [paired.get(m.offset, m) for m in found if not (m in secrets and m.offset in used)]
    return sorted(result, key=lambda m: m.offset)

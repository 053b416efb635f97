"""The user name and password pairs tried on one login, most likely first: the firmware check's
dictionary (defaultcreds-cheat-sheet, our weak passwords) and the Mirai list, ordered by the tiers of
`data/live/credentials.yaml` for the kind of login, the defaults of a vendor the device names first."""

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from iotbaseline.checks.accounts.dictionary import DefaultCredential, known_defaults, weak_passwords
from iotbaseline.live.credentials.settings import CredentialSettings, LoginKind, MiraiPair, mirai_pairs

MAX_FIELD = 128
_TAG = re.compile(r"\(([^()]*)\)\s*$")
_WORD = re.compile(r"[a-z0-9][a-z0-9-]*")
_TIER_NAMES = {
    "vendor": "vendor defaults",
    "mirai": "Mirai botnet list",
    "kind": "defaultcreds-cheat-sheet ({kind})",
    "common": "defaultcreds-cheat-sheet (most shared first)",
    "weak": "weak passwords with common user names",
}


@dataclass(frozen=True)
class Pair:
    user: str
    password: str
    source: str
    """The tier it came from: vendor:<product>, mirai, kind, common or weak."""


@dataclass(frozen=True)
class CandidateList:
    pairs: tuple[Pair, ...]
    description: str
    """The lists in the order tried, for the report ("vendor defaults (hikvision), Mirai botnet list...")."""


def vendor_words(hints: Iterable[str]) -> frozenset[str]:
    """Words of what the device says about itself, with and without their hyphens (`D-Link` -> d-link,
    dlink, d, link)."""
    words: set[str] = set()
    for hint in hints:
        for word in _WORD.findall(hint.lower()):
            words.update({word, word.replace("-", ""), *word.split("-")})
    return frozenset(word for word in words if word)


def vendor_of(product: str) -> str:
    """The cheat sheet's product without its tag, as one key: `d-link (web)` -> dlink."""
    name = _TAG.sub("", product).strip().lower()
    first = name.split()[0] if name.split() else ""
    return re.sub(r"[^a-z0-9]", "", first)


def tag_of(product: str) -> str:
    match = _TAG.search(product.lower())
    return match[1].strip() if match else ""


def candidates(
    kind_name: str,
    settings: CredentialSettings,
    hints: Iterable[str] = (),
    defaults: Sequence[DefaultCredential] | None = None,
    mirai: Sequence[MiraiPair] | None = None,
    weak: Sequence[str] | None = None,
) -> CandidateList:
    """Every distinct pair for a login of `kind_name` (telnet, ssh, web, ftp, mqtt), in tier order."""
    kind = settings.kind(kind_name)
    table = tuple(known_defaults() if defaults is None else defaults)
    words = vendor_words(hints)
    vendors = sorted(
        {vendor_of(d.product) for d in table}
        & {word for word in words if len(word) >= 3 and word not in settings.generic_words}
    )
    tiers = {
        "vendor": _vendor_pairs(table, vendors, kind),
        "mirai": [
            Pair(m.user, m.password, "mirai")
            for m in sorted(mirai_pairs() if mirai is None else mirai, key=lambda m: -m.weight)
        ],
        "kind": _ranked(table, lambda d: tag_of(d.product) in kind.tags, "kind") if kind.tags else [],
        "common": _ranked(table, lambda d: True, "common"),
        "weak": _weak_pairs(settings, weak if weak is not None else weak_passwords()),
    }
    seen: set[tuple[str, str]] = set()
    ordered: list[Pair] = []
    used: list[str] = []
    for tier in kind.order:
        added = 0
        for pair in tiers[tier]:
            key = (pair.user, pair.password)
            if key in seen or not _usable(pair, kind) or pair.user.lower() in settings.excluded_users:
                continue
            seen.add(key)
            ordered.append(pair)
            added += 1
        if added:
            name = _TIER_NAMES[tier].format(kind=kind_name)
            used.append(f"{name} ({', '.join(vendors)})" if tier == "vendor" else name)
    return CandidateList(tuple(ordered), ", ".join(used))


def _usable(pair: Pair, kind: LoginKind) -> bool:
    if kind.needs_user and not pair.user:
        return False
    fields = (pair.user.encode("utf-8", "replace"), pair.password.encode("utf-8", "replace"))
    return all(
        len(field) <= MAX_FIELD and b"\x00" not in field and b"\r" not in field and b"\n" not in field
        for field in fields
    )


def _vendor_pairs(table: Sequence[DefaultCredential], vendors: Sequence[str], kind: LoginKind) -> list[Pair]:
    mine = [d for d in table if vendor_of(d.product) in vendors]
    same_kind = [d for d in mine if tag_of(d.product) in kind.tags]
    rest = [d for d in mine if tag_of(d.product) not in kind.tags]
    return [Pair(d.user, d.password, f"vendor:{d.product}") for d in (*same_kind, *rest)]


def _ranked(table: Sequence[DefaultCredential], keep: Callable[[DefaultCredential], bool], source: str) -> list[Pair]:
    """Pairs of the kept products, the one the most products share first (ties: first seen first)."""
    counts = Counter((d.user, d.password) for d in table if keep(d))
    return [Pair(user, password, source) for (user, password), _ in counts.most_common()]


def _weak_pairs(settings: CredentialSettings, weak: Sequence[str]) -> list[Pair]:
    return [
        Pair(user, password, "weak") for password in weak[: settings.weak_passwords] for user in settings.common_users
    ]

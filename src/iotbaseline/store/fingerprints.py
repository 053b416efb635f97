"""The identity of a secret a finding reports (a key's public digest, a token's hash), for the store's
`secret_fingerprint` column: the same fingerprint in two images is the same secret on both.

Which findings carry one, and where, is data: `data/store/secret_fingerprints.yaml`.
"""

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.model import Finding, Outcome
from iotbaseline.store.errors import StoreError

DATA_FILE = "data/store/secret_fingerprints.yaml"
ANY_CHECK = "*"
_HEX = re.compile(r"[0-9a-f]{16,64}")
_KIND = re.compile(r"[a-z][a-z0-9-]{0,14}")
_SOURCE = re.compile(r"evidence\.(?P<key>[A-Za-z0-9_]+)|discriminator")


@dataclass(frozen=True)
class FingerprintRule:
    check: str
    """A check id, or `*` for every check."""
    kind: str
    evidence_key: str | None
    """Where the digest is: this evidence key, or (None) the end of the discriminator."""
    outcomes: frozenset[Outcome]
    """The findings whose secret is in use: a key in a documentation folder is info, not indexed; a password
    hash nobody cracked is info too, and the same hash in two brands is still one password on every unit."""

    def applies_to(self, finding: Finding) -> bool:
        return self.check in (ANY_CHECK, finding.check) and finding.outcome in self.outcomes

    def digest(self, finding: Finding) -> str | None:
        if self.evidence_key is None:
            text: object = finding.discriminator.rpartition(":")[2]
        else:
            text = finding.evidence.get(self.evidence_key)
        if not isinstance(text, str):
            return None
        lowered = text.lower()
        return lowered if _HEX.fullmatch(lowered) else None  # evidence from a hostile image is not trusted blindly


def secret_fingerprint(finding: Finding, rules: Sequence[FingerprintRule] | None = None) -> str | None:
    """`<kind>:<hex>` from the first rule that finds a digest in `finding`; None for findings without one."""
    for rule in rules if rules is not None else fingerprint_rules():
        if rule.applies_to(finding):
            digest = rule.digest(finding)
            if digest is not None:
                return f"{rule.kind}:{digest}"
    return None


def kind_of(fingerprint: str) -> str:
    return fingerprint.partition(":")[0]


@functools.cache
def fingerprint_rules() -> tuple[FingerprintRule, ...]:
    text = files("iotbaseline").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text))


def parse_rules(data: Any) -> tuple[FingerprintRule, ...]:
    entries = data.get("fingerprints") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        raise StoreError(f"{DATA_FILE}: expected a list under `fingerprints`")
    return tuple(_rule(entry, number) for number, entry in enumerate(entries, 1))


def _rule(entry: Any, number: int) -> FingerprintRule:
    where = f"{DATA_FILE}, entry {number}"
    if not isinstance(entry, Mapping) or set(entry) != {"check", "kind", "from", "outcomes"}:
        raise StoreError(f"{where}: expected exactly `check`, `kind`, `from` and `outcomes`")
    check, kind, source = entry["check"], entry["kind"], entry["from"]
    outcomes = entry["outcomes"]
    known = {outcome.value for outcome in Outcome}
    if not isinstance(outcomes, list) or not outcomes or not all(o in known for o in outcomes):
        raise StoreError(f"{where}: `outcomes` must list finding outcomes ({', '.join(sorted(known))})")
    if not isinstance(check, str) or not check:
        raise StoreError(f"{where}: `check` must be a check id or '*'")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise StoreError(f"{where}: `kind` must be a short lower-case word, not {kind!r}")
    parsed = _SOURCE.fullmatch(source) if isinstance(source, str) else None
    if parsed is None:
        raise StoreError(f"{where}: `from` must be `evidence.KEY` or `discriminator`, not {source!r}")
    return FingerprintRule(check, kind, parsed["key"], frozenset(Outcome(o) for o in outcomes))

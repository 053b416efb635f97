"""The TLS judgement data (`data/live/tls.yaml`), loaded once and validated."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.checks.finding_kinds import FindingKind, parse_finding_kinds
from iotbaseline.live.data import LiveDataError, load_yaml


@dataclass(frozen=True)
class TlsRules:
    weak_protocols: tuple[str, ...]
    weak_ciphers: tuple[tuple[str, re.Pattern[str]], ...]
    """(what is wrong, the suite-name pattern)."""
    minimum_key_bits: Mapping[str, int]
    weak_signature_hashes: frozenset[str]
    findings: Mapping[str, FindingKind]

    def cipher_weakness(self, suite: str) -> str | None:
        return next((what for what, pattern in self.weak_ciphers if pattern.search(suite)), None)


@functools.cache
def default_tls_rules() -> TlsRules:
    try:
        return parse_tls_rules(load_yaml("tls.yaml"))
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise LiveDataError(f"data/live/tls.yaml: {type(error).__name__}: {error}") from error


def parse_tls_rules(data: Mapping[str, Any]) -> TlsRules:
    return TlsRules(
        weak_protocols=tuple(str(name) for name in data["weak_protocols"]),
        weak_ciphers=tuple((str(what), re.compile(str(pattern))) for what, pattern in data["weak_ciphers"].items()),
        minimum_key_bits={str(kind): int(bits) for kind, bits in data["minimum_key_bits"].items()},
        weak_signature_hashes=frozenset(str(name).lower() for name in data["weak_signature_hashes"]),
        findings=parse_finding_kinds(data["findings"]),
    )

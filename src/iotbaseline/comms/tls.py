"""Which TLS versions and cipher suites a setting allows, against the weak lists of the rules."""

import re

from iotbaseline.comms.rules import CommsRules, normal_protocol

_CIPHER_SEPARATORS = re.compile(r"[:,\s]+")
_ALL = frozenset({"all", "+all"})


def weak_protocols(values: list[str], rules: CommsRules) -> tuple[str, ...]:
    """The weak versions among those a list enables (`TLSv1 TLSv1.1 TLSv1.2`; `ALL,-SSLv3` style too)."""
    enabled = [v for v in values if v and not v.startswith(("-", "!"))]
    disabled = {normal_protocol(v[1:]) for v in values if v.startswith(("-", "!"))}
    weak = [v for v in enabled if normal_protocol(v) in rules.weak_protocols]
    if any(v.lower() in _ALL for v in enabled):
        weak += [f"ALL (includes {v})" for v in ("TLSv1", "TLSv1.1") if normal_protocol(v) not in disabled]
    return tuple(weak)


def weak_minimum(value: str, rules: CommsRules) -> tuple[str, ...]:
    """A minimum version setting allows everything above it: weak when the minimum itself is."""
    return (value,) if normal_protocol(value) in rules.weak_protocols else ()


def weak_ciphers(cipher_string: str, rules: CommsRules) -> tuple[str, ...]:
    """Items of an OpenSSL cipher string that add broken or unauthenticated suites."""
    weak = []
    for item in _CIPHER_SEPARATORS.split(cipher_string.strip().strip("\"'")):
        if not item or item[0] in "!-+@":
            continue
        parts = set(item.split("-"))
        if item in rules.weak_ciphers or parts & rules.weak_ciphers or "DES-CBC3" in item:
            weak.append(item)
    return tuple(weak)

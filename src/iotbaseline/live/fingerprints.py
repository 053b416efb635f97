"""Naming what answers on a port from what it said (`data/live/fingerprints.yaml`): the protocol
from its first bytes, the product and version from the fields a protocol reader extracted."""

import functools
import re
from dataclasses import dataclass

from iotbaseline.live.data import LiveDataError, load_yaml
from iotbaseline.live.text import field as clean_field
from iotbaseline.live.text import latin1

FIELDS = frozenset({"ssh", "server", "banner", "negotiation", "adb"})


@dataclass(frozen=True)
class ProtocolRule:
    protocol: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class ProductRule:
    field: str
    pattern: re.Pattern[str]
    product: str


@dataclass(frozen=True)
class Product:
    name: str
    version: str | None
    field: str
    """Where it was read: ssh, server, banner, negotiation or adb."""
    matched: str
    """The text it was read from (sanitised)."""


@dataclass(frozen=True)
class Fingerprints:
    protocols: tuple[ProtocolRule, ...]
    products: tuple[ProductRule, ...]

    def protocol_of(self, head: bytes) -> str | None:
        """The protocol whose opening the first bytes a service sent match, if any."""
        text = latin1(head[:512])
        for rule in self.protocols:
            if rule.pattern.search(text):
                return rule.protocol
        return None

    def product_of(self, field: str, value: str) -> Product | None:
        for rule in self.products:
            if rule.field != field:
                continue
            match = rule.pattern.search(value)
            if match is None:
                continue
            groups = {key: clean_field(text) for key, text in match.groupdict().items() if text}
            name = rule.product.format_map(_Missing(groups)).strip().lower()
            return Product(name, groups.get("version"), field, clean_field(value))
        return None


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


@functools.cache
def default_fingerprints() -> Fingerprints:
    data = load_yaml("fingerprints.yaml")
    try:
        protocols = tuple(ProtocolRule(str(e["protocol"]), re.compile(e["pattern"], re.S)) for e in data["protocols"])
        products = tuple(_product_rule(entry) for entry in data["products"])
    except (KeyError, TypeError, re.error, ValueError) as error:
        raise LiveDataError(f"data/live/fingerprints.yaml: {type(error).__name__}: {error}") from error
    return Fingerprints(protocols, products)


def _product_rule(entry: dict[str, str]) -> ProductRule:
    if entry["field"] not in FIELDS:
        raise ValueError(f"unknown field {entry['field']!r} (one of {', '.join(sorted(FIELDS))})")
    return ProductRule(str(entry["field"]), re.compile(entry["pattern"], re.S), str(entry["product"]))

"""Which CPE vendor:product keys a component is known under (data in `data/vulndb/aliases.yaml`)."""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.vulndb.errors import VulnDbError

ProductKey = tuple[str, str]  # (vendor, product) as NVD writes them


def normalise_name(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def _key(text: str, where: str) -> ProductKey:
    vendor, sep, product = text.strip().lower().partition(":")
    if not sep or not vendor or not product or ":" in product:
        raise VulnDbError(f"{where}: {text!r} is not vendor:product")
    return vendor, product


@dataclass(frozen=True)
class ProductAliases:
    """Groups of names and vendor:product keys that denote the same product."""

    groups: tuple[tuple[frozenset[str], frozenset[ProductKey]], ...]

    @classmethod
    def from_data(cls, data: Mapping[str, Any], where: str) -> "ProductAliases":
        entries: Sequence[Mapping[str, Any]] = data.get("products") or ()
        groups = []
        for index, entry in enumerate(entries):
            place = f"{where}: products[{index}]"
            names = frozenset(normalise_name(str(n)) for n in entry.get("names") or ())
            keys = frozenset(_key(str(k), place) for k in entry.get("cpe") or ())
            if not keys:
                raise VulnDbError(f"{place}: no 'cpe' keys")
            groups.append((names, keys))
        return cls(tuple(groups))

    def keys_for(self, name: str, cpe_key: ProductKey | None) -> frozenset[ProductKey]:
        """The component's own CPE key plus every key of a group that shares its name or key."""
        wanted = normalise_name(name)
        keys: set[ProductKey] = {cpe_key} if cpe_key else set()
        for names, group_keys in self.groups:
            if wanted in names or (cpe_key is not None and cpe_key in group_keys):
                keys |= group_keys
        return frozenset(keys)


@functools.cache
def bundled_aliases() -> ProductAliases:
    resource = files("iotbaseline") / "data" / "vulndb" / "aliases.yaml"
    return ProductAliases.from_data(yaml.safe_load(resource.read_text(encoding="utf-8")), "aliases.yaml")

"""The product facts the store indexes, read from the loose mapping a batch list, a profile or the image gives.

Recognised keys (the first present wins):
- vendor: `vendor`, `manufacturer` (a name, or a mapping with `name`, as in a product profile), `brand`;
- model: `model`, `model_designation`, `product`;
- firmware version: `firmware_version`, `version`;
- year of the firmware: `year`, or the year of `release_date`, `released`, `build_date` (ISO 8601 dates).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from iotbaseline.model import JSONValue

VENDOR_KEYS = ("vendor", "manufacturer", "brand")
MODEL_KEYS = ("model", "model_designation", "product")
VERSION_KEYS = ("firmware_version", "version")
YEAR_KEYS = ("year", "release_date", "released", "build_date")
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100  # outside this, a "year" is a typo or a fake clock
_LEADING_YEAR = re.compile(r"\s*(\d{4})(?:\D|$)")
UNKNOWN = ""


@dataclass(frozen=True)
class ProductFacts:
    vendor: str
    """"" when not known."""
    model: str
    firmware_version: str | None = None
    release_year: int | None = None

    @property
    def known(self) -> bool:
        return bool(self.vendor or self.model)


def product_facts(product: Mapping[str, JSONValue]) -> ProductFacts:
    return ProductFacts(
        vendor=_first_text(product, VENDOR_KEYS) or UNKNOWN,
        model=_first_text(product, MODEL_KEYS) or UNKNOWN,
        firmware_version=_first_text(product, VERSION_KEYS),
        release_year=_year(product),
    )


def _first_text(product: Mapping[str, JSONValue], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = product.get(key)
        if isinstance(value, Mapping):  # a profile's manufacturer: {name, address}
            value = value.get("name")
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return None


def _year(product: Mapping[str, JSONValue]) -> int | None:
    for key in YEAR_KEYS:
        value = product.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            year: int | None = value
        elif isinstance(value, str) and (found := _LEADING_YEAR.match(value)):
            year = int(found[1])
        else:
            continue
        if year is not None and EARLIEST_YEAR <= year <= LATEST_YEAR:
            return year
    return None

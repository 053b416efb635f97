"""CPE 2.3 formatted strings: the fields we match on, with the binding's escapes undone."""

import re
from dataclasses import dataclass

from iotbaseline.vulndb.errors import VulnDbError

ANY = "*"
NOT_APPLICABLE = "-"
_UNESCAPED_COLON = re.compile(r"(?<!\\):")
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class CpeName:
    """The fields of `cpe:2.3:part:vendor:product:version:update:...` that matching uses."""

    part: str
    vendor: str
    product: str
    version: str
    update: str
    target_sw: str
    target_hw: str

    @property
    def key(self) -> str:
        """`vendor:product`, the identity of a product in NVD."""
        return f"{self.vendor}:{self.product}"


def _unescape(value: str) -> str:
    return _ESCAPE.sub(r"\1", value).lower()


def parse_cpe(text: str) -> CpeName:
    """Reads a CPE 2.3 formatted string; a malformed one is a `VulnDbError`."""
    fields = _UNESCAPED_COLON.split(text.strip())
    if len(fields) != 13 or fields[0].lower() != "cpe" or fields[1] != "2.3":
        raise VulnDbError(f"not a CPE 2.3 formatted string: {text!r}")
    values = [_unescape(f) for f in fields[2:]]
    return CpeName(
        part=values[0],
        vendor=values[1],
        product=values[2],
        version=values[3],
        update=values[4],
        target_sw=values[8],
        target_hw=values[9],
    )

"""What a catalogue holds besides `Provision`: the standard itself, compliance routes, schedule items."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from iotbaseline.errors import IotBaselineError
from iotbaseline.model import Provision


class CatalogueError(IotBaselineError):
    """A catalogue file is malformed or inconsistent, or a lookup names something the catalogue lacks."""


@dataclass(frozen=True)
class ComplianceRoute:
    """One way to be deemed compliant: met when every provision in `all_of` is met.

    A requirement lists several routes; any one of them suffices.
    """

    all_of: tuple[str, ...]
    """Qualified provision ids, e.g. EN303645:5.1-1."""
    confirmed: bool = True
    note: str = ""


@dataclass(frozen=True)
class ScheduleItem:
    """An entry of a list a regulation keeps beside its requirements (excepted products, statement contents)."""

    id: str
    description: str
    confirmed: bool = True
    note: str = ""


@dataclass(frozen=True)
class Standard:
    """One catalogue file: a standard or regulation with its provisions and its tables."""

    key: str
    """Catalogue key, e.g. EN303645; the prefix of qualified ids."""
    title: str
    version: str
    provisions: tuple[Provision, ...]
    source: str = ""
    note: str = ""
    clauses: Mapping[str, str] = field(default_factory=dict)
    """Clause -> its heading in our words."""
    conditions: Mapping[str, str] = field(default_factory=dict)
    """Numbered condition code -> meaning (EN 303 645 Table B.1 style)."""
    features: Mapping[str, str] = field(default_factory=dict)
    """Feature letter -> meaning (EN 303 645 V3 `F (x)` codes)."""
    excepted_products: tuple[ScheduleItem, ...] = ()
    statement_of_compliance: tuple[ScheduleItem, ...] = ()

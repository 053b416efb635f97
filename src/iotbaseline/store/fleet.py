"""Figures for a fleet report: the share of images failing each requirement of a standard (PSTI by default),
overall, by vendor and by year.

The year is the firmware's, as the product facts give it (`year`, `release_date`...): the trend across
releases is what a market-surveillance report follows, and the date of our scan says nothing about the
product. Images without one are counted under "unknown"; `YearOf.SCAN` groups by the scan's year instead.
Each image counts once, by its latest finished scan.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, func, select

from iotbaseline.model import VerdictValue
from iotbaseline.store.queries import run, with_image
from iotbaseline.store.schema import ImageRow, ProductRow, ScanRow, VerdictRow

UNKNOWN = "unknown"
OVERALL = "all images"


class YearOf(StrEnum):
    FIRMWARE = "firmware"
    SCAN = "scan"


@dataclass(frozen=True)
class RequirementFigures:
    provision: str
    judged: int
    """Images with a verdict on it."""
    failing: int
    passing: int
    inconclusive: int
    not_applicable: int

    @property
    def share_failing(self) -> float:
        return self.failing / self.judged if self.judged else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "provision": self.provision,
            "images": self.judged,
            "failing": self.failing,
            "passing": self.passing,
            "inconclusive": self.inconclusive,
            "not_applicable": self.not_applicable,
            "share_failing": round(self.share_failing, 4),
        }


@dataclass(frozen=True)
class GroupFigures:
    group: str
    images: int
    failing_any: int
    """Images failing at least one requirement."""
    requirements: tuple[RequirementFigures, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "images": self.images,
            "failing_any": self.failing_any,
            "share_failing_any": round(self.failing_any / self.images, 4) if self.images else 0.0,
            "requirements": [r.to_dict() for r in self.requirements],
        }


@dataclass(frozen=True)
class FleetSummary:
    standard: str
    year_of: YearOf
    overall: GroupFigures
    by_vendor: tuple[GroupFigures, ...]
    by_year: tuple[GroupFigures, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "year_of": self.year_of.value,
            "overall": self.overall.to_dict(),
            "by_vendor": [g.to_dict() for g in self.by_vendor],
            "by_year": [g.to_dict() for g in self.by_year],
        }


@dataclass(frozen=True)
class _Judged:
    image: int
    vendor: str
    year: str
    provision: str
    verdict: str


def fleet_summary(engine: Engine, standard: str = "PSTI", year_of: YearOf = YearOf.FIRMWARE) -> FleetSummary:
    year = ImageRow.release_year if year_of is YearOf.FIRMWARE else func.substr(ScanRow.started, 1, 4)
    query = with_image(
        select(ImageRow.id, ProductRow.vendor, year, VerdictRow.provision, VerdictRow.verdict)
        .select_from(VerdictRow)
        .join(ScanRow, VerdictRow.scan_id == ScanRow.id)
        .where(VerdictRow.standard == standard)
    )
    judged = [
        _Judged(image, vendor or UNKNOWN, str(when) if when else UNKNOWN, provision, verdict)
        for image, vendor, when, provision, verdict in run(engine, query)
    ]
    provisions = sorted({j.provision for j in judged}, key=_natural)
    by_vendor: dict[str, list[_Judged]] = defaultdict(list)
    by_year: dict[str, list[_Judged]] = defaultdict(list)
    for item in judged:
        by_vendor[item.vendor].append(item)
        by_year[item.year].append(item)
    return FleetSummary(
        standard=standard,
        year_of=year_of,
        overall=_figures(OVERALL, judged, provisions),
        by_vendor=tuple(_figures(key, by_vendor[key], provisions) for key in sorted(by_vendor, key=_unknown_last)),
        by_year=tuple(_figures(key, by_year[key], provisions) for key in sorted(by_year, key=_unknown_last)),
    )


def _figures(group: str, judged: Iterable[_Judged], provisions: list[str]) -> GroupFigures:
    items = list(judged)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        counts[item.provision][item.verdict] += 1
    failing_images = {item.image for item in items if item.verdict == VerdictValue.FAIL.value}
    return GroupFigures(
        group=group,
        images=len({item.image for item in items}),
        failing_any=len(failing_images),
        requirements=tuple(
            RequirementFigures(
                provision=provision,
                judged=sum(counts[provision].values()),
                failing=counts[provision][VerdictValue.FAIL.value],
                passing=counts[provision][VerdictValue.PASS.value],
                inconclusive=counts[provision][VerdictValue.INCONCLUSIVE.value],
                not_applicable=counts[provision][VerdictValue.NOT_APPLICABLE.value],
            )
            for provision in provisions
        ),
    )


def _natural(text: str) -> list[tuple[int, int | str]]:
    """`5.1-2` before `5.1-10`."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|\D+", text)]


def _unknown_last(key: str) -> tuple[bool, str]:
    return key == UNKNOWN, key.casefold()

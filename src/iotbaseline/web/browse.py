"""The store as the dashboard lists it: products with their images and scans, scans with their PSTI verdicts.

Read-only queries over `store.engine`, as `store/queries.py` asks its questions across images.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import Engine, Executable, Select, case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from iotbaseline.store.errors import StoreError
from iotbaseline.store.interface import ScanStatus
from iotbaseline.store.schema import ImageRow, ProductRow, ScanRow, VerdictRow

PSTI = "PSTI"
UNKNOWN_PRODUCT = 0
"""The product filter for images whose vendor and model are not known."""


@dataclass(frozen=True)
class ProductSummary:
    id: int
    """`UNKNOWN_PRODUCT` for the images of no known product."""
    vendor: str
    model: str
    images: int
    scans: int
    latest_done: int | None
    """The newest finished scan of any of its images."""


@dataclass(frozen=True)
class ScanSummary:
    id: int
    status: ScanStatus
    started: str
    finished: str | None
    image_path: str
    sha256: str
    vendor: str
    model: str
    firmware_version: str | None
    error: str | None
    psti: Mapping[str, str]
    """PSTI requirement ("1", "2", "3") -> verdict, for finished scans."""

    @property
    def image_name(self) -> str:
        return PurePath(self.image_path).name or self.image_path


@dataclass(frozen=True)
class StoreCounts:
    scans: Mapping[ScanStatus, int]
    images: int
    products: int


def store_counts(engine: Engine) -> StoreCounts:
    by_status = dict(_rows(engine, select(ScanRow.status, func.count()).group_by(ScanRow.status)))
    [(images,)] = _rows(engine, select(func.count()).select_from(ImageRow))
    [(products,)] = _rows(engine, select(func.count()).select_from(ProductRow))
    return StoreCounts({status: int(by_status.get(status.value, 0)) for status in ScanStatus}, images, products)


def products(engine: Engine) -> list[ProductSummary]:
    """Known products by vendor and model, then one entry for the images of no known product (if any)."""
    done = func.max(case((ScanRow.status == ScanStatus.DONE.value, ScanRow.id)))
    query = (
        select(
            func.coalesce(ProductRow.id, UNKNOWN_PRODUCT),
            func.coalesce(ProductRow.vendor, ""),
            func.coalesce(ProductRow.model, ""),
            func.count(ImageRow.id.distinct()),
            func.count(ScanRow.id),
            done,
        )
        .select_from(ImageRow)
        .outerjoin(ProductRow, ImageRow.product_id == ProductRow.id)
        .outerjoin(ScanRow, ScanRow.image_id == ImageRow.id)
        .group_by(ProductRow.id, ProductRow.vendor, ProductRow.model)
        .order_by(ProductRow.id.is_(None), func.lower(ProductRow.vendor), func.lower(ProductRow.model))
    )
    return [ProductSummary(*row) for row in _rows(engine, query)]


def product(engine: Engine, product_id: int) -> ProductSummary | None:
    return next((item for item in products(engine) if item.id == product_id), None)


def scans(
    engine: Engine,
    product_id: int | None = None,
    status: ScanStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ScanSummary]:
    """Newest first."""
    query = _filtered(
        select(
            ScanRow.id,
            ScanRow.status,
            ScanRow.started,
            ScanRow.finished,
            ScanRow.image_path,
            ImageRow.sha256,
            ProductRow.vendor,
            ProductRow.model,
            ImageRow.firmware_version,
            ScanRow.error,
        ),
        product_id,
        status,
    )
    rows = _rows(engine, query.order_by(ScanRow.id.desc()).limit(limit).offset(offset))
    verdicts = psti_verdicts(engine, [row[0] for row in rows])
    return [
        ScanSummary(
            id=scan_id,
            status=ScanStatus(state),
            started=started,
            finished=finished,
            image_path=path,
            sha256=sha256,
            vendor=vendor or "",
            model=model or "",
            firmware_version=version,
            error=error,
            psti=verdicts.get(scan_id, {}),
        )
        for scan_id, state, started, finished, path, sha256, vendor, model, version, error in rows
    ]


def count_scans(engine: Engine, product_id: int | None = None, status: ScanStatus | None = None) -> int:
    [(count,)] = _rows(engine, _filtered(select(func.count(ScanRow.id)), product_id, status))
    return int(count)


def _filtered(
    query: Select[*tuple[Any, ...]], product_id: int | None, status: ScanStatus | None
) -> Select[*tuple[Any, ...]]:
    query = query.select_from(ScanRow).join(ImageRow, ScanRow.image_id == ImageRow.id)
    query = query.outerjoin(ProductRow, ImageRow.product_id == ProductRow.id)
    if product_id == UNKNOWN_PRODUCT:
        query = query.where(ImageRow.product_id.is_(None))
    elif product_id is not None:
        query = query.where(ImageRow.product_id == product_id)
    if status is not None:
        query = query.where(ScanRow.status == status.value)
    return query


def psti_verdicts(engine: Engine, scan_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    if not scan_ids:
        return {}
    query = (
        select(VerdictRow.scan_id, VerdictRow.provision, VerdictRow.verdict)
        .where(VerdictRow.scan_id.in_(scan_ids), VerdictRow.standard == PSTI)
        .order_by(VerdictRow.scan_id, VerdictRow.provision)
    )
    found: defaultdict[int, dict[str, str]] = defaultdict(dict)
    for scan_id, provision, verdict in _rows(engine, query):
        found[scan_id][provision.removeprefix(f"{PSTI}:")] = verdict
    return dict(found)


def _rows(engine: Engine, query: Executable) -> list[Any]:
    try:
        with Session(engine) as session:
            return list(session.execute(query))
    except SQLAlchemyError as error:
        raise StoreError(f"cannot query the results database: {error.__cause__ or error}") from None

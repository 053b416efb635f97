"""Questions asked across every stored image: the same secret in many images, which images ship a component
(below a version), which images a CVE affects.

Each image counts once, by its latest finished scan (`status = done`): rescanning an image with a newer
iotbaseline replaces its answers, and a failed or running rescan does not hide the last good one.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, Select, Subquery, func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from iotbaseline.store.errors import StoreError
from iotbaseline.store.fingerprints import kind_of
from iotbaseline.store.interface import ScanStatus
from iotbaseline.store.schema import ComponentRow, FindingRow, ImageRow, ProductRow, ScanRow, VulnerabilityRow
from iotbaseline.vulndb.versions import compare_versions


@dataclass(frozen=True)
class ImageInfo:
    """An image as query results name it: its bytes, where it was first seen, its product as known."""

    scan_id: int
    sha256: str
    path: str
    vendor: str
    """"" when not known (as `model`)."""
    model: str
    firmware_version: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scan": self.scan_id,
            "sha256": self.sha256,
            "path": self.path,
            "vendor": self.vendor,
            "model": self.model,
            "firmware_version": self.firmware_version,
        }


def latest_done_scans() -> Subquery:
    """One row per image: the id of its latest finished scan."""
    return (
        select(func.max(ScanRow.id).label("scan_id"))
        .where(ScanRow.status == ScanStatus.DONE.value)
        .group_by(ScanRow.image_id)
        .subquery("latest")
    )


IMAGE_COLUMNS = (
    ScanRow.id,
    ImageRow.sha256,
    ImageRow.first_path,
    ProductRow.vendor,
    ProductRow.model,
    ImageRow.firmware_version,
)


BY_PRODUCT = (ProductRow.vendor.is_(None), ProductRow.vendor, ProductRow.model, ImageRow.sha256)
"""Results in product order, images of unknown products last (on every database)."""


def with_image(query: Select[Any], latest_only: bool = True) -> Select[Any]:
    """`query` (which joins `ScanRow`) joined to the image and its product, restricted to each image's latest
    finished scan unless `latest_only` is False."""
    if latest_only:
        latest = latest_done_scans()
        query = query.join(latest, ScanRow.id == latest.c.scan_id)
    return query.join(ImageRow, ScanRow.image_id == ImageRow.id).outerjoin(
        ProductRow, ImageRow.product_id == ProductRow.id
    )


def image_info(row: Any) -> ImageInfo:
    """From the first columns of a row selected with `IMAGE_COLUMNS` first."""
    scan_id, sha256, path, vendor, model, version = row[: len(IMAGE_COLUMNS)]
    return ImageInfo(scan_id, sha256, path, vendor or "", model or "", version)


def run(engine: Engine, query: Select[Any]) -> list[Any]:
    try:
        with Session(engine) as session:
            return list(session.execute(query))
    except SQLAlchemyError as error:
        raise StoreError(f"cannot query the results database: {error.__cause__ or error}") from None


# universal secrets


class Across(StrEnum):
    """What a secret must be shared across to be listed: images, products or vendors (known ones)."""

    IMAGES = "images"
    PRODUCTS = "products"
    VENDORS = "vendors"


@dataclass(frozen=True)
class SecretSighting:
    image: ImageInfo
    check: str
    finding_id: str
    title: str
    path: str | None
    line: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.image.to_dict(),
            "check": self.check,
            "finding": self.finding_id,
            "title": self.title,
            "path": self.path,
            "line": self.line,
        }


@dataclass(frozen=True)
class UniversalSecret:
    fingerprint: str
    """`<kind>:<hex digest>`: never the secret itself."""
    sightings: tuple[SecretSighting, ...]

    @property
    def kind(self) -> str:
        return kind_of(self.fingerprint)

    @property
    def images(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.image.sha256 for s in self.sightings))

    @property
    def vendors(self) -> tuple[str, ...]:
        """Known vendors only: an image whose vendor is not known is no evidence of a second brand."""
        return tuple(sorted({s.image.vendor for s in self.sightings if s.image.vendor}))

    @property
    def products(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted({(s.image.vendor, s.image.model) for s in self.sightings if s.image.model}))

    def spread(self, across: Across) -> int:
        return len({Across.IMAGES: self.images, Across.PRODUCTS: self.products, Across.VENDORS: self.vendors}[across])

    def to_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "kind": self.kind,
            "images": len(self.images),
            "vendors": list(self.vendors),
            "products": [{"vendor": vendor, "model": model} for vendor, model in self.products],
            "sightings": [s.to_dict() for s in self.sightings],
        }


def universal_secrets(engine: Engine, across: Across = Across.IMAGES, minimum: int = 2) -> list[UniversalSecret]:
    """Secrets (keys, tokens, password hashes: findings the fingerprint rules index) in at least `minimum` images,
    products or vendors: on every unit of each. Most widespread first."""
    shared = with_image(
        select(FindingRow.secret_fingerprint)
        .join(ScanRow, FindingRow.scan_id == ScanRow.id)
        .where(FindingRow.secret_fingerprint.is_not(None))
    )
    candidates = shared.group_by(FindingRow.secret_fingerprint).having(func.count(ScanRow.image_id.distinct()) >= 2)
    query = with_image(
        select(*IMAGE_COLUMNS, FindingRow.secret_fingerprint, FindingRow.check_id, FindingRow.finding_id)
        .add_columns(FindingRow.title, FindingRow.path, FindingRow.line)
        .join(FindingRow, FindingRow.scan_id == ScanRow.id)
        .where(FindingRow.secret_fingerprint.in_(candidates.scalar_subquery()))
    ).order_by(FindingRow.secret_fingerprint, ScanRow.id, FindingRow.id)
    sightings: dict[str, dict[tuple[int, str | None, int | None], SecretSighting]] = defaultdict(dict)
    for row in run(engine, query):
        fingerprint, check, finding_id, title, path, line = row[len(IMAGE_COLUMNS) :]
        # a scan of several images also reports the shared secret once more, at the same place
        sightings[fingerprint].setdefault(
            (row[0], path, line), SecretSighting(image_info(row), check, finding_id, title, path, line)
        )
    found = [UniversalSecret(fingerprint, tuple(seen.values())) for fingerprint, seen in sightings.items()]
    listed = [secret for secret in found if secret.spread(across) >= minimum]
    return sorted(listed, key=lambda s: (-s.spread(across), -len(s.images), s.fingerprint))


# the component index


@dataclass(frozen=True)
class ComponentHit:
    image: ImageInfo
    name: str
    version: str | None
    """None: the component is there, its version is not known (it may or may not be below the bound)."""
    distro_version: str | None
    """A distribution's version (`2.76-5+deb9u3`): fixes may be backported without changing `version`."""
    purl: str
    cpe: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.image.to_dict(),
            "name": self.name,
            "version": self.version,
            "distro_version": self.distro_version,
            "purl": self.purl,
            "cpe": self.cpe,
        }


def images_with_component(
    engine: Engine, name: str, below: str | None = None, at_least: str | None = None
) -> list[ComponentHit]:
    """Images shipping the component `name` (its name or catalogue key, any letter case), with a version
    in [at_least, below) when bounds are given. Components of unknown version are kept (version None):
    whether they are affected is unknown, not no."""
    folded = name.strip().casefold()
    query = with_image(
        select(*IMAGE_COLUMNS, ComponentRow.name, ComponentRow.version, ComponentRow.distro_version)
        .add_columns(ComponentRow.purl, ComponentRow.cpe)
        .select_from(ComponentRow)
        .join(ScanRow, ComponentRow.scan_id == ScanRow.id)
        .where(or_(ComponentRow.name_folded == folded, func.lower(ComponentRow.key) == folded))
    ).order_by(*BY_PRODUCT, ComponentRow.id)
    hits = []
    for row in run(engine, query):
        component, version, distro, purl, cpe = row[len(IMAGE_COLUMNS) :]
        if version is None or _within(version, below, at_least):
            hits.append(ComponentHit(image_info(row), component, version, distro, purl, cpe))
    return hits


def _within(version: str, below: str | None, at_least: str | None) -> bool:
    return (below is None or compare_versions(version, below) < 0) and (
        at_least is None or compare_versions(version, at_least) >= 0
    )


# the CVE index


@dataclass(frozen=True)
class CveHit:
    image: ImageInfo
    cve: str
    component: str
    version: str
    status: str
    """affected, or conditional: holds only on a platform the image does not show."""
    kev: bool
    severity: str | None
    score: float | None
    not_affected: str | None
    """The manufacturer's VEX justification, when it states this image is not affected."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.image.to_dict(),
            "cve": self.cve,
            "component": self.component,
            "version": self.version,
            "status": self.status,
            "kev": self.kev,
            "severity": self.severity,
            "score": self.score,
            "not_affected": self.not_affected,
        }


def images_with_cve(engine: Engine, cve: str) -> list[CveHit]:
    """Images a scan matched CVE `cve` to, with the component and whether VEX says not affected."""
    query = with_image(
        select(*IMAGE_COLUMNS, VulnerabilityRow.cve, VulnerabilityRow.component_name)
        .add_columns(VulnerabilityRow.component_version, VulnerabilityRow.status, VulnerabilityRow.kev)
        .add_columns(VulnerabilityRow.severity, VulnerabilityRow.score, VulnerabilityRow.not_affected)
        .select_from(VulnerabilityRow)
        .join(ScanRow, VulnerabilityRow.scan_id == ScanRow.id)
        .where(VulnerabilityRow.cve == cve.strip().upper())
    ).order_by(*BY_PRODUCT, VulnerabilityRow.id)
    return [CveHit(image_info(row), *row[len(IMAGE_COLUMNS) :]) for row in run(engine, query)]


def as_dicts(items: Iterable[SecretSighting | UniversalSecret | ComponentHit | CveHit]) -> list[dict[str, Any]]:
    return [item.to_dict() for item in items]

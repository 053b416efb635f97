"""The results tables. A scan keeps its whole assessment (the JSON report, exactly) and, beside it, the
parts fleet questions are asked of as rows: findings, verdicts, the check versions, components and CVEs.

Column names avoid SQL's reserved words (`check_id`, `byte_offset`), so hand-written SQL needs no quoting.
Text from firmware (paths, titles, evidence, component names) goes into unbounded `Text`; `String(n)` holds
only what iotbaseline itself writes (ids, statuses, hashes). Changing a model needs an Alembic revision
(`migrations/versions/`): a test compares the models with the migrations' head.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from iotbaseline.model import JSONValue

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names fixed here, so SQLite and PostgreSQL migrations name them alike."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, JSONValue]: JSON, list[JSONValue]: JSON}  # noqa: RUF012 (SQLAlchemy's hook)


class ProductRow(Base):
    """A product as its maker names it; "" where the vendor or the model is not known."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vendor: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("vendor", "model", name="uq_products_vendor_model"),)


class ImageRow(Base):
    """A firmware image, identified by its bytes: the same SHA-256 under another name is the same image."""

    __tablename__ = "images"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    first_path: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[str] = mapped_column(String(32))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    firmware_version: Mapped[str | None] = mapped_column(Text)
    release_year: Mapped[int | None] = mapped_column(Integer)
    """The firmware's year as the product facts give it (`year`, `release_date`...); None when unknown."""
    product_facts: Mapped[dict[str, JSONValue]] = mapped_column(JSON)
    """The product mapping as first given (vendor, model, version...)."""


class ScanRow(Base):
    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id"), index=True)
    image_path: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    started: Mapped[str] = mapped_column(String(32))
    finished: Mapped[str | None] = mapped_column(String(32))
    tool_version: Mapped[str] = mapped_column(String(64))
    output: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    assessment: Mapped[str | None] = mapped_column(Text)
    """The assessment's JSON (`Assessment.to_dict`), as written: what `assessment(scan_id)` reads back."""


class CheckRunRow(Base):
    """Which version of each check produced a scan's findings: a newer check version makes them stale."""

    __tablename__ = "scan_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    check_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    seconds: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text)


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[str] = mapped_column(String(16), index=True)
    """The stable id (`Finding.id`): the same weakness at the same place keeps it across versions."""
    check_id: Mapped[str] = mapped_column(String(128), index=True)
    check_version: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)
    provisions: Mapped[list[JSONValue]] = mapped_column(JSON)
    image: Mapped[str | None] = mapped_column(Text)
    path: Mapped[str | None] = mapped_column(Text)
    extracted_path: Mapped[str | None] = mapped_column(Text)
    byte_offset: Mapped[int | None] = mapped_column(BigInteger)
    line: Mapped[int | None] = mapped_column(Integer)
    host: Mapped[str | None] = mapped_column(Text)
    port: Mapped[int | None] = mapped_column(Integer)
    protocol: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(Text)
    discriminator: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, JSONValue]] = mapped_column(JSON)
    secret_fingerprint: Mapped[str | None] = mapped_column(String(80), index=True)
    """`<kind>:<hex>` for a key, token or hash whose identity the evidence carries (see `fingerprints.py`)."""


class VerdictRow(Base):
    __tablename__ = "verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    standard: Mapped[str] = mapped_column(String(32))
    provision: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    findings: Mapped[list[JSONValue]] = mapped_column(JSON)

    __table_args__ = (Index("ix_verdicts_standard_provision", "standard", "provision", "verdict"),)


class ComponentRow(Base):
    __tablename__ = "components"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("images.id"), index=True)
    image_name: Mapped[str] = mapped_column(Text)
    """The image's name within the scan (the key of the scan's components mapping)."""
    key: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    name_folded: Mapped[str] = mapped_column(Text, index=True)
    """`name` in lower case: the component index looks names up without regard to case."""
    version: Mapped[str | None] = mapped_column(Text)
    distro_version: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(32))
    purl: Mapped[str] = mapped_column(Text)
    cpe: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[JSONValue]] = mapped_column(JSON)


class VulnerabilityRow(Base):
    __tablename__ = "vulnerabilities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"), index=True)
    component_id: Mapped[int | None] = mapped_column(ForeignKey("components.id", ondelete="CASCADE"), index=True)
    component_name: Mapped[str] = mapped_column(Text)
    component_version: Mapped[str] = mapped_column(Text)
    cve: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16))
    """affected, or conditional (holds only on a platform the image does not show)."""
    kev: Mapped[bool] = mapped_column(Boolean)
    severity: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    not_affected: Mapped[str | None] = mapped_column(Text)
    """The manufacturer's VEX justification, when it states the component is not affected."""

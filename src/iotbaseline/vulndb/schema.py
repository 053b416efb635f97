"""The SQLite tables. Configurations are flattened into one row per cpeMatch entry that keeps its place in the
tree (configuration and node index, their operators and negation), so a lookup by (vendor, product) is one index
hit and the tree can be rebuilt exactly for matching."""

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SCHEMA_VERSION = "1"


class Base(DeclarativeBase):
    pass


class CveRow(Base):
    __tablename__ = "cve"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    published: Mapped[str] = mapped_column(String(32))
    last_modified: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    cvss3_version: Mapped[str | None] = mapped_column(String(8))
    cvss3_score: Mapped[float | None] = mapped_column(Float)
    cvss3_vector: Mapped[str | None] = mapped_column(String(200))
    cvss3_severity: Mapped[str | None] = mapped_column(String(16))
    cvss4_score: Mapped[float | None] = mapped_column(Float)
    cvss4_vector: Mapped[str | None] = mapped_column(String(300))
    cvss4_severity: Mapped[str | None] = mapped_column(String(16))


class CpeMatchRow(Base):
    __tablename__ = "cpe_match"

    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cve_id: Mapped[str] = mapped_column(ForeignKey("cve.id", ondelete="CASCADE"), index=True)
    config_index: Mapped[int] = mapped_column(Integer)
    config_operator: Mapped[str] = mapped_column(String(3))
    config_negate: Mapped[bool] = mapped_column(Boolean)
    node_index: Mapped[int] = mapped_column(Integer)
    node_operator: Mapped[str] = mapped_column(String(3))
    node_negate: Mapped[bool] = mapped_column(Boolean)
    match_index: Mapped[int] = mapped_column(Integer)
    vulnerable: Mapped[bool] = mapped_column(Boolean)
    criteria: Mapped[str] = mapped_column(String(300))
    part: Mapped[str] = mapped_column(String(1))
    vendor: Mapped[str] = mapped_column(String(120))
    product: Mapped[str] = mapped_column(String(160))
    version_start_including: Mapped[str | None] = mapped_column(String(64))
    version_start_excluding: Mapped[str | None] = mapped_column(String(64))
    version_end_including: Mapped[str | None] = mapped_column(String(64))
    version_end_excluding: Mapped[str | None] = mapped_column(String(64))
    match_criteria_id: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (Index("ix_cpe_match_vendor_product", "vendor", "product", "vulnerable"),)


class KevRow(Base):
    __tablename__ = "kev"

    cve_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vendor_project: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(200))
    vulnerability_name: Mapped[str] = mapped_column(Text)
    date_added: Mapped[str] = mapped_column(String(10))
    short_description: Mapped[str] = mapped_column(Text)
    required_action: Mapped[str] = mapped_column(Text)
    due_date: Mapped[str] = mapped_column(String(10))
    known_ransomware_campaign_use: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text)


class MetadataRow(Base):
    """Key/value facts about the database: sources, update times, the last completed NVD window."""

    __tablename__ = "metadata"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)

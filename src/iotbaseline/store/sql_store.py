"""`ResultStore` over SQLAlchemy: SQLite file by default, PostgreSQL (or another SQLAlchemy database) by URL.

Every write is one transaction: a scan's record is either all there or not at all, so a batch killed while
storing leaves the scan `running`, which is how the rerun knows to redo it.
"""

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import ColumnElement, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from iotbaseline.components.model import Component
from iotbaseline.model import Assessment
from iotbaseline.store.database import (
    create_store_engine,
    database_url,
    default_location,
    shown_location,
    sqlite_file,
    writer,
)
from iotbaseline.store.errors import StoreError
from iotbaseline.store.interface import ImageRef, ScanStatus, StoredScan
from iotbaseline.store.migrate import upgrade
from iotbaseline.store.product import ProductFacts, product_facts
from iotbaseline.store.rows import (
    check_row,
    clean_json,
    clean_text,
    component_from_row,
    component_row,
    finding_row,
    optional_text,
    verdict_row,
    vulnerability_row,
)
from iotbaseline.store.schema import (
    Base,
    CheckRunRow,
    ComponentRow,
    FindingRow,
    ImageRow,
    ProductRow,
    ScanRow,
    VerdictRow,
    VulnerabilityRow,
)
from iotbaseline.vulndb.match import VulnerabilityMatch

SCAN_TABLES: tuple[type[Base], ...] = (VulnerabilityRow, ComponentRow, FindingRow, VerdictRow, CheckRunRow)
"""What `finish` writes for a scan, children first (the order to delete them in)."""


_SHA256 = re.compile(r"[0-9a-f]{64}")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SqlResultStore:
    """The results store. Open with `SqlResultStore.open(location)`; close when done (or use `with`)."""

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self._writer = writer(engine)
        self.location = location
        """The database as shown to users (a file path, or the URL without its password)."""

    @classmethod
    def open(cls, location: str | None = None, *, create: bool = True) -> "SqlResultStore":
        """`location`: a file path (SQLite) or a SQLAlchemy URL; None: `database.default_location()`.
        Brings the schema to this version's (Alembic `upgrade head`). `create=False`: a missing SQLite file
        is an error rather than a new, empty database."""
        url = database_url(location or default_location())
        file = sqlite_file(url)
        shown = str(file) if file is not None else shown_location(url)
        if file is not None:
            if not create and not file.is_file():
                raise StoreError(f"no results database at {file}")
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create the folder for {file}: {error.strerror}") from None
        engine = create_store_engine(url)
        try:
            upgrade(engine, shown)
        except StoreError:
            engine.dispose()
            raise
        return cls(engine, shown)

    @property
    def engine(self) -> Engine:
        """For the queries across scans (`queries.py`): read-only use."""
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> "SqlResultStore":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # the contract (interface.ResultStore)

    def begin(self, image: ImageRef, tool_version: str, output: str | None) -> int:
        if not _SHA256.fullmatch(image.sha256.lower()):
            raise StoreError(f"{image.path}: {image.sha256!r} is not a SHA-256 digest (64 hex digits)")
        facts = product_facts(image.product)
        with self._writing("record the start of a scan") as session:
            image_id = self._image_id(session, image, facts)
            scan = ScanRow(
                image_id=image_id,
                image_path=clean_text(image.path),
                status=ScanStatus.RUNNING.value,
                started=now(),
                tool_version=clean_text(tool_version)[:64],
                output=optional_text(output),
            )
            session.add(scan)
            session.flush()
            return scan.id

    def finish(
        self,
        scan_id: int,
        assessment: Assessment,
        components: Mapping[str, Sequence[Component]],
        vulnerabilities: Mapping[str, Sequence[VulnerabilityMatch]],
    ) -> None:
        """Stores the scan's results, replacing any stored before for this scan id; status done."""
        document = json.dumps(assessment.to_dict(), ensure_ascii=True)
        with self._writing(f"store scan {scan_id}") as session:
            scan = self._scan_row(session, scan_id)
            for table in SCAN_TABLES:
                session.execute(delete(table).where(table.__table__.c.scan_id == scan_id))
            _insert(session, CheckRunRow, [check_row(scan_id, run) for run in assessment.checks])
            _insert(session, FindingRow, [finding_row(scan_id, finding) for finding in assessment.findings])
            _insert(session, VerdictRow, [verdict_row(scan_id, verdict) for verdict in assessment.verdicts])
            for name in dict.fromkeys([*components, *vulnerabilities]):
                ids = self._store_components(session, scan, name, components.get(name, ()))
                rows = [vulnerability_row(scan_id, _component_id(ids, m), m) for m in vulnerabilities.get(name, ())]
                _insert(session, VulnerabilityRow, rows)
            scan.status, scan.finished, scan.error, scan.assessment = ScanStatus.DONE.value, now(), None, document

    def fail(self, scan_id: int, reason: str) -> None:
        with self._writing(f"record the failure of scan {scan_id}") as session:
            scan = self._scan_row(session, scan_id)
            if scan.status == ScanStatus.DONE.value:
                raise StoreError(f"scan {scan_id} is done: its results stay; begin a new scan to redo it")
            scan.status, scan.finished, scan.error = ScanStatus.FAILED.value, now(), clean_text(reason)

    def latest(self, sha256: str) -> StoredScan | None:
        with self._reading() as session:
            found = _stored_scans(session, ImageRow.sha256 == sha256.lower(), limit=1)
        return found[0] if found else None

    def assessment(self, scan_id: int) -> Assessment | None:
        """The assessment `finish` stored, read back from its JSON; None for a scan not done (or unknown)."""
        with self._reading() as session:
            document = session.scalar(select(ScanRow.assessment).where(ScanRow.id == scan_id))
        if document is None:
            return None
        try:
            return Assessment.from_dict(json.loads(document))
        except (ValueError, KeyError, TypeError) as error:
            raise StoreError(f"scan {scan_id}'s stored assessment cannot be read: {error}") from None

    def scans(self, limit: int = 100, offset: int = 0, status: ScanStatus | None = None) -> Sequence[StoredScan]:
        """Newest first; `status` (an extension): only scans in that state."""
        where = None if status is None else ScanRow.status == status.value
        with self._reading() as session:
            return _stored_scans(session, where, limit=limit, offset=offset)

    # beyond the contract

    def scan(self, scan_id: int) -> StoredScan | None:
        with self._reading() as session:
            found = _stored_scans(session, ScanRow.id == scan_id)
        return found[0] if found else None

    def components(self, scan_id: int) -> dict[str, tuple[Component, ...]]:
        """Image name -> the components `finish` stored for the scan (what `diff` compares)."""
        query = select(ComponentRow).where(ComponentRow.scan_id == scan_id).order_by(ComponentRow.id)
        found: dict[str, list[Component]] = {}
        with self._reading() as session:
            for row in session.scalars(query):
                found.setdefault(row.image_name, []).append(component_from_row(row))
        return {name: tuple(items) for name, items in found.items()}

    def count(self, status: ScanStatus | None = None) -> int:
        query = select(func.count()).select_from(ScanRow)
        if status is not None:
            query = query.where(ScanRow.status == status.value)
        with self._reading() as session:
            return session.scalar(query) or 0

    # helpers

    def _writing(self, what: str) -> "_Transaction":
        return _Transaction(self._writer, f"cannot {what} in {self.location}")

    def _reading(self) -> "_Transaction":
        return _Transaction(self._engine, f"cannot read {self.location}")

    @staticmethod
    def _scan_row(session: Session, scan_id: int) -> ScanRow:
        scan = session.get(ScanRow, scan_id)
        if scan is None:
            raise StoreError(f"no scan {scan_id} in the results database")
        return scan

    @staticmethod
    def _image_id(session: Session, image: ImageRef, facts: ProductFacts) -> int:
        product_id = _product_id(session, facts)
        values = {
            "sha256": image.sha256.lower(),
            "size": image.size,
            "first_path": clean_text(image.path),
            "first_seen": now(),
            "product_id": product_id,
            "firmware_version": optional_text(facts.firmware_version),
            "release_year": facts.release_year,
            "product_facts": clean_json(dict(image.product)),
        }
        _insert_new(session, ImageRow, values)
        row = session.scalars(select(ImageRow).where(ImageRow.sha256 == values["sha256"])).one()
        if row.product_id is None and product_id is not None:  # facts learnt after the image was first seen
            session.execute(
                update(ImageRow)
                .where(ImageRow.id == row.id)
                .values({k: values[k] for k in ("product_id", "firmware_version", "release_year", "product_facts")})
            )
        return row.id

    @staticmethod
    def _store_components(
        session: Session, scan: ScanRow, name: str, components: Sequence[Component]
    ) -> dict[tuple[str, str | None], int]:
        rows = [component_row(scan.id, scan.image_id, name, component) for component in components]
        if not rows:
            return {}
        returning = insert(ComponentRow).returning(ComponentRow.id, sort_by_parameter_order=True)
        ids = session.scalars(returning, rows).all()
        return {(c.name, c.version): row_id for c, row_id in zip(components, ids, strict=True)}


class _Transaction:
    """A session in one transaction; a database error becomes a `StoreError` saying what failed."""

    def __init__(self, engine: Engine, failure: str) -> None:
        self._session = Session(engine, expire_on_commit=False)
        self._failure = failure

    def __enter__(self) -> Session:
        try:
            self._session.begin()
        except SQLAlchemyError as error:
            self._session.close()
            raise StoreError(f"{self._failure}: {error.__cause__ or error}") from None
        return self._session

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is None:
                self._session.commit()
            else:
                self._session.rollback()
        except SQLAlchemyError as failure:
            raise StoreError(f"{self._failure}: {failure.__cause__ or failure}") from None
        finally:
            self._session.close()
        if isinstance(error, SQLAlchemyError):
            raise StoreError(f"{self._failure}: {error.__cause__ or error}") from None


def _insert(session: Session, table: type[Base], rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table), rows)


def _insert_new(session: Session, table: type[Base], values: dict[str, Any]) -> None:
    """Inserts unless the row breaks a unique constraint, also when another process inserts the same row now."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        session.execute(postgresql.insert(table).values(values).on_conflict_do_nothing())
        return
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        session.execute(sqlite.insert(table).values(values).on_conflict_do_nothing())
        return
    try:  # other databases: the unique violation is caught, within a savepoint
        with session.begin_nested():
            session.execute(insert(table).values(values))
    except IntegrityError:
        pass


def _product_id(session: Session, facts: ProductFacts) -> int | None:
    if not facts.known:
        return None
    vendor, model = clean_text(facts.vendor), clean_text(facts.model)
    _insert_new(session, ProductRow, {"vendor": vendor, "model": model})
    return session.scalars(select(ProductRow.id).where(ProductRow.vendor == vendor, ProductRow.model == model)).one()


def _component_id(ids: Mapping[tuple[str, str | None], int], match: VulnerabilityMatch) -> int | None:
    """The component a CVE was matched to: by name and version, else the only component of that name (the
    matcher may have added a pre-release to the version)."""
    exact = ids.get((match.component, match.component_version))
    if exact is not None:
        return exact
    named = [row_id for (name, _), row_id in ids.items() if name == match.component]
    return named[0] if len(named) == 1 else None


def _stored_scans(
    session: Session, where: ColumnElement[bool] | None = None, limit: int | None = None, offset: int = 0
) -> list[StoredScan]:
    """Scans as `StoredScan`, newest first, without their assessments (which can be large)."""
    query = select(
        ScanRow.id,
        ScanRow.image_path,
        ScanRow.status,
        ScanRow.started,
        ScanRow.finished,
        ScanRow.tool_version,
        ScanRow.output,
        ScanRow.error,
        ImageRow.sha256,
        ImageRow.product_facts,
    ).join(ImageRow, ScanRow.image_id == ImageRow.id)
    if where is not None:
        query = query.where(where)
    query = query.order_by(ScanRow.id.desc()).limit(limit).offset(offset)
    return [
        StoredScan(
            id=scan_id,
            image_sha256=sha256,
            image_path=path,
            status=ScanStatus(status),
            started=started,
            finished=finished,
            tool_version=tool_version,
            output=output,
            error=error,
            product=dict(product),
        )
        for scan_id, path, status, started, finished, tool_version, output, error, sha256, product in session.execute(
            query
        )
    ]

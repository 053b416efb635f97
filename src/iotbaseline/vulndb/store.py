"""The local vulnerability database: a SQLite file behind SQLAlchemy, written by upserts, read by product."""

import os
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, and_, create_engine, delete, event, func, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from iotbaseline.vulndb.cpe import parse_cpe
from iotbaseline.vulndb.errors import VulnDbError
from iotbaseline.vulndb.records import Configuration, CpeMatch, CveRecord, CvssScore, KevEntry, Node, Operator
from iotbaseline.vulndb.schema import SCHEMA_VERSION, Base, CpeMatchRow, CveRow, KevRow, MetadataRow

BATCH_SIZE = 500  # CVEs per transaction: bounds memory on a 100 MB feed and keeps SQLite's parameter count low


def default_db_path() -> Path:
    """`$XDG_CACHE_HOME/iotbaseline/vulndb.sqlite`, i.e. `~/.cache/iotbaseline/vulndb.sqlite` by default."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "iotbaseline" / "vulndb.sqlite"


@dataclass(frozen=True)
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0  # already stored with the same or a later lastModified

    def __add__(self, other: "UpsertCounts") -> "UpsertCounts":
        return UpsertCounts(self.added + other.added, self.updated + other.updated, self.unchanged + other.unchanged)


T = TypeVar("T")


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _score_columns(prefix: str, score: CvssScore | None) -> dict[str, Any]:
    columns: dict[str, Any] = {
        f"{prefix}_score": score.base_score if score else None,
        f"{prefix}_vector": score.vector if score else None,
        f"{prefix}_severity": score.severity if score else None,
    }
    return columns


def _cve_row(record: CveRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "published": record.published,
        "last_modified": record.last_modified,
        "status": record.status,
        "description": record.description,
        "cvss3_version": record.cvss_v3.version if record.cvss_v3 else None,
        **_score_columns("cvss3", record.cvss_v3),
        **_score_columns("cvss4", record.cvss_v4),
    }


def _match_rows(record: CveRecord) -> Iterator[dict[str, Any]]:
    for ci, config in enumerate(record.configurations):
        for ni, node in enumerate(config.nodes):
            for mi, match in enumerate(node.matches):
                cpe = parse_cpe(match.criteria)
                yield {
                    "cve_id": record.id,
                    "config_index": ci,
                    "config_operator": config.operator.value,
                    "config_negate": config.negate,
                    "node_index": ni,
                    "node_operator": node.operator.value,
                    "node_negate": node.negate,
                    "match_index": mi,
                    "vulnerable": match.vulnerable,
                    "criteria": match.criteria,
                    "part": cpe.part,
                    "vendor": cpe.vendor,
                    "product": cpe.product,
                    "version_start_including": match.version_start_including,
                    "version_start_excluding": match.version_start_excluding,
                    "version_end_including": match.version_end_including,
                    "version_end_excluding": match.version_end_excluding,
                    "match_criteria_id": match.match_criteria_id,
                }


def _score(version: str | None, score: float | None, vector: str | None, severity: str | None) -> CvssScore | None:
    if score is None:
        return None
    return CvssScore(version=version or "", base_score=score, vector=vector or "", severity=severity or "")


def _configurations(rows: Sequence[CpeMatchRow]) -> tuple[Configuration, ...]:
    configs: dict[int, tuple[CpeMatchRow, dict[int, list[CpeMatchRow]]]] = {}
    for row in rows:
        configs.setdefault(row.config_index, (row, defaultdict(list)))[1][row.node_index].append(row)
    result = []
    for _, (first, nodes) in sorted(configs.items()):
        built = tuple(
            Node(
                operator=Operator(entries[0].node_operator),
                negate=entries[0].node_negate,
                matches=tuple(
                    CpeMatch(
                        criteria=e.criteria,
                        vulnerable=e.vulnerable,
                        version_start_including=e.version_start_including,
                        version_start_excluding=e.version_start_excluding,
                        version_end_including=e.version_end_including,
                        version_end_excluding=e.version_end_excluding,
                        match_criteria_id=e.match_criteria_id,
                    )
                    for e in sorted(entries, key=lambda r: r.match_index)
                ),
            )
            for _, entries in sorted(nodes.items())
        )
        result.append(Configuration(Operator(first.config_operator), first.config_negate, built))
    return tuple(result)


def _kev(row: KevRow) -> KevEntry:
    return KevEntry(
        cve_id=row.cve_id,
        vendor_project=row.vendor_project,
        product=row.product,
        vulnerability_name=row.vulnerability_name,
        date_added=row.date_added,
        short_description=row.short_description,
        required_action=row.required_action,
        due_date=row.due_date,
        known_ransomware_campaign_use=row.known_ransomware_campaign_use,
        notes=row.notes,
    )


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (scans) are not blocked by a running update
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class VulnDatabase:
    """CVEs, their CPE configurations, KEV entries and metadata in one SQLite file (or in memory)."""

    def __init__(self, engine: Engine, location: str) -> None:
        self._engine = engine
        self.location = location
        try:
            Base.metadata.create_all(engine)
        except SQLAlchemyError as error:
            raise VulnDbError(
                f"cannot open the vulnerability database {location}: {error.__cause__ or error}"
            ) from None
        stored = self.get_meta("schema_version")
        if stored is None:
            self.set_meta({"schema_version": SCHEMA_VERSION})
        elif stored != SCHEMA_VERSION:
            raise VulnDbError(
                f"{location} has database schema {stored}, this version uses {SCHEMA_VERSION}: "
                "delete the file and run `iotbaseline db update` again"
            )

    @classmethod
    def open(cls, path: Path | None = None) -> "VulnDatabase":
        """Opens (creating if needed) the database file; `None` means `default_db_path()`."""
        target = path or default_db_path()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise VulnDbError(f"cannot create the folder for {target}: {error.strerror}") from None
        engine = create_engine(f"sqlite:///{target}")
        event.listen(engine, "connect", _tune_sqlite)
        return cls(engine, str(target))

    @classmethod
    def in_memory(cls) -> "VulnDatabase":
        engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
        return cls(engine, ":memory:")

    def close(self) -> None:
        self._engine.dispose()

    # metadata

    def get_meta(self, key: str) -> str | None:
        with Session(self._engine) as session:
            row = session.get(MetadataRow, key)
            return row.value if row else None

    def metadata(self) -> dict[str, str]:
        with Session(self._engine) as session:
            return {row.key: row.value for row in session.scalars(select(MetadataRow))}

    def set_meta(self, values: dict[str, str]) -> None:
        with Session(self._engine) as session, session.begin():
            for key, value in values.items():
                statement = sqlite_insert(MetadataRow).values(key=key, value=value)
                session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": value}))

    # writing

    def upsert_cves(self, records: Iterable[CveRecord]) -> UpsertCounts:
        """Stores records that are new or newer (by lastModified) than the stored ones; replaying a file is a no-op."""
        total = UpsertCounts()
        for batch in _batches(records, BATCH_SIZE):
            total += self._upsert_cve_batch(batch)
        return total

    def _upsert_cve_batch(self, batch: list[CveRecord]) -> UpsertCounts:
        latest: dict[str, CveRecord] = {}
        for record in batch:  # a feed may repeat a CVE; the latest modification wins
            kept = latest.get(record.id)
            if kept is None or record.last_modified >= kept.last_modified:
                latest[record.id] = record
        with Session(self._engine) as session, session.begin():
            query = select(CveRow.id, CveRow.last_modified).where(CveRow.id.in_(latest))
            stored = {cve_id: modified for cve_id, modified in session.execute(query)}
            # NVD timestamps are ISO 8601 without zone, all UTC: string order is time order.
            fresh = [r for r in latest.values() if r.id not in stored or r.last_modified > stored[r.id]]
            if fresh:
                session.execute(delete(CpeMatchRow).where(CpeMatchRow.cve_id.in_([r.id for r in fresh])))
                rows = [_cve_row(r) for r in fresh]
                statement = sqlite_insert(CveRow)
                updated_columns = {c: statement.excluded[c] for c in rows[0] if c != "id"}
                session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=updated_columns), rows)
                matches = [m for r in fresh for m in _match_rows(r)]
                if matches:
                    session.execute(sqlite_insert(CpeMatchRow), matches)
        added = sum(1 for r in fresh if r.id not in stored)
        return UpsertCounts(added=added, updated=len(fresh) - added, unchanged=len(batch) - len(fresh))

    def upsert_kev(self, entries: Iterable[KevEntry]) -> UpsertCounts:
        total = UpsertCounts()
        for batch in _batches(entries, BATCH_SIZE):
            rows = {e.cve_id: asdict(e) for e in batch}
            with Session(self._engine) as session, session.begin():
                known = set(session.scalars(select(KevRow.cve_id).where(KevRow.cve_id.in_(rows))))
                statement = sqlite_insert(KevRow)
                columns = {c: statement.excluded[c] for c in next(iter(rows.values())) if c != "cve_id"}
                session.execute(
                    statement.on_conflict_do_update(index_elements=["cve_id"], set_=columns), list(rows.values())
                )
            total += UpsertCounts(added=len(rows) - len(known), updated=len(known))
        return total

    # reading

    def cves_for_products(self, keys: Collection[tuple[str, str]]) -> list[CveRecord]:
        """Every CVE with a vulnerable cpeMatch for one of the (vendor, product) pairs, with its whole configuration."""
        if not keys:
            return []
        wanted = or_(*(and_(CpeMatchRow.vendor == v, CpeMatchRow.product == p) for v, p in keys))
        with Session(self._engine) as session:
            ids = list(
                session.scalars(select(CpeMatchRow.cve_id).where(wanted, CpeMatchRow.vulnerable.is_(True)).distinct())
            )
            return [record for batch in _batches(sorted(ids), BATCH_SIZE) for record in self._load(session, batch)]

    def get_cve(self, cve_id: str) -> CveRecord | None:
        with Session(self._engine) as session:
            found = self._load(session, [cve_id])
            return found[0] if found else None

    @staticmethod
    def _load(session: Session, ids: list[str]) -> list[CveRecord]:
        rows: dict[str, list[CpeMatchRow]] = defaultdict(list)
        for match in session.scalars(
            select(CpeMatchRow)
            .where(CpeMatchRow.cve_id.in_(ids))
            .order_by(CpeMatchRow.cve_id, CpeMatchRow.config_index, CpeMatchRow.node_index, CpeMatchRow.match_index)
        ):
            rows[match.cve_id].append(match)
        return [
            CveRecord(
                id=cve.id,
                published=cve.published,
                last_modified=cve.last_modified,
                description=cve.description,
                status=cve.status,
                cvss_v3=_score(cve.cvss3_version, cve.cvss3_score, cve.cvss3_vector, cve.cvss3_severity),
                cvss_v4=_score("4.0", cve.cvss4_score, cve.cvss4_vector, cve.cvss4_severity),
                configurations=_configurations(rows[cve.id]),
            )
            for cve in session.scalars(select(CveRow).where(CveRow.id.in_(ids)).order_by(CveRow.id))
        ]

    def kev_entries(self, cve_ids: Collection[str]) -> dict[str, KevEntry]:
        with Session(self._engine) as session:
            return {
                row.cve_id: _kev(row)
                for batch in _batches(sorted(cve_ids), BATCH_SIZE)
                for row in session.scalars(select(KevRow).where(KevRow.cve_id.in_(batch)))
            }

    def counts(self) -> dict[str, int]:
        with Session(self._engine) as session:
            return {
                "cves": session.scalar(select(func.count()).select_from(CveRow)) or 0,
                "cpe_matches": session.scalar(select(func.count()).select_from(CpeMatchRow)) or 0,
                "kev": session.scalar(select(func.count()).select_from(KevRow)) or 0,
            }

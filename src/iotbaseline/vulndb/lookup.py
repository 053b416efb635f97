"""From components to their vulnerabilities: candidate CVEs from the database, exact matching, KEV, VEX."""

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.resources import as_file, files
from pathlib import Path

from iotbaseline.vulndb.aliases import ProductAliases, bundled_aliases
from iotbaseline.vulndb.errors import VulnDbError
from iotbaseline.vulndb.importer import import_file
from iotbaseline.vulndb.match import MatchableComponent, VulnerabilityMatch, match_components, resolve_target
from iotbaseline.vulndb.store import VulnDatabase, default_db_path
from iotbaseline.vulndb.vex import VexStatement, apply_vex

SNAPSHOT_FILES = ("nvd-snapshot.json", "kev-snapshot.json")
SNAPSHOT_SOURCE = "bundled snapshot"
MAX_AGE_DAYS = 7.0
"""NVD data older than this no longer shows that no known vulnerability applies (NVD publishes about 100 a day)."""


def find_vulnerabilities(
    db: VulnDatabase,
    components: Sequence[MatchableComponent],
    vex: Sequence[VexStatement] = (),
    aliases: ProductAliases | None = None,
) -> list[VulnerabilityMatch]:
    """Every CVE that matches a component, with its reasons, KEV entry and any "not affected" statement."""
    table = aliases or bundled_aliases()
    keys = {key for c in components if (t := resolve_target(c, table)) for key in t.products}
    matches = match_components(components, db.cves_for_products(keys), table)
    kev = db.kev_entries({m.cve_id for m in matches})
    return apply_vex([replace(m, kev=kev.get(m.cve_id)) for m in matches], vex)


def load_bundled_snapshot(db: VulnDatabase) -> None:
    """Imports the small snapshot of real records shipped for the sample image (the offline README demo)."""
    for name in SNAPSHOT_FILES:
        with as_file(files("iotbaseline") / "data" / "vulndb" / name) as path:
            import_file(db, path)
    db.set_meta({"nvd.source": SNAPSHOT_SOURCE, "kev.source": SNAPSHOT_SOURCE})


@functools.cache
def bundled_snapshot_database() -> VulnDatabase:
    """An in-memory database holding only the bundled snapshot, for scans with no downloaded database."""
    db = VulnDatabase.in_memory()
    load_bundled_snapshot(db)
    return db


@dataclass(frozen=True)
class DbStatus:
    location: str
    cves: int
    cpe_matches: int
    kev: int
    nvd_source: str | None
    nvd_updated_at: str | None
    nvd_completed_until: str | None
    kev_source: str | None
    kev_updated_at: str | None
    kev_catalog_version: str | None

    nvd_data_as_of: str | None = None
    """How current the NVD data is: the end of the last window an API update completed, or the
    timestamp of the newest file imported (not when it was imported: an old feed is old data)."""

    def age(self, now: datetime | None = None) -> float | None:
        """Days since the moment the NVD data is current to, None if unknown."""
        if not self.nvd_data_as_of:
            return None
        return ((now or datetime.now(UTC)) - _moment(self.nvd_data_as_of)).total_seconds() / 86400


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def status(db: VulnDatabase) -> DbStatus:
    counts = db.counts()
    meta = db.metadata()
    return DbStatus(
        location=db.location,
        cves=counts["cves"],
        cpe_matches=counts["cpe_matches"],
        kev=counts["kev"],
        nvd_source=meta.get("nvd.source"),
        nvd_updated_at=meta.get("nvd.updated_at"),
        nvd_completed_until=meta.get("nvd.last_window_end"),
        kev_source=meta.get("kev.source"),
        kev_updated_at=meta.get("kev.updated_at"),
        kev_catalog_version=meta.get("kev.catalogVersion"),
        nvd_data_as_of=max(
            (value for key in ("nvd.last_window_end", "nvd.timestamp") if (value := meta.get(key))),
            key=_moment,
            default=None,
        ),
    )


def database_for_scan(path: Path | None) -> VulnDatabase:
    """The database a scan matches against: the one named, else the downloaded one at the default
    location, else the bundled snapshot (enough to show real CVEs, never enough to show their absence)."""
    if path is not None:
        if not path.is_file():
            raise VulnDbError(
                f"no vulnerability database at {path}: create it with `iotbaseline db update --db {path}`"
            )
        return VulnDatabase.open(path)
    if default_db_path().is_file():
        return VulnDatabase.open(default_db_path())
    return bundled_snapshot_database()


def coverage_gap(state: DbStatus, now: datetime | None = None) -> str | None:
    """Why this database cannot show that no known vulnerability applies, or None when it can."""
    if state.nvd_source == SNAPSHOT_SOURCE:
        return "only the bundled snapshot of a few CVEs was available (run `iotbaseline db update`)"
    if not state.cves:
        return "the vulnerability database holds no NVD data (run `iotbaseline db update`)"
    age = state.age(now)
    if age is None or age > MAX_AGE_DAYS:
        shown = "of unknown age" if age is None else f"{age:.0f} days old"
        return f"the NVD data is {shown}, more than {MAX_AGE_DAYS:g} days (run `iotbaseline db update`)"
    if not state.kev:
        return "the database holds no CISA KEV catalogue, so known exploitation cannot be ruled out"
    return None

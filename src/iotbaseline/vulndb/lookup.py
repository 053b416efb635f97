"""From components to their vulnerabilities: candidate CVEs from the database, exact matching, KEV, VEX."""

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.resources import as_file, files

from iotbaseline.vulndb.aliases import ProductAliases, bundled_aliases
from iotbaseline.vulndb.importer import import_file
from iotbaseline.vulndb.match import MatchableComponent, VulnerabilityMatch, match_components, resolve_target
from iotbaseline.vulndb.store import VulnDatabase
from iotbaseline.vulndb.vex import VexStatement, apply_vex

SNAPSHOT_FILES = ("nvd-snapshot.json", "kev-snapshot.json")


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
    db.set_meta({"nvd.source": "bundled snapshot", "kev.source": "bundled snapshot"})


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

    def age(self, now: datetime | None = None) -> float | None:
        """Days since NVD data was last brought up to date, None if it never was."""
        if not self.nvd_updated_at:
            return None
        updated = datetime.fromisoformat(self.nvd_updated_at.replace("Z", "+00:00"))
        return ((now or datetime.now(UTC)) - updated).total_seconds() / 86400


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
    )

"""Known vulnerabilities, offline: NVD CVE JSON 2.0 and CISA KEV in a local SQLite file, and exact CPE matching."""

from iotbaseline.vulndb.download import KEV_URL, NVD_API_URL, Transport, UpdateResult, UrllibTransport, update
from iotbaseline.vulndb.errors import DownloadError, VulnDbError
from iotbaseline.vulndb.importer import ImportResult, SourceKind, import_file
from iotbaseline.vulndb.lookup import (
    DbStatus,
    bundled_snapshot_database,
    find_vulnerabilities,
    load_bundled_snapshot,
    status,
)
from iotbaseline.vulndb.match import MatchableComponent, MatchReason, MatchStatus, NotAffected, VulnerabilityMatch
from iotbaseline.vulndb.store import VulnDatabase, default_db_path
from iotbaseline.vulndb.versions import Version, compare_versions
from iotbaseline.vulndb.vex import VexStatement, apply_vex, load_vex

__all__ = [
    "KEV_URL",
    "NVD_API_URL",
    "DbStatus",
    "DownloadError",
    "ImportResult",
    "MatchReason",
    "MatchStatus",
    "MatchableComponent",
    "NotAffected",
    "SourceKind",
    "Transport",
    "UpdateResult",
    "UrllibTransport",
    "Version",
    "VexStatement",
    "VulnDatabase",
    "VulnDbError",
    "VulnerabilityMatch",
    "apply_vex",
    "bundled_snapshot_database",
    "compare_versions",
    "default_db_path",
    "find_vulnerabilities",
    "import_file",
    "load_bundled_snapshot",
    "load_vex",
    "status",
    "update",
]

"""What the database holds, as frozen values: CVEs with their CPE configurations, and KEV entries.

The shape follows NVD CVE JSON 2.0: a CVE has configurations; a configuration joins its nodes with
`operator` (AND/OR) and may be negated; a node joins its `cpeMatch` entries the same way.
"""

import enum
from dataclasses import dataclass


class Operator(enum.StrEnum):
    AND = "AND"
    OR = "OR"


@dataclass(frozen=True)
class CpeMatch:
    """One `cpeMatch` entry: a CPE pattern, optionally bounded by a version range."""

    criteria: str
    vulnerable: bool
    version_start_including: str | None = None
    version_start_excluding: str | None = None
    version_end_including: str | None = None
    version_end_excluding: str | None = None
    match_criteria_id: str | None = None

    @property
    def has_range(self) -> bool:
        return any(
            (
                self.version_start_including,
                self.version_start_excluding,
                self.version_end_including,
                self.version_end_excluding,
            )
        )


@dataclass(frozen=True)
class Node:
    operator: Operator
    negate: bool
    matches: tuple[CpeMatch, ...]


@dataclass(frozen=True)
class Configuration:
    operator: Operator  # NVD omits it for a single node; OR then
    negate: bool
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class CvssScore:
    """A CVSS base score as NVD states it (the primary source's when there are several)."""

    version: str  # "3.1", "3.0", "4.0"
    base_score: float
    vector: str
    severity: str  # NONE, LOW, MEDIUM, HIGH, CRITICAL


@dataclass(frozen=True)
class CveRecord:
    id: str
    published: str
    last_modified: str
    description: str
    status: str
    cvss_v3: CvssScore | None  # v3.1, or v3.0 where NVD has no v3.1
    cvss_v4: CvssScore | None
    configurations: tuple[Configuration, ...]

    @property
    def severity(self) -> CvssScore | None:
        """The score reports lead with: v3 (what most tooling and policies use), else v4.0."""
        return self.cvss_v3 or self.cvss_v4


@dataclass(frozen=True)
class KevEntry:
    """One entry of CISA's Known Exploited Vulnerabilities catalogue."""

    cve_id: str
    vendor_project: str
    product: str
    vulnerability_name: str
    date_added: str
    short_description: str
    required_action: str
    due_date: str
    known_ransomware_campaign_use: str
    notes: str

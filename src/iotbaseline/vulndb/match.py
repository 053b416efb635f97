"""Which CVEs apply to which components, and why: NVD's CPE configurations evaluated exactly.

A CVE matches a component only through a *vulnerable* cpeMatch entry whose vendor:product is one of the
component's keys and whose version constraint holds. The other nodes of an AND configuration ("running on"
an operating system or a piece of hardware) are looked up among the image's other components: satisfied,
contradicted (no match), or unknown, in which case the match is `conditional` and names what it requires.
"""

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from iotbaseline.vulndb.aliases import ProductAliases, ProductKey, bundled_aliases
from iotbaseline.vulndb.cpe import ANY, NOT_APPLICABLE, CpeName, parse_cpe
from iotbaseline.vulndb.errors import VulnDbError
from iotbaseline.vulndb.records import Configuration, CpeMatch, CveRecord, CvssScore, KevEntry, Node, Operator
from iotbaseline.vulndb.versions import compare_versions, split_pre_release


class MatchableComponent(Protocol):
    """What the matcher needs of an identified component (the identification model satisfies it as is)."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str | None: ...

    @property
    def cpe(self) -> str | None: ...


class MatchStatus(enum.StrEnum):
    AFFECTED = "affected"
    CONDITIONAL = "conditional"  # holds only if a platform we cannot see (hardware, an OS not identified) is present


@dataclass(frozen=True)
class MatchReason:
    """The cpeMatch entry that matched and the version constraint that held."""

    criteria: str
    constraint: str  # e.g. "1.35.0 <= 1.35.0 (versionEndIncluding)"


@dataclass(frozen=True)
class NotAffected:
    """A manufacturer's statement that the component is not affected (from VEX), kept beside the match."""

    justification: str
    detail: str
    source: str


@dataclass(frozen=True)
class VulnerabilityMatch:
    component: str
    component_version: str
    cve_id: str
    status: MatchStatus
    reasons: tuple[MatchReason, ...]
    conditions: tuple[str, ...]
    description: str
    severity: CvssScore | None
    cvss_v4: CvssScore | None
    kev: KevEntry | None = None
    not_affected: NotAffected | None = None

    @property
    def known_exploited(self) -> bool:
        return self.kev is not None


@dataclass(frozen=True)
class MatchTarget:
    """A component resolved for matching: its version split like CPE's version and update fields."""

    name: str
    version: str  # as given, with any pre-release (`2.45rc3`)
    release: str  # `2.45`
    update: str  # `rc3`, normalised; "" for a release
    products: frozenset[ProductKey] = field(default_factory=frozenset)


def _normalise_update(update: str) -> str:
    if update in (ANY, NOT_APPLICABLE):
        return ""
    return update.lower().replace("-", "").replace("_", "").replace(".", "")


def resolve_target(component: MatchableComponent, aliases: ProductAliases) -> MatchTarget | None:
    """None when the component has no version: a CVE is never matched on a guessed version."""
    cpe: CpeName | None = None
    if component.cpe:
        try:
            cpe = parse_cpe(component.cpe)
        except VulnDbError:
            cpe = None
    version = component.version or (cpe.version if cpe and cpe.version not in (ANY, NOT_APPLICABLE) else None)
    if not version:
        return None
    split = split_pre_release(version)
    update = split.pre_release
    if not update and cpe and _normalise_update(cpe.update):
        update = cpe.update  # the identification put the pre-release or patch level in the CPE's update field
        version = f"{version}{cpe.update}"
    products = aliases.keys_for(component.name, (cpe.vendor, cpe.product) if cpe else None)
    return MatchTarget(component.name, version, split.release, _normalise_update(update), products)


def _range_reason(match: CpeMatch, version: str) -> str | None:
    """The range text if `version` lies within the entry's bounds, else None."""
    held = []
    bounds = (
        (match.version_start_including, ">=", (0, 1), "versionStartIncluding"),
        (match.version_start_excluding, ">", (1,), "versionStartExcluding"),
        (match.version_end_including, "<=", (-1, 0), "versionEndIncluding"),
        (match.version_end_excluding, "<", (-1,), "versionEndExcluding"),
    )
    for bound, symbol, allowed, name in bounds:
        if bound is None:
            continue
        if compare_versions(version, bound) not in allowed:
            return None
        held.append(f"{version} {symbol} {bound} ({name})")
    return ", ".join(held)


def entry_reason(match: CpeMatch, target: MatchTarget) -> MatchReason | None:
    """Why `match` applies to `target`, or None. Ignores the `vulnerable` flag (the caller decides its role)."""
    cpe = parse_cpe(match.criteria)
    if (cpe.vendor, cpe.product) not in target.products:
        return None
    if cpe.version == NOT_APPLICABLE:
        return None  # "no version" cannot be confirmed for a component whose version we know
    criteria_update = _normalise_update(cpe.update)
    if cpe.version != ANY:
        # An exact version: the release and the update must both agree (`2.45:rc3` is not `2.45`, nor vice versa).
        exact = split_pre_release(cpe.version)
        wanted_update = criteria_update or _normalise_update(exact.pre_release)
        if compare_versions(exact.release, target.release) != 0 or wanted_update != target.update:
            return None
        shown = cpe.version + (f" update {cpe.update}" if criteria_update else "")
        return MatchReason(match.criteria, f"{target.version} = {shown} (exact version)")
    if criteria_update and criteria_update != target.update:
        return None
    if not match.has_range:
        return MatchReason(match.criteria, f"{target.version}: every version (no version bound in the criteria)")
    constraint = _range_reason(match, target.version)
    return MatchReason(match.criteria, constraint) if constraint is not None else None


class _Truth(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class _NodeResult:
    truth: _Truth
    reasons: tuple[MatchReason, ...] = ()
    conditions: tuple[str, ...] = ()


def _describe(match: CpeMatch) -> str:
    bounds = [
        f"{symbol} {value}"
        for value, symbol in (
            (match.version_start_including, ">="),
            (match.version_start_excluding, ">"),
            (match.version_end_including, "<="),
            (match.version_end_excluding, "<"),
        )
        if value
    ]
    return match.criteria + (f" ({', '.join(bounds)})" if bounds else "")


def _requirement(match: CpeMatch, inventory: Sequence[MatchTarget]) -> _Truth:
    """Whether the image has the platform an entry names: yes, no (it has that product in another version), unknown."""
    cpe = parse_cpe(match.criteria)
    same_product = [t for t in inventory if (cpe.vendor, cpe.product) in t.products]
    if any(entry_reason(match, t) for t in same_product):
        return _Truth.TRUE
    if same_product and cpe.version in (ANY, NOT_APPLICABLE) and not match.has_range:
        return _Truth.TRUE  # "running on Linux", whatever its version
    return _Truth.FALSE if same_product else _Truth.UNKNOWN


def _combine(operator: Operator, truths: Iterable[_Truth]) -> _Truth:
    values = set(truths)
    decisive, other = (_Truth.TRUE, _Truth.FALSE) if operator is Operator.OR else (_Truth.FALSE, _Truth.TRUE)
    if decisive in values:
        return decisive
    return _Truth.UNKNOWN if _Truth.UNKNOWN in values else other


def _negate(truth: _Truth) -> _Truth:
    return {_Truth.TRUE: _Truth.FALSE, _Truth.FALSE: _Truth.TRUE, _Truth.UNKNOWN: _Truth.UNKNOWN}[truth]


def _evaluate_node(node: Node, target: MatchTarget, inventory: Sequence[MatchTarget]) -> _NodeResult:
    anchors = [(m, r) for m in node.matches if m.vulnerable and (r := entry_reason(m, target))]
    if anchors and not node.negate:
        if node.operator is Operator.OR:
            return _NodeResult(_Truth.TRUE, tuple(r for _, r in anchors))
        anchored = {id(m) for m, _ in anchors}
        others = [m for m in node.matches if id(m) not in anchored]
        truth = _combine(Operator.AND, [_Truth.TRUE, *(_requirement(m, inventory) for m in others)])
        conditions = tuple(f"with {_describe(m)}" for m in others) if truth is _Truth.UNKNOWN else ()
        return _NodeResult(truth, tuple(r for _, r in anchors), conditions)
    if anchors:
        return _NodeResult(_Truth.FALSE)  # a negated node excludes the very component it names
    truth = _combine(node.operator, (_requirement(m, inventory) for m in node.matches))
    if node.negate:
        truth = _negate(truth)
    if truth is not _Truth.UNKNOWN:
        return _NodeResult(truth)
    joined = " or ".join if node.operator is Operator.OR else " and ".join
    prefix = "not running on " if node.negate else "running on "
    return _NodeResult(truth, conditions=(prefix + joined(_describe(m) for m in node.matches),))


def evaluate_configuration(
    config: Configuration, target: MatchTarget, inventory: Sequence[MatchTarget]
) -> tuple[MatchStatus, tuple[MatchReason, ...], tuple[str, ...]] | None:
    """The status of one configuration for `target`, with the reasons and the unmet requirements."""
    if config.negate:
        return None  # NVD does not use negated configurations; refusing them cannot add a false match
    results = [_evaluate_node(node, target, inventory) for node in config.nodes]
    anchored = [r for r in results if r.reasons and r.truth is not _Truth.FALSE]
    if not anchored:
        return None
    if config.operator is Operator.OR:
        best = [r for r in anchored if r.truth is _Truth.TRUE] or anchored
        reasons = tuple(reason for r in best for reason in r.reasons)
        if best[0].truth is _Truth.TRUE:
            return MatchStatus.AFFECTED, reasons, ()
        return MatchStatus.CONDITIONAL, reasons, tuple(c for r in best for c in r.conditions)
    truth = _combine(Operator.AND, (r.truth for r in results))
    if truth is _Truth.FALSE:
        return None
    reasons = tuple(reason for r in anchored for reason in r.reasons)
    if truth is _Truth.TRUE:
        return MatchStatus.AFFECTED, reasons, ()
    return MatchStatus.CONDITIONAL, reasons, tuple(c for r in results for c in r.conditions)


def match_target(record: CveRecord, target: MatchTarget, inventory: Sequence[MatchTarget]) -> VulnerabilityMatch | None:
    outcomes = [o for c in record.configurations if (o := evaluate_configuration(c, target, inventory))]
    if not outcomes:
        return None
    affected = [o for o in outcomes if o[0] is MatchStatus.AFFECTED]
    chosen = affected or outcomes
    reasons = tuple(dict.fromkeys(r for o in chosen for r in o[1]))
    conditions = () if affected else tuple(dict.fromkeys(c for o in chosen for c in o[2]))
    return VulnerabilityMatch(
        component=target.name,
        component_version=target.version,
        cve_id=record.id,
        status=chosen[0][0],
        reasons=reasons,
        conditions=conditions,
        description=record.description,
        severity=record.severity,
        cvss_v4=record.cvss_v4,
    )


def match_components(
    components: Sequence[MatchableComponent],
    records: Iterable[CveRecord],
    aliases: ProductAliases | None = None,
) -> list[VulnerabilityMatch]:
    """Every (component, CVE) pair that matches, the image's components serving as each other's platform."""
    table = aliases or bundled_aliases()
    targets = [t for c in components if (t := resolve_target(c, table))]
    matches = []
    for record in records:
        for target in targets:
            found = match_target(record, target, targets)
            if found:
                matches.append(found)
    return sorted(matches, key=lambda m: (m.component, m.cve_id))

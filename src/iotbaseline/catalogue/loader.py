"""Reads the standards catalogue files into typed, cross-checked `Provision` objects.

Every inconsistency (unknown key, bad obligation, a status that contradicts its conditions, a condition code
missing from the file's table, a mapping to a provision that does not exist) is a `CatalogueError` naming the
file and the provision, so a typo in the data can never turn into a silently wrong verdict.
"""

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from iotbaseline.catalogue.entries import CatalogueError, ComplianceRoute, ScheduleItem, Standard
from iotbaseline.catalogue.queries import Catalogue
from iotbaseline.model import EvidenceChannel, Obligation, Provision

CATALOGUE_SUFFIXES = (".yaml", ".yml", ".json")  # YAML is a superset of JSON: one parser reads both

_FILE_REQUIRED = frozenset({"standard", "title", "version", "provisions"})
_FILE_OPTIONAL = frozenset(
    {
        "source",
        "note",
        "condition_prefix",
        "clauses",
        "conditions",
        "features",
        "excepted_products",
        "statement_of_compliance",
    }
)
_PROVISION_REQUIRED = frozenset({"id", "clause", "title", "obligation", "channels"})
_PROVISION_OPTIONAL = frozenset({"status", "conditions", "confirmed", "maps_to", "note", "parts", "deemed_compliance"})
_ROUTE_KEYS = (frozenset({"all_of"}), frozenset({"confirmed", "note"}))
_ITEM_KEYS = (frozenset({"id", "description"}), frozenset({"confirmed", "note"}))

_STRENGTHS = ("full", "partial")
_STATUS = re.compile(r"(?P<level>[MR]) ?(?P<conditional>C)? ?(?P<featured>F)? ?(?:\((?P<codes>[^()]+)\))?")
_LEVEL_OBLIGATION = {"M": Obligation.MANDATORY, "R": Obligation.RECOMMENDED}


@dataclass(frozen=True)
class _FileContent:
    """One file as read, its `maps_to` still holding the patterns written in it."""

    name: str
    standard: Standard
    partial_channels: dict[str, tuple[EvidenceChannel, ...]]
    parts: dict[str, tuple[int, ...]]
    routes: dict[str, tuple[ComplianceRoute, ...]]


def packaged_sources() -> tuple[Traversable, ...]:
    """The catalogue files shipped inside the package (found through importlib.resources, so a wheel works)."""
    folder = files("iotbaseline") / "data" / "standards"
    found = (entry for entry in folder.iterdir() if entry.is_file() and entry.name.endswith(CATALOGUE_SUFFIXES))
    return tuple(sorted(found, key=lambda entry: entry.name.rsplit(".", 1)[0]))  # EN303645 before EN303645-V3


@functools.cache
def default_catalogue() -> Catalogue:
    """The packaged catalogue, read and validated once per process."""
    return load_catalogue(packaged_sources())


def load_catalogue(sources: Iterable[Traversable]) -> Catalogue:
    """Read the given catalogue files together; mappings may only point into files of the same set."""
    contents = [_read_file(source) for source in sources]
    seen: dict[str, str] = {}
    for content in contents:
        key = content.standard.key
        if key in seen:
            raise CatalogueError(f"{content.name}: standard {key} is already defined by {seen[key]}")
        seen[key] = content.name
    ids = {content.standard.key: [p.id for p in content.standard.provisions] for content in contents}
    standards = []
    routes: dict[str, tuple[ComplianceRoute, ...]] = {}
    partial: dict[str, tuple[EvidenceChannel, ...]] = {}
    parts: dict[str, tuple[int, ...]] = {}
    for content in contents:
        standards.append(_resolve(content, ids))
        routes.update(content.routes)
        partial.update(content.partial_channels)
        parts.update(content.parts)
    return Catalogue(standards, partial_channels=partial, parts=parts, routes=routes)


# --- one file -------------------------------------------------------------------------------------------


def _read_file(source: Traversable) -> _FileContent:
    name = source.name
    try:
        data = yaml.load(source.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{name}: cannot read: {error}") from error
    except yaml.YAMLError as error:
        raise CatalogueError(f"{name}: not valid YAML: {' '.join(str(error).split())}") from error
    top = _mapping(data, name)
    _check_keys(top, name, _FILE_REQUIRED, _FILE_OPTIONAL)
    key = _text(top["standard"], name, "standard")
    stem = name.rsplit(".", 1)[0]
    if key != stem:
        raise CatalogueError(f"{name}: standard is {key!r} but the file name says {stem!r}; make them agree")
    if ":" in key:
        raise CatalogueError(f"{name}: standard {key!r} must not contain ':' (it separates qualified ids)")
    conditions = _table(top.get("conditions", {}), name, "conditions")
    features = _table(top.get("features", {}), name, "features")
    if both := sorted(conditions.keys() & features.keys()):
        raise CatalogueError(f"{name}: codes {both} are both conditions and features")
    clauses = _table(top.get("clauses", {}), name, "clauses")
    prefix = _text(top.get("condition_prefix", ""), name, "condition_prefix")

    raw_provisions = top["provisions"]
    if not isinstance(raw_provisions, list) or not raw_provisions:
        raise CatalogueError(f"{name}: provisions must be a non-empty list")
    provisions: list[Provision] = []
    partial: dict[str, tuple[EvidenceChannel, ...]] = {}
    parts: dict[str, tuple[int, ...]] = {}
    routes: dict[str, tuple[ComplianceRoute, ...]] = {}
    reader = _ProvisionReader(name, key, clauses, {**conditions, **features}, prefix)
    for index, raw in enumerate(raw_provisions):
        provision, partial_channels, provision_parts, provision_routes = reader.read(index, raw)
        if any(p.id == provision.id for p in provisions):
            raise CatalogueError(f"{name}: provision {provision.id} is defined twice")
        provisions.append(provision)
        if partial_channels:
            partial[provision.qualified_id] = partial_channels
        if provision_parts:
            parts[provision.qualified_id] = provision_parts
        if provision_routes:
            routes[provision.qualified_id] = provision_routes

    standard = Standard(
        key=key,
        title=_text(top["title"], name, "title"),
        version=_text(top["version"], name, "version"),
        provisions=tuple(provisions),
        source=_text(top.get("source", ""), name, "source"),
        note=_text(top.get("note", ""), name, "note"),
        clauses=clauses,
        conditions=conditions,
        features=features,
        excepted_products=_schedule(top.get("excepted_products", []), name, "excepted_products"),
        statement_of_compliance=_schedule(top.get("statement_of_compliance", []), name, "statement_of_compliance"),
    )
    return _FileContent(name, standard, partial, parts, routes)


class _ProvisionReader:
    """Reads the provision entries of one file against that file's clause and condition tables."""

    def __init__(self, name: str, standard: str, clauses: Mapping[str, str], codes: Mapping[str, str], prefix: str):
        self.name = name
        self.standard = standard
        self.clauses = clauses
        self.codes = codes
        self.prefix = prefix

    def read(
        self, index: int, raw: object
    ) -> tuple[Provision, tuple[EvidenceChannel, ...], tuple[int, ...], tuple[ComplianceRoute, ...]]:
        position = f"{self.name}: provision #{index + 1}"
        entry = _mapping(raw, position)
        if "id" not in entry:
            raise CatalogueError(f"{position}: missing key 'id'")
        pid = _text(entry["id"], position, "id")
        where = f"{self.name}: provision {pid}"
        _check_keys(entry, where, _PROVISION_REQUIRED, _PROVISION_OPTIONAL)
        if not pid or any(c in pid for c in ":* "):
            raise CatalogueError(f"{where}: an id must be non-empty, without ':', '*' or spaces")
        clause = _text(entry["clause"], where, "clause")
        if self.clauses and clause not in self.clauses:
            raise CatalogueError(f"{where}: clause {clause!r} is not in the file's clauses table")
        obligation_text = _text(entry["obligation"], where, "obligation")
        try:
            obligation = Obligation(obligation_text)
        except ValueError:
            choices = ", ".join(o.value for o in Obligation)
            raise CatalogueError(f"{where}: obligation {obligation_text!r} is not one of {choices}") from None
        conditions = _texts(entry.get("conditions", []), where, "conditions")
        for code in conditions:
            if code not in self.codes:
                raise CatalogueError(f"{where}: condition {code!r} is not in the file's condition or feature table")
        status = _text(entry.get("status", ""), where, "status")
        if status:
            self._check_status(status, obligation, conditions, where)
        channels, partial = _channels(entry["channels"], where)
        provision = Provision(
            standard=self.standard,
            id=pid,
            clause=clause,
            title=_text(entry["title"], where, "title"),
            obligation=obligation,
            status=status,
            conditions=conditions,
            channels=channels,
            confirmed=_flag(entry.get("confirmed", True), where, "confirmed"),
            maps_to=_targets(entry.get("maps_to", []), where),
            note=_text(entry.get("note", ""), where, "note"),
        )
        return provision, partial, _parts(entry.get("parts", []), where), _routes(entry, where)

    def _check_status(self, status: str, obligation: Obligation, conditions: tuple[str, ...], where: str) -> None:
        """The status code restates the obligation and the conditions; both copies must agree."""
        match = _STATUS.fullmatch(status)
        if match is None:
            raise CatalogueError(f"{where}: status {status!r} is not M/R followed by optional C, F and (codes)")
        if _LEVEL_OBLIGATION[match["level"]] != obligation:
            raise CatalogueError(f"{where}: status {status!r} contradicts obligation {obligation.value}")
        codes = [code.strip() for code in match["codes"].split(",")] if match["codes"] else []
        numbers = [self.prefix + code for code in codes if code.isdigit()]
        letters = [code for code in codes if not code.isdigit()]
        if bool(match["conditional"]) != bool(numbers) or bool(match["featured"]) != bool(letters):
            raise CatalogueError(f"{where}: status {status!r}: C needs condition numbers and F feature letters")
        if sorted(numbers + letters) != sorted(conditions):
            raise CatalogueError(
                f"{where}: status {status!r} names {numbers + letters}, conditions say {list(conditions)}"
            )


def _channels(value: object, where: str) -> tuple[tuple[EvidenceChannel, ...], tuple[EvidenceChannel, ...]]:
    """`{firmware: full, live: partial}` -> (all channels, the partial ones), both in EvidenceChannel order."""
    table = _table(value, where, "channels")
    if not table:
        raise CatalogueError(f"{where}: channels is empty; name at least one way to evidence the provision")
    names = {c.value for c in EvidenceChannel}
    for channel, strength in table.items():
        if channel not in names:
            raise CatalogueError(f"{where}: channel {channel!r} is not one of {', '.join(sorted(names))}")
        if strength not in _STRENGTHS:
            raise CatalogueError(f"{where}: channel {channel} strength {strength!r} is not full or partial")
    channels = tuple(c for c in EvidenceChannel if c.value in table)
    return channels, tuple(c for c in channels if table[c.value] == "partial")


def _targets(value: object, where: str) -> tuple[str, ...]:
    targets = _texts(value, where, "maps_to")
    for target in targets:
        standard, _, pid = target.partition(":")
        if not standard or not pid or "*" in pid[:-1]:
            raise CatalogueError(f"{where}: maps_to {target!r} is not STANDARD:ID or STANDARD:PREFIX*")
    return targets


def _parts(value: object, where: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(type(p) is int and p > 0 for p in value):
        raise CatalogueError(f"{where}: parts must be a list of positive part numbers")
    return tuple(value)


def _routes(entry: Mapping[str, object], where: str) -> tuple[ComplianceRoute, ...]:
    if "deemed_compliance" not in entry:
        return ()
    raw = entry["deemed_compliance"]
    if not isinstance(raw, list) or not raw:
        raise CatalogueError(f"{where}: deemed_compliance must be a non-empty list of routes")
    routes = []
    for index, item in enumerate(raw):
        route_where = f"{where}: deemed_compliance route #{index + 1}"
        route = _mapping(item, route_where)
        _check_keys(route, route_where, *_ROUTE_KEYS)
        all_of = _texts(route["all_of"], route_where, "all_of")
        if not all_of or any(":" not in qid or "*" in qid for qid in all_of):
            raise CatalogueError(f"{route_where}: all_of must list qualified ids (STANDARD:ID), no patterns")
        confirmed = _flag(route.get("confirmed", True), route_where, "confirmed")
        routes.append(ComplianceRoute(all_of, confirmed, _text(route.get("note", ""), route_where, "note")))
    return tuple(routes)


def _schedule(value: object, name: str, key: str) -> tuple[ScheduleItem, ...]:
    if not isinstance(value, list):
        raise CatalogueError(f"{name}: {key} must be a list")
    items: list[ScheduleItem] = []
    for index, raw in enumerate(value):
        where = f"{name}: {key} #{index + 1}"
        entry = _mapping(raw, where)
        _check_keys(entry, where, *_ITEM_KEYS)
        item = ScheduleItem(
            id=_text(entry["id"], where, "id"),
            description=_text(entry["description"], where, "description"),
            confirmed=_flag(entry.get("confirmed", True), where, "confirmed"),
            note=_text(entry.get("note", ""), where, "note"),
        )
        if any(other.id == item.id for other in items):
            raise CatalogueError(f"{where}: id {item.id!r} is used twice")
        items.append(item)
    return tuple(items)


# --- across files ---------------------------------------------------------------------------------------


def _resolve(content: _FileContent, ids: Mapping[str, list[str]]) -> Standard:
    """Expand `maps_to` patterns into qualified ids and check that every reference, routes too, exists."""
    provisions = []
    for provision in content.standard.provisions:
        where = f"{content.name}: provision {provision.id}"
        targets: list[str] = []
        for pattern in provision.maps_to:
            targets.extend(_expand(pattern, ids, f"{where}: maps_to"))
        for route in content.routes.get(provision.qualified_id, ()):
            for qid in route.all_of:
                targets.extend(_expand(qid, ids, f"{where}: deemed_compliance"))
        # A requirement's routes are what it maps to, so maps_to also lists them.
        provisions.append(replace(provision, maps_to=tuple(dict.fromkeys(targets))))
    return replace(content.standard, provisions=tuple(provisions))


def _expand(pattern: str, ids: Mapping[str, list[str]], where: str) -> list[str]:
    standard, _, pid = pattern.partition(":")
    if standard not in ids:
        raise CatalogueError(f"{where} {pattern!r}: no standard {standard!r} in the catalogue")
    if pid.endswith("*"):
        found = [f"{standard}:{i}" for i in ids[standard] if i.startswith(pid[:-1])]
        if not found:
            raise CatalogueError(f"{where} {pattern!r}: matches no provision of {standard}")
        return found
    if pid not in ids[standard]:
        raise CatalogueError(f"{where} {pattern!r}: {standard} has no provision {pid!r}")
    return [pattern]


# --- typed access to parsed YAML ------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key given twice in one mapping (plain YAML silently keeps the last)."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is given twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def _mapping(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: expected a mapping of keys to values")
    return {str(k): v for k, v in value.items()}


def _check_keys(data: Mapping[str, object], where: str, required: frozenset[str], optional: frozenset[str]) -> None:
    if unknown := sorted(data.keys() - required - optional):
        raise CatalogueError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(required | optional))})")
    if missing := sorted(required - data.keys()):
        raise CatalogueError(f"{where}: missing key {missing[0]!r}")


def _text(value: object, where: str, key: str) -> str:
    if isinstance(value, str):
        return value
    if type(value) is int:  # an unquoted PSTI "1" or condition "12" reads as int, and means the same
        return str(value)
    if isinstance(value, float):
        raise CatalogueError(f"{where}: {key} {value!r} read as a number; quote it (5.10 would become 5.1)")
    raise CatalogueError(f"{where}: {key} must be text, not {type(value).__name__}")


def _texts(value: object, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise CatalogueError(f"{where}: {key} must be a list")
    return tuple(_text(item, where, key) for item in value)


def _flag(value: object, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise CatalogueError(f"{where}: {key} must be true or false")
    return value


def _table(value: object, where: str, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: {key} must be a mapping")
    return {_text(k, where, f"{key} key"): _text(v, where, f"{key} {k!r}") for k, v in value.items()}

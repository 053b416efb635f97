"""The end-of-life table: `data/components/eol.yaml`, loaded once and validated.

Dates, branches and their sources are data; this module turns them into typed values and refuses a
file with a mistake, saying where it is.
"""

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.components.catalogue import load_catalogue
from iotbaseline.errors import IotBaselineError
from iotbaseline.vulndb.versions import compare_versions

DATA_FILE = "data/components/eol.yaml"
_BRANCH = re.compile(r"\d+(?:\.\d+)*$")

BranchKey = tuple[int, ...]
"""A branch as numbers: OpenWrt's "17.01" and a version's "17.01.7" meet at (17, 1)."""


class EolDataError(IotBaselineError):
    """The shipped end-of-life file is malformed (a packaging or editing mistake)."""


class Support(StrEnum):
    BRANCHES = "branches"
    """Upstream publishes release branches with end dates."""
    LATEST_ONLY = "latest-only"
    """Only the newest release line gets fixes; there is no dated end to report."""
    DISCONTINUED = "discontinued"
    """The whole project ended on a date."""


@dataclass(frozen=True)
class Citation:
    source: str
    checked: date
    confirmed: bool
    """False: the date could not be confirmed from the source (chosen day of a month, derived, a bound)."""


@dataclass(frozen=True)
class Branch:
    name: str
    ended: date | None
    """None: no end announced yet."""
    lts: bool
    citation: Citation


@dataclass(frozen=True)
class OlderBranches:
    """Branches not listed and older than `before`: all had ended by `ended_by`."""

    before: str
    ended_by: date
    why: str
    citation: Citation


@dataclass(frozen=True)
class Variant:
    """A separate maintenance line (CIP's super-long-term kernels), recognised in the evidence text."""

    name: str
    marker: re.Pattern[str]
    branches: Mapping[BranchKey, Branch]
    older: OlderBranches | None


@dataclass(frozen=True)
class Discontinuation:
    ended: date
    why: str
    below: str | None
    """Only versions older than this are the discontinued project (uClibc-ng kept uClibc's package name)."""


@dataclass(frozen=True)
class Lifecycle:
    key: str
    name: str
    support: Support
    citation: Citation
    policy: str | None
    """The project's own release policy page, when the dates come from elsewhere."""
    schemes: tuple[tuple[str, int], ...]
    """(from version, how many leading numbers name a branch), oldest first."""
    branches: Mapping[BranchKey, Branch]
    older: OlderBranches | None
    variants: tuple[Variant, ...]
    discontinued: Discontinuation | None


def branch_of(numbers: Sequence[str], schemes: Sequence[tuple[str, int]]) -> str | None:
    """The branch a release belongs to (`1.0.2` for 1.0.2k, `2.6.36` for Linux 2.6.36.4, `4.14` for 4.14.180).

    None when the version has fewer numbers than a branch name: OpenSSL "1.1" could be 1.1.0 or 1.1.1.
    """
    text = ".".join(numbers)
    parts = 2
    for start, count in schemes:
        if compare_versions(text, start) >= 0:
            parts = count
    return ".".join(numbers[:parts]) if len(numbers) >= parts else None


def branch_key(branch: str) -> BranchKey:
    return tuple(int(n) for n in branch.split("."))


@functools.cache
def load_eol_table() -> Mapping[str, Lifecycle]:
    text = files("iotbaseline").joinpath(DATA_FILE).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise EolDataError(f"{DATA_FILE}: not valid YAML: {error}") from error
    return parse_eol_table(data, frozenset(load_catalogue().components))


def parse_eol_table(data: Any, known_components: frozenset[str]) -> Mapping[str, Lifecycle]:
    """Validates the whole file; the first problem is raised with where it is."""
    try:
        top = _mapping(data, "the file", required={"components"})
        entries = _mapping(top["components"], "components")
        table = {}
        for key, entry in entries.items():
            if key not in known_components:
                raise ValueError(f"{key!r} is not a component of signatures.yaml")
            table[str(key)] = _lifecycle(str(key), entry)
        return table
    except (ValueError, TypeError, re.error) as error:
        raise EolDataError(f"{DATA_FILE}: {error}") from error


_COMMON = {"name", "support", "source", "policy", "checked", "confirmed"}
_FIELDS = {
    Support.BRANCHES: _COMMON | {"branch_parts", "branches", "older", "variants"},
    Support.LATEST_ONLY: _COMMON,
    Support.DISCONTINUED: _COMMON | {"ended", "why", "below", "branch_parts"},
}


def _lifecycle(key: str, raw: Any) -> Lifecycle:
    where = key
    entry = _mapping(raw, where, required={"name", "support", "source", "checked", "confirmed"})
    try:
        support = Support(entry["support"])
    except ValueError:
        raise ValueError(f"{where}: support must be one of {[s.value for s in Support]}") from None
    _no_unknown(entry, _FIELDS[support], where)
    citation = _citation(entry, where)
    policy = entry.get("policy")
    if policy is not None and not (isinstance(policy, str) and policy.startswith(("https://", "http://"))):
        raise ValueError(f"{where}: policy must be an http(s) URL, not {policy!r}")
    schemes = _schemes(entry.get("branch_parts"), where)
    branches: Mapping[BranchKey, Branch] = {}
    older = None
    variants: tuple[Variant, ...] = ()
    discontinued = None
    if support is Support.BRANCHES:
        if "branches" not in entry:
            raise ValueError(f"{where}: support 'branches' needs a list of branches")
        branches = _branches(entry["branches"], schemes, citation, where)
        older = _older(entry.get("older"), citation, where)
        variants = tuple(_variant_entry(v, schemes, where) for v in _list(entry.get("variants", []), where))
    elif support is Support.DISCONTINUED:
        discontinued = Discontinuation(
            ended=_date(entry.get("ended"), f"{where}: ended"),
            why=_text(entry.get("why"), f"{where}: why"),
            below=_dotted(entry["below"], f"{where}: below") if "below" in entry else None,
        )
    name = _text(entry["name"], f"{where}: name")
    return Lifecycle(key, name, support, citation, policy, schemes, branches, older, variants, discontinued)


def _citation(entry: Mapping[str, Any], where: str, default: Citation | None = None) -> Citation:
    source = entry.get("source", default.source if default else None)
    if not isinstance(source, str) or not source.startswith(("https://", "http://")):
        raise ValueError(f"{where}: source must be an http(s) URL, not {source!r}")
    if "checked" in entry:
        checked = _date(entry["checked"], f"{where}: checked")
    elif default is not None:
        checked = default.checked
    else:
        raise ValueError(f"{where}: missing checked")
    confirmed = entry.get("confirmed", default.confirmed if default else None)
    if not isinstance(confirmed, bool):
        raise ValueError(f"{where}: confirmed must be true or false")
    return Citation(source, checked, confirmed)


def _schemes(raw: Any, where: str) -> tuple[tuple[str, int], ...]:
    schemes = []
    for item in _list(raw or [], f"{where}: branch_parts"):
        entry = _mapping(item, f"{where}: branch_parts", required={"from", "parts"})
        _no_unknown(entry, {"from", "parts"}, f"{where}: branch_parts")
        parts = entry["parts"]
        if not isinstance(parts, int) or isinstance(parts, bool) or not 1 <= parts <= 4:
            raise ValueError(f"{where}: branch_parts: parts must be 1 to 4, not {parts!r}")
        schemes.append((_dotted(entry["from"], f"{where}: branch_parts: from"), parts))
    starts = [s for s, _ in schemes]
    if starts != sorted(starts, key=functools.cmp_to_key(compare_versions)):
        raise ValueError(f"{where}: branch_parts must be ordered oldest first")
    return tuple(schemes)


def _branches(
    raw: Any, schemes: Sequence[tuple[str, int]], default: Citation, where: str
) -> Mapping[BranchKey, Branch]:
    branches: dict[BranchKey, Branch] = {}
    for item in _list(raw, f"{where}: branches"):
        entry = _mapping(item, f"{where}: branches", required={"branch", "ended"})
        name = _dotted(entry["branch"], f"{where}: branch")
        here = f"{where}: branch {name}"
        _no_unknown(entry, {"branch", "ended", "lts", "source", "checked", "confirmed"}, here)
        expected = branch_of(name.split("."), schemes)
        if expected != name:
            raise ValueError(f"{here}: does not name a branch under branch_parts (expected {expected})")
        if branch_key(name) in branches:
            raise ValueError(f"{here}: listed twice")
        ended = None if entry["ended"] is None else _date(entry["ended"], f"{here}: ended")
        lts = entry.get("lts", False)
        if not isinstance(lts, bool):
            raise ValueError(f"{here}: lts must be true or false")
        branches[branch_key(name)] = Branch(name, ended, lts, _citation(entry, here, default))
    return branches


def _older(raw: Any, default: Citation, where: str) -> OlderBranches | None:
    if raw is None:
        return None
    here = f"{where}: older"
    entry = _mapping(raw, here, required={"before", "ended_by", "why"})
    _no_unknown(entry, {"before", "ended_by", "why", "source", "checked", "confirmed"}, here)
    return OlderBranches(
        before=_dotted(entry["before"], f"{here}: before"),
        ended_by=_date(entry["ended_by"], f"{here}: ended_by"),
        why=_text(entry["why"], f"{here}: why"),
        citation=_citation(entry, here, default),
    )


def _variant_entry(raw: Any, schemes: Sequence[tuple[str, int]], where: str) -> Variant:
    entry = _mapping(raw, f"{where}: variants", required={"name", "marker", "branches", "source", "checked"})
    name = _text(entry["name"], f"{where}: variant name")
    here = f"{where}: variant {name}"
    _no_unknown(entry, {"name", "marker", "branches", "older", "source", "checked", "confirmed"}, here)
    citation = _citation(entry, here)
    return Variant(
        name=name,
        marker=re.compile(_text(entry["marker"], f"{here}: marker")),
        branches=_branches(entry["branches"], schemes, citation, here),
        older=_older(entry.get("older"), citation, here),
    )


def _mapping(value: Any, where: str, required: set[str] | frozenset[str] = frozenset()) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{where}: expected a mapping, found {type(value).__name__}")
    missing = sorted(required - set(value))
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{where}: expected a list, found {type(value).__name__}")
    return value


def _no_unknown(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown field {', '.join(unknown)}")


def _date(value: Any, where: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise ValueError(f"{where}: expected a date (YYYY-MM-DD), found {value!r}")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{where}: expected a date (YYYY-MM-DD), found {value!r}") from None


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected text, found {value!r}")
    return value


def _dotted(value: Any, where: str) -> str:
    """Branch names and thresholds are quoted dotted numbers ("4.14"), never YAML floats (4.1 == 4.10)."""
    if not isinstance(value, str) or not _BRANCH.match(value):
        raise ValueError(f'{where}: expected a quoted dotted version such as "4.14", found {value!r}')
    return value

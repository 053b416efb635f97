"""Pairing the findings of two releases: fixed, introduced, unchanged, changed (see `keys` for the keys).

Only findings of checks that ran on both sides are compared: a check skipped or failed on one side found
nothing there, and "not found" would read as "fixed" or "introduced".
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from iotbaseline.diff.keys import exact_key, place_key, position, subject_key
from iotbaseline.diff.model import FindingChange, FindingDiff
from iotbaseline.model import Finding, JSONValue

Indexed = tuple[int, Finding]
KeyOf = Callable[[Finding, frozenset[str]], Hashable | None]


@dataclass(frozen=True)
class Side:
    """One release's findings and the image names they may embed."""

    findings: tuple[Finding, ...]
    images: frozenset[str]


def compare_findings(old: Side, new: Side, comparable: Callable[[str], bool]) -> FindingDiff:
    """`comparable(check_id)`: whether the check ran on both sides."""
    old_left = [(i, f) for i, f in enumerate(old.findings) if comparable(f.check)]
    new_left = [(i, f) for i, f in enumerate(new.findings) if comparable(f.check)]
    unchanged: list[Indexed] = []
    for key_of in (exact_key, place_key):
        pairs, old_left, new_left = _pair(old_left, new_left, old.images, new.images, key_of)
        unchanged += [new_finding for _, new_finding in pairs]
    pairs, old_left, new_left = _pair(old_left, new_left, old.images, new.images, subject_key)
    return FindingDiff(
        fixed=_in_order(old_left),
        introduced=_in_order(new_left),
        unchanged=_in_order(unchanged),
        changed=tuple(_change(o, n) for (_, o), (_, n) in sorted(pairs, key=lambda pair: pair[1][0])),
        not_compared_old=tuple(f for f in old.findings if not comparable(f.check)),
        not_compared_new=tuple(f for f in new.findings if not comparable(f.check)),
    )


def _pair(
    old: Sequence[Indexed],
    new: Sequence[Indexed],
    old_images: frozenset[str],
    new_images: frozenset[str],
    key_of: KeyOf,
) -> tuple[list[tuple[Indexed, Indexed]], list[Indexed], list[Indexed]]:
    """Findings of one key paired in the order they appear in their files; the rest left for a looser key."""
    old_groups = _groups(old, old_images, key_of)
    new_groups = _groups(new, new_images, key_of)
    pairs: list[tuple[Indexed, Indexed]] = []
    for key, olds in old_groups.items():
        pairs += zip(olds, new_groups.get(key, ()), strict=False)
    paired_old = {index for (index, _), _ in pairs}
    paired_new = {index for _, (index, _) in pairs}
    return (
        pairs,
        [item for item in old if item[0] not in paired_old],
        [item for item in new if item[0] not in paired_new],
    )


def _groups(items: Iterable[Indexed], images: frozenset[str], key_of: KeyOf) -> Mapping[Hashable, list[Indexed]]:
    groups: defaultdict[Hashable, list[Indexed]] = defaultdict(list)
    for item in items:
        key = key_of(item[1], images)
        if key is not None:
            groups[key].append(item)
    for members in groups.values():
        members.sort(key=lambda item: (position(item[1]), item[0]))
    return groups


def _in_order(items: Iterable[Indexed]) -> tuple[Finding, ...]:
    """In report order."""
    return tuple(f for _, f in sorted(items, key=lambda item: item[0]))


def _change(old: Finding, new: Finding) -> FindingChange:
    before, after = vulnerabilities_named(old), vulnerabilities_named(new)
    return FindingChange(
        old, new, tuple(v for v in before if v not in after), tuple(v for v in after if v not in before)
    )


def vulnerabilities_named(finding: Finding) -> tuple[str, ...]:
    """The vulnerability ids a finding's evidence lists (`vulnerabilities: [{id: CVE-...}]`, as the known
    vulnerability check writes it); () for any other evidence."""
    listed: JSONValue = finding.evidence.get("vulnerabilities")
    if not isinstance(listed, list):
        return ()
    ids = (item.get("id") for item in listed if isinstance(item, dict))
    return tuple(dict.fromkeys(i for i in ids if isinstance(i, str)))

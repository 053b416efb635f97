"""Components of two releases compared by name: added, removed, and versions upgraded or downgraded.

One name may be listed more than once (a library in two partitions); the versions both sides share are
set aside first, the rest are paired in version order.
"""

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence

from iotbaseline.diff.model import ComponentChange, ComponentDiff, ComponentRef, VersionChange
from iotbaseline.vulndb.versions import compare_versions


def compare_components(old: Sequence[ComponentRef], new: Sequence[ComponentRef]) -> ComponentDiff:
    old_by_name, new_by_name = _by_name(old), _by_name(new)
    added: list[ComponentRef] = []
    removed: list[ComponentRef] = []
    changed: list[ComponentChange] = []
    for name in sorted(old_by_name.keys() | new_by_name.keys(), key=str.lower):
        before, after = _without_shared(old_by_name.get(name, []), new_by_name.get(name, []))
        for old_ref, new_ref in zip(before, after, strict=False):
            changed.append(
                ComponentChange(
                    new_ref.name,
                    new_ref.key or old_ref.key,
                    old_ref.version,
                    new_ref.version,
                    _change(old_ref, new_ref),
                )
            )
        removed += before[len(after) :]
        added += after[len(before) :]
    return ComponentDiff(tuple(added), tuple(removed), tuple(changed))


def _by_name(components: Iterable[ComponentRef]) -> dict[str, list[ComponentRef]]:
    grouped: defaultdict[str, list[ComponentRef]] = defaultdict(list)
    for component in components:
        grouped[component.name.lower()].append(component)
    return grouped


def _without_shared(old: list[ComponentRef], new: list[ComponentRef]) -> tuple[list[ComponentRef], list[ComponentRef]]:
    """Both sides less the versions they share (as many times as both list them), each in version order."""
    remaining = list(new)
    before: list[ComponentRef] = []
    for component in old:
        twin = next((n for n in remaining if _same_version(component.version, n.version)), None)
        if twin is None:
            before.append(component)
        else:
            remaining.remove(twin)
    return _sorted(before), _sorted(remaining)


def _same_version(left: str | None, right: str | None) -> bool:
    if left is None or right is None:
        return left is right
    return left == right or compare_versions(left, right) == 0


def _sorted(components: list[ComponentRef]) -> list[ComponentRef]:
    """Known versions oldest first, unknown ones last."""
    known = [c for c in components if c.version is not None]
    unknown = [c for c in components if c.version is None]
    return sorted(known, key=functools.cmp_to_key(_older)) + unknown


def _older(left: ComponentRef, right: ComponentRef) -> int:
    return compare_versions(left.version or "", right.version or "")


def _change(old: ComponentRef, new: ComponentRef) -> VersionChange:
    if old.version is None or new.version is None:
        return VersionChange.CHANGED
    order = compare_versions(old.version, new.version)
    if order < 0:
        return VersionChange.UPGRADED
    if order > 0:
        return VersionChange.DOWNGRADED
    return VersionChange.CHANGED

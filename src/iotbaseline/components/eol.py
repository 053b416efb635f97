"""End of life: which release branch a component's version belongs to, and when upstream stopped (or
will stop) fixing it, from the table of `eol_table` (`data/components/eol.yaml`).

Only documented ends count. A project that fixes only its newest release line (BusyBox, OpenSSH, curl)
is never reported on age alone: offline we cannot know which release is the newest.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from iotbaseline.components.eol_table import (
    Citation,
    Discontinuation,
    Lifecycle,
    Support,
    Variant,
    branch_key,
    branch_of,
    load_eol_table,
)
from iotbaseline.components.model import Component
from iotbaseline.vulndb.versions import compare_versions

ENDING_SOON = timedelta(days=365)
"""A branch whose end is this close is reported as ending soon."""
MAX_VERSION_LENGTH = 100
MAX_NUMBER_DIGITS = 9
"""A package database from a firmware image may claim any version; no release number is longer."""
_RELEASE = re.compile(r"\d+(?:\.\d+)*")


class EolStatus(StrEnum):
    ENDED = "ended"
    ENDING_SOON = "ending-soon"


@dataclass(frozen=True)
class EndOfLife:
    component: str
    """The catalogue key."""
    version: str
    branch: str
    ended: date
    status: EolStatus
    source: str
    confirmed: bool
    reason: str
    """One sentence without its full stop, e.g. "OpenSSL 1.0.2 reached end of life on 2019-12-31; ..."."""
    exact: bool = True
    """False: `ended` is the latest date by which support had ended (a branch the data does not list)."""
    distro_version: str | None = None
    """The distribution's package version, whose distributor may still backport fixes."""

    @property
    def has_ended(self) -> bool:
        return self.status is EolStatus.ENDED


def end_of_life(
    component: Component,
    today: date,
    *,
    table: Mapping[str, Lifecycle] | None = None,
    soon: timedelta = ENDING_SOON,
) -> EndOfLife | None:
    """The component's end of life if it has ended or ends within `soon`; None when unknown or further off."""
    lifecycle = (load_eol_table() if table is None else table).get(component.key)
    if component.version is None or lifecycle is None or lifecycle.support is Support.LATEST_ONLY:
        return None
    numbers = _release_numbers(component.version)
    if numbers is None:
        return None
    branch = branch_of(numbers, lifecycle.schemes)
    if lifecycle.discontinued is not None:
        return _discontinued(component, lifecycle, lifecycle.discontinued, branch, today, soon)
    if branch is None:
        return None
    variant = _variant(component, lifecycle.variants)
    branches, older = (variant.branches, variant.older) if variant else (lifecycle.branches, lifecycle.older)
    label = f"{lifecycle.name} {branch}" + (f" ({variant.name})" if variant else "")
    listed = branches.get(branch_key(branch))
    if listed is not None:
        if listed.ended is None:
            return None
        return _judge(component, branch, listed.ended, listed.citation, label, today, soon)
    if older is not None and compare_versions(branch, older.before) < 0:
        return _judge(component, branch, older.ended_by, older.citation, label, today, soon, why=older.why)
    return None


def _variant(component: Component, variants: Sequence[Variant]) -> Variant | None:
    texts = [e.matched for e in component.evidence]
    return next((v for v in variants if any(v.marker.search(t) for t in texts)), None)


def _judge(
    component: Component,
    branch: str,
    ended: date,
    citation: Citation,
    label: str,
    today: date,
    soon: timedelta,
    why: str | None = None,
) -> EndOfLife | None:
    if today >= ended:
        status = EolStatus.ENDED
        if why is None:
            reason = f"{label} reached end of life on {ended.isoformat()}; it gets no security fixes"
        else:
            reason = f"{label} is {why}; support ended by {ended.isoformat()} at the latest"
    elif ended - today <= soon:
        status = EolStatus.ENDING_SOON
        reason = f"{label} reaches end of life on {ended.isoformat()}; it gets no security fixes after that"
    else:
        return None
    return _result(component, branch, ended, status, citation, reason, exact=why is None)


def _discontinued(
    component: Component,
    lifecycle: Lifecycle,
    stop: Discontinuation,
    branch: str | None,
    today: date,
    soon: timedelta,
) -> EndOfLife | None:
    version = component.version or ""
    if stop.below is not None and compare_versions(version, stop.below) >= 0:
        return None
    when = stop.ended.isoformat()
    if today >= stop.ended:
        status = EolStatus.ENDED
        reason = f"{lifecycle.name} was discontinued on {when} ({stop.why}); it gets no security fixes"
    elif stop.ended - today <= soon:
        status = EolStatus.ENDING_SOON
        reason = f"{lifecycle.name} will be discontinued on {when} ({stop.why})"
    else:
        return None
    return _result(component, branch or version, stop.ended, status, lifecycle.citation, reason, exact=True)


def _result(
    component: Component,
    branch: str,
    ended: date,
    status: EolStatus,
    citation: Citation,
    reason: str,
    *,
    exact: bool,
) -> EndOfLife:
    distro = component.distro_version
    if distro:
        reason += f" (the distribution's package {distro} may still receive backported fixes)"
    return EndOfLife(
        component=component.key,
        version=component.version or "",
        branch=branch,
        ended=ended,
        status=status,
        source=citation.source,
        confirmed=citation.confirmed,
        reason=reason,
        exact=exact,
        distro_version=distro,
    )


def _release_numbers(version: str) -> tuple[str, ...] | None:
    """The leading dotted numbers of a version, as written ("1.0.2k" -> 1, 0, 2); None for none or absurd ones."""
    found = _RELEASE.search(version[:MAX_VERSION_LENGTH])
    numbers = tuple(found.group().split(".")) if found else ()
    return numbers if numbers and all(len(n) <= MAX_NUMBER_DIGITS for n in numbers) else None

"""Runs the checks over the scanned images: one pass over the files, each check isolated.

Every file is read once, and only when some check asked for its kind; its content goes to all
of them. After the images, `conclude` sees them together and `examine` the scan's other evidence.
A check that raises becomes an error finding and gets nothing more from that image; a check past
its time budget gets no more files; the others go on. What each check did is returned
as a CheckRun, because a verdict may only PASS on a check that ran.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial

from iotbaseline.checks.base import Check, Need, ScanEvidence, ScannedImage
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import CheckRun, Finding, Location, Outcome, Severity


@dataclass
class _State:
    check: Check
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    failed_scopes: set[str] = field(default_factory=set)
    """Image names (and SCAN_SCOPE) where the check raised: it gets nothing more there."""
    over_budget: bool = False

    def active(self, scope: str) -> bool:
        return not self.over_budget and scope not in self.failed_scopes


SCAN_SCOPE = ""
"""The scope of `examine`: the whole scan rather than one image."""


def run_checks(
    checks: Sequence[Check],
    images: Sequence[ScannedImage],
    available: frozenset[Need],
    evidence: ScanEvidence | None = None,
) -> tuple[list[Finding], list[CheckRun]]:
    findings: list[Finding] = []
    runs: list[CheckRun] = []
    states: list[_State] = []
    for check in checks:
        missing = sorted(check.needs - available)
        if missing:
            note = "needs " + ", ".join(missing) + " input, which this scan does not have"
            runs.append(CheckRun(check.id, check.version, check.provisions, "skipped", note=note))
        else:
            states.append(_State(check))
    for image in images:
        findings.extend(_scan_image(image, states))
    if images:
        for state in states:
            findings.extend(_guarded(state, images[-1].name, partial(state.check.conclude, images)))
    for state in states:
        findings.extend(_guarded(state, SCAN_SCOPE, partial(state.check.examine, evidence or ScanEvidence())))
    runs.extend(_run_record(state) for state in states)
    return findings, runs


def _scan_image(image: ScannedImage, states: list[_State]) -> list[Finding]:
    found: list[Finding] = []
    for state in states:
        found.extend(_guarded(state, image.name, partial(state.check.start, image)))
    by_kind: dict[str, list[_State]] = defaultdict(list)
    for state in states:
        for kind in state.check.file_kinds:
            by_kind[kind].append(state)
    for file in image.tree.files:
        interested = [s for s in by_kind.get(file.type.kind, ()) if s.active(image.name)]
        if not interested:
            continue
        content = _read(image, file, max(s.check.max_file_bytes for s in interested))
        for state in interested:
            limit = state.check.max_file_bytes
            data = content if len(content) <= limit else content[:limit]
            found.extend(_guarded(state, image.name, partial(state.check.visit, image, file, data)))
    for state in states:
        found.extend(_guarded(state, image.name, partial(state.check.finish, image)))
    return found


def _read(image: ScannedImage, file: TreeFile, limit: int) -> bytes:
    try:
        return image.tree.read_bytes(file.path, limit=limit)
    except OSError:
        return b""


def _guarded(state: _State, scope: str, call: Callable[[], Iterable[Finding]]) -> list[Finding]:
    if not state.active(scope):
        return []
    started = time.monotonic()
    try:
        result = list(call())
    except Exception as error:  # one broken check must not stop the scan
        state.failed_scopes.add(scope)
        message = f"{type(error).__name__}: {error}"
        state.errors.append(f"{scope or 'scan'}: {message}")
        where = "this image" if scope else "this scan's documents, declarations or device"
        return [_error_finding(state.check, scope, f"check failed on {where}: {message}")]
    finally:
        state.seconds += time.monotonic() - started
    if state.seconds > state.check.time_budget and not state.over_budget:
        state.over_budget = True
        note = f"time budget of {state.check.time_budget:g} s spent; the remaining files were not examined"
        state.errors.append(f"{scope or 'scan'}: {note}")
        result.append(_error_finding(state.check, scope, note))
    return result


def _error_finding(check: Check, scope: str, detail: str) -> Finding:
    return Finding(
        check=check.id,
        check_version=check.version,
        outcome=Outcome.ERROR,
        provisions=check.provisions,
        severity=Severity.INFO,
        title=f"{check.title}: not completed",
        detail=detail,
        location=Location(image=scope or None),
        discriminator="error",
    )


def _run_record(state: _State) -> CheckRun:
    status = "error" if state.errors else "ran"
    return CheckRun(
        state.check.id, state.check.version, state.check.provisions, status, state.seconds, "; ".join(state.errors)
    )

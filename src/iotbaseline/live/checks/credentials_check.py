"""Default credentials on a live device, judged from the probe's trials: a pair that logged in fails
EN 303 645 5.1-1 (and PSTI's first requirement, as the firmware check cites it); a pass needs a trial
of every login found, each with a refused control pair and no success, on a probe that covered every
port. Lockouts are 5.1-5 evidence: a pass only when every login tried long enough locked out."""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import ClassVar

from iotbaseline.checks.base import Check, Need, ScanEvidence
from iotbaseline.checks.masking import mask_password
from iotbaseline.live.checks.findings import host_finding, kind_finding
from iotbaseline.live.checks.rules import FindingKind
from iotbaseline.live.checks.services_check import incomplete_coverage
from iotbaseline.live.credentials.capable import logins_of
from iotbaseline.live.credentials.settings import credential_settings
from iotbaseline.live.model import LiveHost
from iotbaseline.live.trials import CredentialTrial
from iotbaseline.model import Finding, JSONValue, Location, Outcome

DECIDED = ("cap", "exhausted", "lockout")
"""How a trial that proved something ended (a success is a FAIL of its own)."""


class LiveCredentialsCheck(Check):
    id: ClassVar[str] = "live.default-credentials"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Default credentials on the device"
    provisions: ClassVar[tuple[str, ...]] = tuple(
        dict.fromkeys(p for kind in credential_settings().findings.values() for p in kind.provisions)
    )
    needs: ClassVar[frozenset[Need]] = frozenset({Need.LIVE})

    def examine(self, evidence: ScanEvidence) -> Iterable[Finding]:
        for host in evidence.hosts:
            yield from self._host(host)

    def _host(self, host: LiveHost) -> Iterator[Finding]:
        kinds = credential_settings().findings
        run = host.credential_run
        found = [(service, spec) for service in host.services for spec in logins_of(service)]
        if run is None or not run.attempted:
            if found:
                reason = run.reason if run is not None else "this probe had no credential phase"
                shown = ", ".join(f"{spec.method} on {service.port}" for service, spec in found[:8])
                detail = f"{reason}; logins found: {shown}"
                yield host_finding(self, kinds["credentials-not-tried"], host.address, detail, {"reason": detail})
            return
        for trial in host.credentials:
            if trial.login is not None:
                yield self._success(kinds["default-credential-accepted"], host, trial)
            elif trial.stopped not in DECIDED:
                yield self._trial(kinds["trial-undecided"], host, trial, _undecided(trial))
        yield from self._lockouts(host, kinds)
        yield self._summary(host, kinds, [(s.port, spec.method) for s, spec in found])

    def _success(self, kind: FindingKind, host: LiveHost, trial: CredentialTrial) -> Finding:
        assert trial.login is not None
        masked = mask_password(trial.login.password)
        title = f"{kind.title}: {trial.scheme} on port {trial.port} accepts {trial.login.user!r} / {masked!r}"
        detail = (
            f"{trial.method} {trial.where} accepted the pair after {trial.attempts} attempt(s) "
            f"(a random control pair was refused): {trial.login.proof}"
        )
        return self._trial(kind, host, trial, detail, title=title)

    def _lockouts(self, host: LiveHost, kinds: Mapping[str, FindingKind]) -> Iterator[Finding]:
        long_enough = [t for t in host.credentials if t.stopped in DECIDED and t.control_refused]
        every_one = bool(long_enough) and all(t.lockout is not None for t in long_enough)
        for trial in long_enough:
            if trial.lockout is not None:
                kind = kinds["lockout-detected"]
                kind = kind if every_one else replace(kind, outcome=Outcome.INFO)
                sign = trial.lockout
                detail = f"after {sign.after_failures} failed logins ({sign.kind}): {sign.detail}"
                yield self._trial(kind, host, trial, detail)
            else:
                detail = f"{trial.failures} failed logins in {trial.seconds:.1f} s, none refused, locked or slowed"
                yield self._trial(kinds["no-lockout-seen"], host, trial, detail)

    def _summary(self, host: LiveHost, kinds: Mapping[str, FindingKind], logins: list[tuple[int, str]]) -> Finding:
        trials = host.credentials
        attempts = sum(t.attempts for t in trials)
        shown = ", ".join(f"{t.method} on {t.scheme}/{t.port}: {t.attempts} ({t.stopped})" for t in trials[:12])
        dictionaries = sorted({t.dictionary for t in trials if t.dictionary})
        blocker = _why_no_pass(host, logins)
        if blocker is None:
            kind = kinds["no-default-credential"]
            title = f"{kind.title}: {attempts} attempts on {len(trials)} login(s) ({shown})"
            detail = f"{shown}. Lists: {'; '.join(dictionaries)}"
        else:
            kind = kinds["credential-summary"]
            title = f"{kind.title}: {attempts} attempts on {len(trials)} login(s) of {host.address}"
            detail = f"{shown or 'no login was tried'}. Not a pass: {blocker}"
        run = host.credential_run
        evidence: dict[str, JSONValue] = {
            "attempts": attempts,
            "logins_found": [{"port": port, "method": method} for port, method in logins],
            "trials": [self._trial_evidence(t) for t in trials],
            "dictionaries": list(dictionaries),
            "max_attempts_per_login": run.max_attempts if run else 0,
            "delay_seconds": run.delay if run else 0.0,
            "authorised_by": run.reason if run else "",
        }
        if blocker:
            evidence["not_a_pass"] = blocker
        return kind_finding(self, kind, title, Location(host=host.address), detail, evidence)

    def _trial(
        self, kind: FindingKind, host: LiveHost, trial: CredentialTrial, detail: str, title: str | None = None
    ) -> Finding:
        title = title or f"{kind.title}: {trial.scheme} on port {trial.port} ({trial.method})"
        location = Location(host=host.address, port=trial.port, protocol=trial.scheme)
        evidence = {"rule": kind.key, **self._trial_evidence(trial)}
        return kind_finding(self, kind, title, location, detail, evidence, trial.method)

    def _trial_evidence(self, trial: CredentialTrial) -> dict[str, JSONValue]:
        data: dict[str, JSONValue] = {
            "port": trial.port,
            "protocol": trial.scheme,
            "method": trial.method,
            "where": trial.where,
            "attempts": trial.attempts,
            "candidates": trial.candidates,
            "dictionary": trial.dictionary,
            "stopped": trial.stopped,
            "control_refused": trial.control_refused,
            "failures": trial.failures,
            "errors": trial.errors,
            "seconds": round(trial.seconds, 2),
            "users_tried": list(trial.users),
        }
        if trial.note:
            data["note"] = trial.note
        if trial.lockout is not None:
            sign = trial.lockout
            data["lockout"] = {"after_failures": sign.after_failures, "kind": sign.kind, "detail": sign.detail}
        if trial.login is not None:
            login: dict[str, JSONValue] = {
                "user": trial.login.user,
                "password_masked": mask_password(trial.login.password),
                "proof": trial.login.proof,
            }
            if self.reveal:
                login["password"] = trial.login.password
            data["login"] = login
        return data


def _undecided(trial: CredentialTrial) -> str:
    reasons = {
        "unreliable": "a random pair was accepted too, so an accepted default proves nothing",
        "errors": "the service stopped answering clearly",
        "unsupported": "this login cannot be driven by the probe",
    }
    return f"{reasons.get(trial.stopped, trial.stopped)} ({trial.note or 'no detail'})"


def _why_no_pass(host: LiveHost, logins: list[tuple[int, str]]) -> str | None:
    """Why the trials cannot pass 5.1-1, or None when they can."""
    if any(t.login is not None for t in host.credentials):
        return "a default pair logged in"
    coverage = incomplete_coverage(host)
    if coverage is not None:
        return coverage
    if not logins:
        return "no login was found on the probed ports"
    tried = {(t.port, t.method) for t in host.credentials}
    missing = [f"{method} on {port}" for port, method in logins if (port, method) not in tried]
    if missing:
        return "not tried: " + ", ".join(missing)
    undecided = [f"{t.method} on {t.port} ({t.stopped})" for t in host.credentials if t.stopped not in DECIDED]
    if undecided:
        return "undecided: " + ", ".join(undecided)
    if not all(t.control_refused and t.attempts > 0 for t in host.credentials):
        return "a trial made no attempt after its control pair"
    return None

"""One credential trial: a random control pair first (it must be refused, or the login proves nothing),
then the ordered pairs, one attempt at a time with a delay between them, until a pair logs in, the
service locks out, the attempt limit (never past the hard cap) is reached, or it stops answering.
Every attempt is logged (the password masked) and charged to the session's cap for the service."""

import asyncio
import os
import time
from dataclasses import dataclass

from iotbaseline.checks.masking import mask_password
from iotbaseline.live.credentials.dictionary import CandidateList
from iotbaseline.live.credentials.login import Login
from iotbaseline.live.credentials.outcome import AttemptResult, LockoutWatch, Verdict
from iotbaseline.live.model import Transport
from iotbaseline.live.session import AttemptCapReached
from iotbaseline.live.trials import CredentialLogin, CredentialTrial, LockoutSign


@dataclass(frozen=True)
class TrialLimits:
    attempts: int
    """Pairs to try at most (already within the hard cap)."""
    hard_cap: int
    delay: float
    max_errors: int


@dataclass
class _Tally:
    attempts: int = 0
    failures: int = 0
    errors: int = 0
    in_a_row: int = 0


async def run_trial(login: Login, pairs: CandidateList, limits: TrialLimits) -> CredentialTrial:
    place = login.place
    started = time.monotonic()
    watch = LockoutWatch(place.settings)
    tally = _Tally()
    users: dict[str, None] = {}

    def trial(
        stopped: str,
        control_refused: bool | None,
        accepted: CredentialLogin | None = None,
        lockout: LockoutSign | None = None,
        note: str = "",
    ) -> CredentialTrial:
        return CredentialTrial(
            port=place.port,
            scheme=place.service.scheme,
            method=login.method,
            where=login.where,
            dictionary=pairs.description,
            candidates=len(pairs.pairs),
            attempts=tally.attempts,
            stopped=stopped,
            failures=tally.failures,
            errors=tally.errors,
            seconds=time.monotonic() - started,
            users=tuple(users),
            control_refused=control_refused,
            login=accepted,
            lockout=lockout,
            note=note,
        )

    control = await _try(login, f"iotbaseline-{os.urandom(3).hex()}", os.urandom(9).hex(), control=True)
    if control.verdict is Verdict.ACCEPTED:
        return trial("unreliable", control_refused=False, note=f"a random pair was accepted: {control.proof}")
    if control.verdict is not Verdict.REJECTED:
        note = f"the random control pair got no clear refusal ({control.verdict.value}: {control.detail})"
        return trial("errors", control_refused=None, note=note)
    watch.feed(control)
    key = f"{place.address}:{place.port}/credential/{login.method}"
    for pair in pairs.pairs[: limits.attempts]:
        await asyncio.sleep(limits.delay)
        try:
            place.session.charge(key, limits.hard_cap)
        except AttemptCapReached:
            return trial("cap", control_refused=True, note=f"the hard cap of {limits.hard_cap} attempts was reached")
        users.setdefault(pair.user, None)
        result = await _try(login, pair.user, pair.password)
        tally.attempts += 1
        if result.verdict is Verdict.ACCEPTED:
            accepted = CredentialLogin(pair.user, pair.password, result.proof)
            return trial("success", control_refused=True, accepted=accepted, note=f"pair from {pair.source}")
        sign = _count(tally, watch, result)
        if sign is not None:
            return trial("lockout", control_refused=True, lockout=sign)
        if tally.in_a_row >= limits.max_errors:
            note = f"{tally.in_a_row} attempts in a row without an answer ({result.detail})"
            return trial("errors", control_refused=True, note=note)
    stopped = "cap" if len(pairs.pairs) > limits.attempts else "exhausted"
    return trial(stopped, control_refused=True)


def _count(tally: _Tally, watch: LockoutWatch, result: AttemptResult) -> LockoutSign | None:
    if result.verdict is Verdict.REJECTED:
        tally.failures += 1
        tally.in_a_row = 0
    elif result.verdict in (Verdict.ERROR, Verdict.REFUSED):
        tally.errors += 1
        tally.in_a_row += 1
    return watch.feed(result)


async def _try(login: Login, user: str, password: str, control: bool = False) -> AttemptResult:
    """One attempt, logged in the session (the password masked); an exception of the peer is an error."""
    place = login.place
    try:
        result = await login.attempt(user, password, control=control)
    except (OSError, TimeoutError, EOFError, ValueError) as error:
        result = AttemptResult(Verdict.ERROR, detail=f"{type(error).__name__}: {error}")
    shown = f"{'control pair' if control else f'user {user!r}'}, password {mask_password(password)!r}"
    detail = result.proof or result.detail
    place.session.log(
        place.address, place.port, Transport.TCP, f"login:{login.method}", result.verdict.value, f"{shown}: {detail}"
    )
    return result

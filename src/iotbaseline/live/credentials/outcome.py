"""What one login attempt showed, and the watch for lockouts over a run of failed ones: an explicit
message or status, connections refused or reset after failures that were answered, or answers that
grow slower (rate limiting). Pure: the attempts are fed in order."""

import statistics
from dataclasses import dataclass
from enum import StrEnum

from iotbaseline.live.credentials.settings import CredentialSettings
from iotbaseline.live.trials import LockoutSign


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LOCKED = "locked"
    """The service said the account or the client is locked out, or to slow down (429)."""
    REFUSED = "refused"
    """The connection was refused or reset before the login was answered."""
    ERROR = "error"
    """No answer that can be read (timeout, a protocol error)."""


@dataclass(frozen=True)
class AttemptResult:
    verdict: Verdict
    seconds: float = 0.0
    """How long the service took to answer the credentials."""
    proof: str = ""
    """For ACCEPTED: what the service said that shows it (sanitised)."""
    detail: str = ""


class LockoutWatch:
    """Fed the results of the failed attempts in order; says when they show a lockout."""

    def __init__(self, settings: CredentialSettings) -> None:
        self.settings = settings
        self.failures = 0
        """Logins the service answered as failed."""
        self._times: list[float] = []
        self._slow = 0
        self._refusals = 0

    def feed(self, result: AttemptResult) -> LockoutSign | None:
        if result.verdict is Verdict.LOCKED:
            return LockoutSign(self.failures, "message", result.detail or "the service reported a lockout")
        if result.verdict is Verdict.REFUSED:
            self._refusals += 1
            if self.failures >= self.settings.refused_after and self._refusals >= 2:
                return LockoutSign(
                    self.failures,
                    "refused",
                    f"connections refused or reset after {self.failures} failed logins that were answered "
                    f"({result.detail or 'no answer'})",
                )
            return None
        self._refusals = 0
        if result.verdict is not Verdict.REJECTED:
            return None
        self.failures += 1
        return self._slowdown(result.seconds)

    def _slowdown(self, seconds: float) -> LockoutSign | None:
        """Answers that take both `slowdown.seconds` longer and `slowdown.factor` times the median of the
        first three, `slowdown.repeats` times in a row."""
        self._times.append(seconds)
        if len(self._times) <= 3:
            return None
        baseline = statistics.median(self._times[:3])
        limit = max(baseline * self.settings.slowdown_factor, baseline + self.settings.slowdown_seconds)
        self._slow = self._slow + 1 if seconds >= limit else 0
        if self._slow < self.settings.slowdown_repeats:
            return None
        recent = self._times[-self._slow :]
        return LockoutSign(
            self.failures,
            "slowdown",
            f"answers to failed logins slowed from {baseline:.2f} s to {min(recent):.2f}-{max(recent):.2f} s",
        )

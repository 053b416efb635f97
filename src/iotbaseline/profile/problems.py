"""What is wrong with a profile file: every problem with its line, gathered into one error."""

from collections.abc import Iterable
from dataclasses import dataclass

from iotbaseline.errors import IotBaselineError


@dataclass(frozen=True)
class Problem:
    line: int
    """1-based line in the profile file; 0 when the problem is the file as a whole."""
    message: str
    """What is wrong and what to write instead."""


class ProfileError(IotBaselineError):
    """A profile file cannot be used as written. Holds every problem found, not only the first, so that one
    round of corrections fixes them all."""

    def __init__(self, source: str, problems: Iterable[Problem]):
        self.source = source
        self.problems = tuple(sorted(problems, key=lambda problem: problem.line))
        super().__init__(self._describe())

    def _describe(self) -> str:
        # file:line: message, the form editors and CI logs turn into links.
        lines = [
            f"{self.source}:{p.line}: {p.message}" if p.line else f"{self.source}: {p.message}" for p in self.problems
        ]
        if len(lines) == 1:
            return lines[0]
        return f"{self.source}: {len(lines)} problems to fix\n" + "\n".join(lines)

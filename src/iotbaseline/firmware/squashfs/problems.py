"""Problems met while reading: kept, reported, never raised past the extractor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadProblem:
    message: str
    path: str | None = None


class ProblemLog:
    """Collects problems; past `limit` only counts them, so a hostile image cannot flood memory."""

    def __init__(self, limit: int = 10_000) -> None:
        self._problems: list[ReadProblem] = []
        self._limit = limit
        self._dropped = 0
        self._seen_once: set[str] = set()

    def add(self, message: str, path: str | None = None) -> None:
        if len(self._problems) < self._limit:
            self._problems.append(ReadProblem(message, path))
        else:
            self._dropped += 1

    def add_once(self, message: str) -> None:
        """For image-wide problems that would otherwise repeat for every inode."""
        if message not in self._seen_once:
            self._seen_once.add(message)
            self.add(message)

    def snapshot(self) -> list[ReadProblem]:
        if self._dropped:
            return [*self._problems, ReadProblem(f"{self._dropped} further problems were not recorded")]
        return list(self._problems)

    def __len__(self) -> int:
        return len(self._problems) + self._dropped

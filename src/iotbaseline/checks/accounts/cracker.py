"""Tries candidate passwords against stored hashes on all cores, stopping per hash at the first hit.

Each hash's candidates are cut into chunks of about `CHUNK_SECONDS` of work, submitted in the
dictionary's order (most likely first) to a pool; when a chunk finds the password, the hash's
chunks not yet started are cancelled. Slow schemes (yescrypt, bcrypt at a high cost) get a time
budget per hash: the cost of one attempt is measured first, and only as many candidates as fit the
budget on all workers are tried, the cut reported. Threads are the default: libxcrypt (through
ctypes) and bcrypt release the GIL, and bench/crack.py measured them faster than a process pool
(5.9 s against 8.1 s on its 16 hashes); only apr1 and the LDAP forms hash under the GIL.
"""

import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from enum import StrEnum

from iotbaseline.checks.accounts.hashing import matches
from iotbaseline.checks.accounts.schemes import Scheme

CHUNK_SECONDS = 0.02
MAX_CHUNK = 4096
INLINE_SECONDS = 0.05
"""Less work than this in all is done in the calling process: a pool would cost more than it saves."""
_CALIBRATION_CANDIDATE = b"\x01iotbaseline-calibration"


class Parallelism(StrEnum):
    PROCESSES = "processes"
    THREADS = "threads"


@dataclass(frozen=True)
class CrackTarget:
    scheme: Scheme
    stored: str
    candidates: tuple[bytes, ...]


@dataclass(frozen=True)
class CrackOutcome:
    password: bytes | None
    tried: int
    """Candidates tried before the hit, or in all."""
    total: int
    """Candidates in the list."""
    cut: bool
    """The time budget stopped it before the end of the list."""
    seconds_per_attempt: float


@dataclass(frozen=True)
class _Plan:
    index: int
    target: CrackTarget
    limit: int
    chunk: int
    cost: float


def try_chunk(scheme: Scheme, stored: str, candidates: tuple[bytes, ...]) -> tuple[int | None, int]:
    """(index of the candidate that matches, or None; how many were tried). Runs in a worker."""
    for index, candidate in enumerate(candidates):
        if matches(scheme, stored, candidate):
            return index, index + 1
    return None, len(candidates)


class Cracker:
    def __init__(
        self,
        workers: int | None = None,
        budget_per_hash: float | None = 2.0,
        parallelism: Parallelism = Parallelism.THREADS,
    ) -> None:
        self.workers = max(1, workers or len(os.sched_getaffinity(0)))
        self.budget_per_hash = budget_per_hash
        self.parallelism = parallelism

    def crack(self, targets: Sequence[CrackTarget]) -> list[CrackOutcome]:
        plans = [self._plan(index, target) for index, target in enumerate(targets)]
        crackable = [plan for plan in plans if plan.target.scheme.crackable]
        work = sum(plan.limit * plan.cost for plan in crackable)
        if self.workers == 1 or work < INLINE_SECONDS:
            found = {plan.index: self._inline(plan) for plan in crackable}
        else:
            found = self._pooled(crackable)
        outcomes = []
        for plan in plans:
            password, tried = found.get(plan.index, (None, 0))
            total = len(plan.target.candidates)
            cut = password is None and plan.limit < total and plan.target.scheme.crackable
            outcomes.append(CrackOutcome(password, tried, total, cut, plan.cost))
        return outcomes

    def _plan(self, index: int, target: CrackTarget) -> _Plan:
        total = len(target.candidates)
        if not target.scheme.crackable or total == 0:
            return _Plan(index, target, 0, 1, 0.0)
        started = time.perf_counter()
        matches(target.scheme, target.stored, _CALIBRATION_CANDIDATE)
        cost = max(time.perf_counter() - started, 1e-7)
        limit = total
        if self.budget_per_hash is not None:
            limit = min(total, max(1, int(self.budget_per_hash * self.workers / cost)))
        chunk = max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / cost), -(-limit // self.workers)))
        return _Plan(index, target, limit, chunk, cost)

    @staticmethod
    def _inline(plan: _Plan) -> tuple[bytes | None, int]:
        candidates = plan.target.candidates[: plan.limit]
        hit, tried = try_chunk(plan.target.scheme, plan.target.stored, candidates)
        return (None if hit is None else candidates[hit]), tried

    def _pooled(self, plans: list[_Plan]) -> dict[int, tuple[bytes | None, int]]:
        found: dict[int, tuple[bytes | None, int]] = {plan.index: (None, 0) for plan in plans}
        with self._executor() as executor:
            pending: dict[Future[tuple[int | None, int]], tuple[_Plan, int]] = {}
            for plan in plans:
                for start in range(0, plan.limit, plan.chunk):
                    candidates = plan.target.candidates[start : min(start + plan.chunk, plan.limit)]
                    future = executor.submit(try_chunk, plan.target.scheme, plan.target.stored, candidates)
                    pending[future] = (plan, start)
            for future in as_completed(pending):
                if future.cancelled():
                    continue
                plan, start = pending[future]
                hit, tried = future.result()
                password, tried_before = found[plan.index]
                if password is not None:
                    continue
                if hit is None:
                    found[plan.index] = (None, tried_before + tried)
                    continue
                found[plan.index] = (plan.target.candidates[start + hit], start + tried)
                for other, (other_plan, _) in pending.items():
                    if other_plan.index == plan.index:
                        other.cancel()
        return found

    def _executor(self) -> Executor:
        if self.parallelism is Parallelism.THREADS:
            return ThreadPoolExecutor(self.workers)
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))

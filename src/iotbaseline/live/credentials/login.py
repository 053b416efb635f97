"""What every login method shares: where it logs in (the session, the target, the service), and the
interface the trial runner drives: one attempt per call, each on a connection of its own."""

import ssl
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from iotbaseline.live.credentials.outcome import AttemptResult, Verdict
from iotbaseline.live.credentials.settings import CredentialSettings
from iotbaseline.live.model import ObservedService
from iotbaseline.live.protocols.tls import probing_context
from iotbaseline.live.session import Connection, ProbeSession
from iotbaseline.live.targets import Target


@dataclass(frozen=True)
class LoginPlace:
    session: ProbeSession
    target: Target
    service: ObservedService
    settings: CredentialSettings
    connection_cap: int
    """Connections the credential attempts may open to this port."""

    @property
    def address(self) -> str:
        return self.target.address

    @property
    def port(self) -> int:
        return self.service.port

    @property
    def host_header(self) -> str:
        shown = f"[{self.address}]" if ":" in self.address else self.address
        return shown if self.port == (443 if self.service.tls else 80) else f"{shown}:{self.port}"

    @property
    def wait(self) -> float:
        return self.session.limits.read_timeout


class Login(ABC):
    """One login of a service (`method`), tried pair by pair."""

    method: str
    kind: str
    """The dictionary kind: telnet, ssh, web, ftp, mqtt."""

    def __init__(self, place: LoginPlace, where: str = "") -> None:
        self.place = place
        self.where = where

    @abstractmethod
    async def attempt(self, user: str, password: str, control: bool = False) -> AttemptResult:
        """Tries one pair; `control`: the random pair tried first, which must be refused."""

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection | AttemptResult]:
        """A connection for one attempt, or the result that it could not be opened (refused, timeout)."""
        place = self.place
        tls: ssl.SSLContext | None = probing_context() if place.service.tls else None
        server_name = None if place.target.name in (place.address,) or "/" in place.target.name else place.target.name
        purpose = f"credential:{self.method}"
        async with place.session.connect(
            place.address, place.port, purpose, tls=tls, server_name=server_name, cap=place.connection_cap
        ) as connection:
            if connection is None:
                yield not_connected(place.session.failure_of(place.address, place.port, purpose))
            else:
                yield connection


def not_connected(reason: str | None) -> AttemptResult:
    if reason == "closed":
        return AttemptResult(Verdict.REFUSED, detail="connection refused")
    return AttemptResult(Verdict.ERROR, detail=f"no connection ({reason or 'failed'})")


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

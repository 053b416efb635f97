"""Where an access test connects: the session, the target and the service, with the TLS settings the
service needs and the per-port cap of the access tests."""

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from iotbaseline.live.access.settings import AccessSettings
from iotbaseline.live.model import ObservedService
from iotbaseline.live.protocols.tls import probing_context
from iotbaseline.live.session import Connection, ProbeSession
from iotbaseline.live.targets import Target
from iotbaseline.live.trials import AccessResult
from iotbaseline.model import JSONValue

ACCESS_CAP = 48
"""Connections the access tests may open to one port."""


@dataclass(frozen=True)
class AccessPlace:
    session: ProbeSession
    target: Target
    settings: AccessSettings

    @property
    def wait(self) -> float:
        return self.session.limits.read_timeout

    @asynccontextmanager
    async def connect(self, port: int, tls: bool, test: str) -> AsyncIterator[Connection | None]:
        context: ssl.SSLContext | None = probing_context() if tls else None
        name = self.target.name
        server_name = None if name == self.target.address or "/" in name else name
        async with self.session.connect(
            self.target.address, port, f"access:{test}", tls=context, server_name=server_name, cap=ACCESS_CAP
        ) as connection:
            yield connection


def result(
    service: ObservedService, test: str, is_open: bool | None, summary: str, **evidence: JSONValue
) -> AccessResult:
    return AccessResult(
        port=service.port,
        scheme=service.scheme,
        test=test,
        open=is_open,
        summary=summary,
        evidence=dict(evidence),
        transport=service.transport.value,
    )

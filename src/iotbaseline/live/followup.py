"""The tests after the port scan, on the services it found: access without authentication and the TLS
scans at once, then the default credentials (after them, so that a lockout the credentials cause
cannot look like a protected service to the other tests, and the UPnP description can name the vendor)."""

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from iotbaseline.live.access.phase import run_access_tests
from iotbaseline.live.credentials.phase import CredentialOptions, credential_run, try_default_credentials
from iotbaseline.live.model import LiveHost
from iotbaseline.live.session import ProbeSession
from iotbaseline.live.targets import Target
from iotbaseline.live.tls_scan import scan_tls_services

T = TypeVar("T")


@dataclass(frozen=True)
class FollowUpOptions:
    access: bool = True
    """Test access without authentication (--no-access to skip)."""
    tls_scan: bool = True
    """Scan the TLS services with sslyze (--no-tls-scan to skip)."""
    credentials: CredentialOptions = field(default_factory=CredentialOptions)


async def follow_up(session: ProbeSession, target: Target, host: LiveHost, options: FollowUpOptions) -> LiveHost:
    started = time.monotonic()
    notes = list(host.notes)
    access, scans = await asyncio.gather(
        _guarded(run_access_tests(session, target, host.services), options.access, "access tests", notes),
        _guarded(scan_tls_services(session, target, host.services), options.tls_scan, "TLS scans", notes),
    )
    run = credential_run(options.credentials)
    trials = await _guarded(
        try_default_credentials(session, target, host.services, run, access or ()), run.attempted, "credentials", notes
    )
    return replace(
        host,
        seconds=host.seconds + time.monotonic() - started,
        notes=tuple(notes),
        credential_run=run,
        credentials=trials or (),
        access=access or (),
        access_tested=options.access and access is not None,
        tls_scans=scans or (),
        tls_tested=options.tls_scan and scans is not None,
    )


async def _guarded(work: Coroutine[Any, Any, T], wanted: bool, what: str, notes: list[str]) -> T | None:
    """The phase's result; None when skipped or when it failed (the failure becomes a note: one phase's
    error must not lose what the others found)."""
    if not wanted:
        work.close()
        return None
    try:
        return await work
    except Exception as error:
        notes.append(f"{what} stopped: {type(error).__name__}: {error}")
        return None

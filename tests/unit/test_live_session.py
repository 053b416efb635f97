"""The probe session: nothing leaves for an address not named, the global rate holds, the attempt
caps hold, and everything tried is logged."""

import asyncio
import ipaddress
import itertools
import socket
import time

import pytest

from iotbaseline.live.model import Transport
from iotbaseline.live.session import AttemptCapReached, ProbeLimits, ProbeSession, RateLimiter, TargetNotAllowed
from iotbaseline.live.targets import parse_targets

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


def listener() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_connection_to_an_address_not_named_raises_before_any_packet() -> None:
    server = listener()
    session_targets = parse_targets(["127.0.0.2"])

    async def attempt() -> None:
        session = ProbeSession(session_targets, confine=LOOPBACK)
        async with session.connect("127.0.0.1", server.getsockname()[1], "scan"):
            pass

    with server:
        with pytest.raises(TargetNotAllowed, match="not named"):
            asyncio.run(attempt())
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.accept()  # nothing connected


def test_a_named_address_outside_the_confinement_is_refused_too() -> None:
    async def attempt() -> None:
        session = ProbeSession(parse_targets(["192.0.2.10"]), confine=LOOPBACK)
        await session.exchange_udp("192.0.2.10", 1900, b"x", "udp:ssdp")

    with pytest.raises(TargetNotAllowed, match=r"outside 127\.0\.0\.0/8"):
        asyncio.run(attempt())


def test_open_and_closed_ports_are_told_apart_and_logged() -> None:
    server = listener()
    open_port = server.getsockname()[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()

    async def attempt() -> tuple[bool, bool, ProbeSession]:
        session = ProbeSession(parse_targets(["127.0.0.1"]), confine=LOOPBACK)
        async with session.connect("127.0.0.1", open_port, "scan") as first:
            opened = first is not None
        async with session.connect("127.0.0.1", closed_port, "scan") as second:
            refused = second is None
        return opened, refused, session

    with server:
        opened, refused, session = asyncio.run(attempt())
    assert opened and refused
    assert [(a.port, a.outcome, a.transport) for a in session.attempts] == [
        (open_port, "open", Transport.TCP),
        (closed_port, "closed", Transport.TCP),
    ]


def test_the_rate_limiter_spaces_starts_evenly() -> None:
    async def starts() -> list[float]:
        limiter = RateLimiter(50.0)
        stamps = []
        for _ in range(11):
            await limiter.wait()
            stamps.append(time.monotonic())
        return stamps

    stamps = asyncio.run(starts())
    assert stamps[-1] - stamps[0] >= 10 / 50.0 * 0.95
    assert min(b - a for a, b in itertools.pairwise(stamps)) >= 1 / 50.0 * 0.8


def test_the_session_rate_applies_to_connections_across_ports() -> None:
    server = listener()
    port = server.getsockname()[1]

    async def connect_many() -> float:
        session = ProbeSession(parse_targets(["127.0.0.1"]), ProbeLimits(max_rate=20.0), confine=LOOPBACK)
        started = time.monotonic()

        async def one(purpose: str) -> None:
            async with session.connect("127.0.0.1", port, purpose):
                pass

        await asyncio.gather(*(one(f"identify:{i}") for i in range(6)))
        return time.monotonic() - started

    with server:
        assert asyncio.run(connect_many()) >= 5 / 20.0 * 0.9


def test_the_attempt_cap_per_service_is_hard() -> None:
    session = ProbeSession(parse_targets(["127.0.0.1"]))
    for _ in range(3):
        session.charge("127.0.0.1:22/credential", 3)

    with pytest.raises(AttemptCapReached):
        session.charge("127.0.0.1:22/credential", 3)
    assert session.spent("127.0.0.1:22/credential") == 4

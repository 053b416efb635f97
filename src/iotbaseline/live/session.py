"""The one way the probe touches the network: a ProbeSession. Every connection and datagram goes
through it, so every one is checked against the addresses the user named, paced by the global
rate limit, bounded in number and time, and written to the attempt log that the summary and the
report show. Later probes (default credentials, unauthenticated access, TLS) use the same session."""

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from iotbaseline.errors import IotBaselineError
from iotbaseline.live.model import Transport
from iotbaseline.live.targets import TargetSet
from iotbaseline.model import JSONValue

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
READ_CHUNK = 4096
QUIET_AFTER_DATA = 0.15
"""Seconds without more bytes after some arrived: the service has said what it says unprompted."""


class TargetNotAllowed(IotBaselineError):
    """A connection to an address the user did not name (a bug, or a redirect we will not follow)."""


class AttemptCapReached(IotBaselineError):
    """The hard cap of attempts for one service is spent."""


@dataclass(frozen=True)
class ProbeLimits:
    max_rate: float = 200.0
    """New connections plus datagrams per second, over the whole probe (--max-rate)."""
    concurrency: int = 64
    """Connections open at once."""
    connect_timeout: float = 2.0
    read_timeout: float = 2.0
    """Longest wait for an answer to a request."""
    banner_wait: float = 1.2
    """Longest wait for a service that speaks first (telnet, SSH, FTP) before we send anything."""
    attempts_per_port: int = 6
    """Connections identification may open to one port."""


@dataclass(frozen=True)
class Attempt:
    """One thing tried: a connection, a request, a datagram."""

    seconds: float
    """Since the session started."""
    address: str
    port: int
    transport: Transport
    purpose: str
    """connect, banner, http, tls, udp:ssdp, ... (later: credential:ssh)."""
    outcome: str
    """open, closed, timeout, answered, silent, refused-by-cap, error..."""
    detail: str = ""

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "seconds": round(self.seconds, 3),
            "address": self.address,
            "port": self.port,
            "transport": self.transport.value,
            "purpose": self.purpose,
            "outcome": self.outcome,
            "detail": self.detail,
        }


class RateLimiter:
    """At most `rate` starts per second, evenly spaced (no bursts: small devices drop them)."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("the rate must be positive")
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


@dataclass
class Connection:
    """An open TCP (or TLS) connection of the session."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    address: str
    port: int
    limits: ProbeLimits
    received: bytearray = field(default_factory=bytearray)

    @property
    def tls(self) -> ssl.SSLObject | None:
        obj = self.writer.get_extra_info("ssl_object")
        return obj if isinstance(obj, ssl.SSLObject) else None

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await asyncio.wait_for(self.writer.drain(), self.limits.read_timeout)

    async def read(self, wait: float, limit: int = 16 * 1024, until: bytes | None = None) -> bytes:
        """What arrives within `wait` seconds: stops early at `until`, at `limit` bytes, at the end of
        the stream, or once bytes came and then none for a moment."""
        deadline = time.monotonic() + wait
        data = bytearray()
        while len(data) < limit:
            remaining = deadline - time.monotonic()
            if data:
                remaining = min(remaining, QUIET_AFTER_DATA)
            if remaining <= 0:
                break
            try:
                chunk = await asyncio.wait_for(self.reader.read(min(READ_CHUNK, limit - len(data))), remaining)
            except (TimeoutError, ConnectionError, OSError, ssl.SSLError):
                break
            if not chunk:
                break
            data.extend(chunk)
            if until is not None and until in data:
                break
        self.received.extend(data[: max(0, limit - len(self.received))])
        return bytes(data)


class ProbeSession:
    def __init__(self, targets: TargetSet, limits: ProbeLimits | None = None, confine: Sequence[Network] = ()) -> None:
        """`confine`: networks every address must also lie in (tests: 127.0.0.0/8), besides the targets."""
        self.targets = targets
        self.limits = limits or ProbeLimits()
        self.confine = tuple(confine)
        self.attempts: list[Attempt] = []
        self._allowed = targets.addresses
        self._started = time.monotonic()
        self._rate = RateLimiter(self.limits.max_rate)
        self._slots = asyncio.Semaphore(self.limits.concurrency)
        self._charges: Counter[str] = Counter()
        self._failures: dict[tuple[str, int, str], str] = {}

    def allow(self, address: str) -> None:
        """Raises TargetNotAllowed unless the user named this address (and it lies in `confine`)."""
        if address not in self._allowed:
            raise TargetNotAllowed(f"{address} was not named as a target; refusing to contact it")
        if self.confine and not any(ipaddress.ip_address(address) in net for net in self.confine):
            raise TargetNotAllowed(f"{address} lies outside {', '.join(map(str, self.confine))}")

    def charge(self, key: str, cap: int) -> None:
        """Counts one attempt against `key` (e.g. `127.0.0.1:22/credential`); raises past `cap`."""
        self._charges[key] += 1
        if self._charges[key] > cap:
            raise AttemptCapReached(f"{key}: the cap of {cap} attempts is spent")

    def spent(self, key: str) -> int:
        return self._charges[key]

    def failure_of(self, address: str, port: int, purpose: str) -> str | None:
        """Why the last connection of `purpose` to the port was not opened (closed, timeout, error), if it was not."""
        return self._failures.get((address, port, purpose))

    def log(self, address: str, port: int, transport: Transport, purpose: str, outcome: str, detail: str = "") -> None:
        seconds = time.monotonic() - self._started
        if transport is Transport.TCP and outcome in ("closed", "timeout", "error"):
            self._failures[(address, port, purpose)] = outcome
        elif transport is Transport.TCP and outcome == "open":
            self._failures.pop((address, port, purpose), None)
        self.attempts.append(Attempt(seconds, address, port, transport, purpose, outcome, detail[:200]))

    @contextlib.asynccontextmanager
    async def connect(
        self,
        address: str,
        port: int,
        purpose: str,
        tls: ssl.SSLContext | None = None,
        server_name: str | None = None,
        cap: int | None = None,
    ) -> AsyncIterator[Connection | None]:
        """A connection, or None when the port did not accept one (closed, filtered, TLS refused).
        The attempt is logged either way. Connections of one purpose family (the part of `purpose`
        before `:`) to one port are capped: `cap`, else the limits' attempts_per_port."""
        self.allow(address)
        family = purpose.split(":", 1)[0]
        self.charge(f"{address}:{port}/tcp/{family}", cap or self.limits.attempts_per_port)
        async with self._slots:
            await self._rate.wait()
            opened = await self._open(address, port, purpose, tls, server_name)
            if opened is None:
                yield None
                return
            connection = Connection(*opened, address, port, self.limits)
            try:
                yield connection
            finally:
                connection.writer.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(connection.writer.wait_closed(), 0.5)

    @contextlib.asynccontextmanager
    async def connect_socket(
        self, address: str, port: int, purpose: str, cap: int | None = None
    ) -> AsyncIterator[socket.socket | None]:
        """A connected non-blocking socket, for a library that runs its own protocol over it (asyncssh),
        under the same allow-list, cap, rate, concurrency and log as `connect`; closed on exit."""
        self.allow(address)
        family = purpose.split(":", 1)[0]
        self.charge(f"{address}:{port}/tcp/{family}", cap or self.limits.attempts_per_port)
        async with self._slots:
            await self._rate.wait()
            kind = socket.AF_INET6 if ":" in address else socket.AF_INET
            sock = socket.socket(kind, socket.SOCK_STREAM)
            sock.setblocking(False)
            try:
                connected = await self._sock_connect(sock, address, port, purpose)
                yield sock if connected else None
            finally:
                sock.close()

    async def _sock_connect(self, sock: socket.socket, address: str, port: int, purpose: str) -> bool:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.sock_connect(sock, (address, port)), self.limits.connect_timeout)
        except TimeoutError:
            self.log(address, port, Transport.TCP, purpose, "timeout")
            return False
        except ConnectionRefusedError:
            self.log(address, port, Transport.TCP, purpose, "closed")
            return False
        except OSError as error:
            self.log(address, port, Transport.TCP, purpose, "error", f"{type(error).__name__}: {error}")
            return False
        self.log(address, port, Transport.TCP, purpose, "open")
        return True

    async def _open(
        self, address: str, port: int, purpose: str, tls: ssl.SSLContext | None, server_name: str | None
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        try:
            opened = await asyncio.wait_for(
                asyncio.open_connection(
                    address, port, ssl=tls, server_hostname=(server_name or address) if tls else None
                ),
                self.limits.connect_timeout + (self.limits.read_timeout if tls else 0.0),
            )
        except TimeoutError:
            self.log(address, port, Transport.TCP, purpose, "timeout")
            return None
        except ConnectionRefusedError:
            self.log(address, port, Transport.TCP, purpose, "closed")
            return None
        except (OSError, ssl.SSLError, EOFError) as error:
            self.log(address, port, Transport.TCP, purpose, "error", f"{type(error).__name__}: {error}")
            return None
        self.log(address, port, Transport.TCP, purpose, "open")
        return opened

    async def exchange_udp(self, address: str, port: int, payload: bytes, purpose: str) -> bytes | None:
        """Sends one datagram to the address and returns the first answer from it, or None."""
        self.allow(address)
        self.charge(f"{address}:{port}/udp", self.limits.attempts_per_port)
        async with self._slots:
            await self._rate.wait()
            loop = asyncio.get_running_loop()
            answers: asyncio.Queue[bytes | Exception] = asyncio.Queue()
            try:
                transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Datagrams(answers), remote_addr=(address, port)
                )
            except OSError as error:
                self.log(address, port, Transport.UDP, purpose, "error", str(error))
                return None
            try:
                transport.sendto(payload)
                answer = await asyncio.wait_for(answers.get(), self.limits.read_timeout)
            except TimeoutError:
                self.log(address, port, Transport.UDP, purpose, "silent")
                return None
            finally:
                transport.close()
        if isinstance(answer, Exception):  # ICMP port unreachable on a connected socket
            self.log(address, port, Transport.UDP, purpose, "closed", str(answer))
            return None
        self.log(address, port, Transport.UDP, purpose, "answered", f"{len(answer)} bytes")
        return answer

    def summary(self) -> dict[str, int]:
        """How many attempts of each purpose (for the terminal summary)."""
        return dict(Counter(attempt.purpose for attempt in self.attempts))


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, answers: "asyncio.Queue[bytes | Exception]") -> None:
        self.answers = answers

    def datagram_received(self, data: bytes, addr: tuple[str | int, ...]) -> None:
        self.answers.put_nowait(data[:65536])

    def error_received(self, exc: Exception) -> None:
        self.answers.put_nowait(exc)

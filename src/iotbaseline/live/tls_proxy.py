"""The way sslyze's connections go through the probe session: a CONNECT proxy on our own loopback
listener that tunnels only to the one service being scanned, each tunnel opened by
`ProbeSession.connect` (allow-list, global rate, concurrency, cap, attempt log). sslyze is told to
use it as its HTTP proxy; it never opens a connection to the device itself."""

import asyncio
import contextlib
from types import TracebackType

from iotbaseline.live.session import AttemptCapReached, ProbeSession, TargetNotAllowed

TLS_SCAN_CAP = 2000
"""Connections one TLS scan may open to a port (sslyze tests each cipher suite on a connection of its own)."""
_PIPE_CHUNK = 16 * 1024


class TunnelProxy:
    """`async with TunnelProxy(...) as proxy:` listens on 127.0.0.1:`proxy.port` while the block runs."""

    def __init__(
        self, session: ProbeSession, address: str, port: int, hostname: str, purpose: str = "tls-scan"
    ) -> None:
        self.session = session
        self.address = address
        self.port_wanted = port
        self.hostname = hostname
        """The name sslyze connects to (the address, or the host name the user gave): the only CONNECT allowed."""
        self.purpose = purpose
        self.tunnels = 0
        self.refused = 0
        self.port = 0
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> "TunnelProxy":
        self._server = await asyncio.start_server(self._accepted, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)

    def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            if not self._allowed(head):
                self.refused += 1
                writer.write(b"HTTP/1.1 403 Forbidden\r\n\r\n")
                return
            await self._tunnel(reader, writer)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError, OSError):
            pass
        except (AttemptCapReached, TargetNotAllowed):
            self.refused += 1
            with contextlib.suppress(Exception):
                writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
        finally:
            writer.close()

    def _allowed(self, head: bytes) -> bool:
        """Only `CONNECT <hostname>:<port>` of the service being scanned."""
        words = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(words) < 2 or words[0] != "CONNECT":
            return False
        host, _, port = words[1].rpartition(":")
        return host.strip("[]") == self.hostname and port == str(self.port_wanted)

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with self.session.connect(self.address, self.port_wanted, self.purpose, cap=TLS_SCAN_CAP) as upstream:
            if upstream is None:
                writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                return
            self.tunnels += 1
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            both = [
                asyncio.ensure_future(_pipe(reader, upstream.writer)),
                asyncio.ensure_future(_pipe(upstream.reader, writer)),
            ]
            _, pending = await asyncio.wait(both, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while True:
            data = await source.read(_PIPE_CHUNK)
            if not data:
                break
            sink.write(data)
            await sink.drain()

"""SSH password logins with asyncssh over a socket the session opened: password and keyboard-interactive
authentication only (no keys, no agent, no user configuration), no host key trust. A connection
that authenticates is a login; it is closed at once: no session channel, no command."""

import asyncio
import contextlib
import socket

import asyncssh
from asyncssh.public_key import get_public_key_algs

from iotbaseline.live.credentials.login import Login, Stopwatch, not_connected
from iotbaseline.live.credentials.outcome import AttemptResult, Verdict
from iotbaseline.live.text import field

HOST_KEY_PREFERENCE = (
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
    "ssh-dss",
)
"""Host key algorithms asked for, in this order: dropbear offers RSA signatures even without an RSA
key and then fails an assertion when a client picks one (asyncssh prefers RSA)."""
_LOCKED_CODES = frozenset({asyncssh.DISC_TOO_MANY_CONNECTIONS, asyncssh.DISC_HOST_NOT_ALLOWED_TO_CONNECT})


class SshLogin(Login):
    method = "ssh-password"
    kind = "ssh"

    async def attempt(self, user: str, password: str, control: bool = False) -> AttemptResult:
        place = self.place
        purpose = f"credential:{self.method}"
        async with place.session.connect_socket(place.address, place.port, purpose, place.connection_cap) as sock:
            if sock is None:
                return not_connected(place.session.failure_of(place.address, place.port, purpose))
            clock = Stopwatch()
            try:
                connection = await asyncio.wait_for(self._connect(sock, user, password), place.wait * 4)
            except asyncssh.PermissionDenied as error:
                return AttemptResult(Verdict.REJECTED, clock.seconds, detail=field(error.reason or "permission denied"))
            except asyncssh.DisconnectError as error:
                return self._disconnected(error, clock.seconds)
            except (ConnectionResetError, ConnectionAbortedError, BrokenPipeError) as error:
                return AttemptResult(Verdict.REFUSED, clock.seconds, detail=f"{type(error).__name__}")
            except (OSError, asyncssh.Error, TimeoutError, ValueError) as error:
                return AttemptResult(Verdict.ERROR, clock.seconds, detail=field(f"{type(error).__name__}: {error}"))
            seconds = clock.seconds
            server = field(str(connection.get_extra_info("server_version") or ""))
            connection.close()
            with contextlib.suppress(TimeoutError, OSError, asyncssh.Error):
                await asyncio.wait_for(connection.wait_closed(), 1.0)
            return AttemptResult(
                Verdict.ACCEPTED, seconds, proof=f"SSH authentication accepted by {server or 'the server'}"
            )

    async def _connect(self, sock: socket.socket, user: str, password: str) -> asyncssh.SSHClientConnection:
        return await asyncssh.connect(
            sock=sock,
            host=self.place.address,
            port=self.place.port,
            username=user,
            password=password,
            known_hosts=None,
            client_keys=None,
            agent_path=None,
            config=None,
            gss_host=None,
            public_key_auth=False,
            password_auth=True,
            kbdint_auth=True,
            preferred_auth="password,keyboard-interactive",
            server_host_key_algs=_host_key_algorithms(),
            login_timeout=self.place.wait * 4,
            connect_timeout=self.place.wait * 2,
        )

    def _disconnected(self, error: asyncssh.DisconnectError, seconds: float) -> AttemptResult:
        reason = field(error.reason or "")
        if error.code in _LOCKED_CODES or self.place.settings.says_locked(reason):
            return AttemptResult(Verdict.LOCKED, seconds, detail=f"disconnected: {reason}")
        if error.code in (asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, asyncssh.DISC_AUTH_CANCELLED_BY_USER):
            return AttemptResult(Verdict.REJECTED, seconds, detail=f"disconnected: {reason}")
        if error.code == asyncssh.DISC_CONNECTION_LOST:
            return AttemptResult(Verdict.REFUSED, seconds, detail=f"connection lost: {reason}")
        return AttemptResult(Verdict.ERROR, seconds, detail=f"disconnected ({error.code}): {reason}")


def _host_key_algorithms() -> list[str]:
    supported = {name.decode() for name in get_public_key_algs()}
    return [name for name in HOST_KEY_PREFERENCE if name in supported]

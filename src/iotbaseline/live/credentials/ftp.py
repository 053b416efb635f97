"""FTP logins: USER and PASS after the greeting; 230 is a login, 530 a refusal, 421 a server that sends
the client away (a lockout when it follows failed logins). QUIT right after."""

import re

from iotbaseline.live.credentials.login import Login, Stopwatch
from iotbaseline.live.credentials.outcome import AttemptResult, Verdict
from iotbaseline.live.session import Connection
from iotbaseline.live.text import printable

_REPLY = re.compile(rb"^(\d{3}) ", re.M)


async def read_reply(connection: Connection, wait: float) -> tuple[int | None, str]:
    """The next complete reply (a multi-line reply ends with `NNN ` on its last line)."""
    data = b""
    while len(data) < 8192:
        more = await connection.read(wait, limit=8192 - len(data), until=b"\n")
        if not more:
            break
        data += more
        if _REPLY.search(data) and data.endswith(b"\n"):
            break
    codes = _REPLY.findall(data)
    return (int(codes[-1]) if codes else None), printable(data, 200)


class FtpLogin(Login):
    method = "ftp-login"
    kind = "ftp"

    async def attempt(self, user: str, password: str, control: bool = False) -> AttemptResult:
        wait = self.place.wait
        async with self.connection() as opened:
            if isinstance(opened, AttemptResult):
                return opened
            code, said = await read_reply(opened, wait * 2)
            if code is None:
                return AttemptResult(Verdict.REFUSED, detail="no greeting")
            if code != 220:
                return self._refusal(code, said, 0.0)
            clock = Stopwatch()
            await opened.send(f"USER {user}\r\n".encode())
            code, said = await read_reply(opened, wait * 2)
            if code == 331:
                await opened.send(f"PASS {password}\r\n".encode())
                code, said = await read_reply(opened, wait * 3)
            seconds = clock.seconds
            if code in (230, 232):
                await opened.send(b"QUIT\r\n")
                return AttemptResult(Verdict.ACCEPTED, seconds, proof=f"the server answered {said[:120]!r}")
            return self._refusal(code, said, seconds)

    def _refusal(self, code: int | None, said: str, seconds: float) -> AttemptResult:
        if code == 421 or self.place.settings.says_locked(said):
            return AttemptResult(Verdict.LOCKED, seconds, detail=said)
        if code in (530, 430, 332):
            return AttemptResult(Verdict.REJECTED, seconds, detail=said)
        if code is None:
            return AttemptResult(Verdict.REFUSED, seconds, detail="closed without a reply")
        return AttemptResult(Verdict.ERROR, seconds, detail=said)

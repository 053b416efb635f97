"""HTTP and RTSP authentication (Basic and Digest) on the path the device challenged: a GET (HTTP) or
DESCRIBE (RTSP) with the Authorization header. Digest takes a fresh challenge per attempt. The
control pair must be refused first, so a server that answers any Authorization header proves nothing."""

from iotbaseline.live.credentials.digest import basic_authorization, digest_authorization, digest_challenge
from iotbaseline.live.credentials.login import Login, LoginPlace, Stopwatch
from iotbaseline.live.credentials.outcome import AttemptResult, Verdict
from iotbaseline.live.protocols.http import MAX_BODY, USER_AGENT, Message, parse_message
from iotbaseline.live.session import Connection
from iotbaseline.live.text import field, printable


class HttpAuthLogin(Login):
    """`scheme`: basic or digest, as the device challenged."""

    kind = "web"
    protocol = "HTTP"
    verb = "GET"

    def __init__(self, place: LoginPlace, where: str, scheme: str) -> None:
        super().__init__(place, where or "/")
        self.scheme = scheme
        self.method = f"{'rtsp' if self.protocol == 'RTSP' else 'http'}-{scheme}"
        self._sequence = 0
        self._reusable = True
        """Whether the server kept the connection open after its challenge."""

    async def attempt(self, user: str, password: str, control: bool = False) -> AttemptResult:
        async with self.connection() as opened:
            if isinstance(opened, AttemptResult):
                return opened
            if self.scheme == "basic":
                clock = Stopwatch()
                return self.judge(await self._exchange(opened, basic_authorization(user, password)), clock.seconds)
            challenge = await self._challenge(opened)
            if isinstance(challenge, AttemptResult):
                return challenge
            header = digest_authorization(user, password, self.verb, self.uri, challenge)
            if header is None:
                return AttemptResult(Verdict.ERROR, detail=f"unsupported Digest challenge {challenge!r}"[:200])
            if self._reusable and not opened.reader.at_eof():
                clock = Stopwatch()
                return self.judge(await self._exchange(opened, header), clock.seconds)
        async with self.connection() as second:  # the server closed after its challenge
            if isinstance(second, AttemptResult):
                return second
            clock = Stopwatch()
            return self.judge(await self._exchange(second, header), clock.seconds)

    @property
    def uri(self) -> str:
        return self.where

    def request(self, authorization: str | None) -> bytes:
        self._sequence += 1
        lines = [
            f"GET {self.uri} HTTP/1.1",
            f"Host: {self.place.host_header}",
            f"User-Agent: {USER_AGENT}",
            "Accept: */*",
        ]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        # Digest needs the challenge and the answer on one connection (keep-alive); Basic closes.
        lines.append("Connection: close" if self.scheme == "basic" or authorization else "Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")

    async def _challenge(self, connection: Connection) -> dict[str, str] | AttemptResult:
        answer = await self._exchange(connection, None)
        if isinstance(answer, AttemptResult):
            return answer
        self._reusable = (answer.header("connection") or "").lower() != "close"
        for value in answer.all("www-authenticate"):
            challenge = digest_challenge(value)
            if challenge is not None:
                return challenge
        locked = self._locked(answer)
        if locked is not None:
            return locked
        return AttemptResult(Verdict.ERROR, detail=f"no Digest challenge (status {answer.status})")

    async def _exchange(self, connection: Connection, authorization: str | None) -> Message | AttemptResult:
        await connection.send(self.request(authorization))
        data = await self._read(connection)
        if not data:
            return AttemptResult(Verdict.REFUSED, detail="closed without an answer")
        message = parse_message(data)
        if message is None or message.scheme != self.protocol:
            return AttemptResult(Verdict.ERROR, detail=f"not an {self.protocol} answer: {printable(data[:80], 80)}")
        return message

    async def _read(self, connection: Connection) -> bytes:
        """One response: its head, then its body up to Content-Length (bounded)."""
        data = await connection.read(self.place.wait * 2, limit=MAX_BODY, until=b"\r\n\r\n")
        head, separator, body = data.partition(b"\r\n\r\n")
        if not separator:
            return data
        message = parse_message(data)
        length = message.header("content-length") if message else None
        wanted = min(int(length), MAX_BODY) if length and length.isdigit() else 0
        while len(body) < wanted:
            more = await connection.read(self.place.wait, limit=wanted - len(body))
            if not more:
                break
            body += more
        return head + separator + body

    def _locked(self, message: Message) -> AttemptResult | None:
        text = message.reason + " " + message.body[:4096].decode("utf-8", "replace")
        if message.status == 429 or (message.status in (401, 403, 503) and self.place.settings.says_locked(text)):
            return AttemptResult(Verdict.LOCKED, detail=f"status {message.status} {field(message.reason)}")
        return None

    def judge(self, answer: Message | AttemptResult, seconds: float) -> AttemptResult:
        if isinstance(answer, AttemptResult):
            return AttemptResult(answer.verdict, seconds, detail=answer.detail)
        locked = self._locked(answer)
        if locked is not None:
            return AttemptResult(Verdict.LOCKED, seconds, detail=locked.detail)
        if answer.status in self.accepted_statuses():
            return AttemptResult(Verdict.ACCEPTED, seconds, proof=self.proof(answer))
        if answer.status in (401, 403, 407):
            return AttemptResult(Verdict.REJECTED, seconds, detail=f"status {answer.status}")
        return AttemptResult(Verdict.ERROR, seconds, detail=f"status {answer.status} {answer.reason}")

    def accepted_statuses(self) -> range | tuple[int, ...]:
        return range(200, 400)

    def proof(self, answer: Message) -> str:
        return f"GET {self.uri} answered {answer.status} {answer.reason} with the credentials (401 without)"


class RtspAuthLogin(HttpAuthLogin):
    """DESCRIBE of the stream the device challenged; RTSP keeps the connection for the two requests."""

    kind = "web"
    protocol = "RTSP"
    verb = "DESCRIBE"

    @property
    def uri(self) -> str:
        shown = f"[{self.place.address}]" if ":" in self.place.address else self.place.address
        return f"rtsp://{shown}:{self.place.port}{self.where}"

    def request(self, authorization: str | None) -> bytes:
        self._sequence += 1
        lines = [
            f"DESCRIBE {self.uri} RTSP/1.0",
            f"CSeq: {self._sequence}",
            f"User-Agent: {USER_AGENT}",
            "Accept: application/sdp",
        ]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "replace")

    def accepted_statuses(self) -> tuple[int, ...]:
        # 404 and 454 after a 401 without credentials: authenticated, but no stream at that path.
        return (200, 301, 302, 404, 454)

    def proof(self, answer: Message) -> str:
        kind = answer.header("content-type") or "no body"
        return f"DESCRIBE {self.uri} answered {answer.status} {answer.reason} ({kind}) with the credentials"

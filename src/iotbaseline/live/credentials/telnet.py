"""Telnet logins: wait for the login prompt (refusing the options the server offers), send the user
name, wait for the password prompt, send the password, and read what follows. A command prompt
after the password, with no failure message, is a login; the session is closed at once and no
command is sent."""

import time

from iotbaseline.live.credentials.login import Login, Stopwatch
from iotbaseline.live.credentials.outcome import AttemptResult, Verdict
from iotbaseline.live.protocols.speaks_first import prompt_of, refusals
from iotbaseline.live.session import Connection
from iotbaseline.live.text import printable, split_telnet

MAX_TEXT = 16 * 1024


class TelnetDialogue:
    """The text a telnet server sent, with its negotiation answered as it arrives."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.text = ""
        self.closed = False

    async def until(self, wanted: frozenset[str], wait: float) -> str | None:
        """Reads until the last line is one of the `wanted` prompts (login, password, shell), the server
        closes, or `wait` passes; returns the prompt seen last, if any."""
        deadline = time.monotonic() + wait
        while not self.closed and time.monotonic() < deadline and len(self.text) < MAX_TEXT:
            data = await self.connection.read(deadline - time.monotonic(), limit=4096)
            if not data:  # the wait is over, or the stream ended or broke before it was
                self.closed = self.connection.reader.at_eof() or time.monotonic() < deadline - 0.01
                break
            commands, text = split_telnet(data)
            answer = refusals(commands)
            if answer:
                await self.connection.send(answer)
            self.text += text.decode("utf-8", "replace")
            if prompt_of(self.text) in wanted:
                break
        return prompt_of(self.text)

    def since(self, mark: int) -> str:
        return self.text[mark:]


class TelnetLogin(Login):
    method = "telnet-login"
    kind = "telnet"

    async def attempt(self, user: str, password: str, control: bool = False) -> AttemptResult:
        wait = self.place.wait
        async with self.connection() as opened:
            if isinstance(opened, AttemptResult):
                return opened
            dialogue = TelnetDialogue(opened)
            prompt = await dialogue.until(frozenset({"login", "password", "shell"}), wait * 2)
            if dialogue.closed and not dialogue.text.strip():
                return AttemptResult(Verdict.REFUSED, detail="closed before any prompt")
            if prompt == "shell":
                return AttemptResult(Verdict.ERROR, detail="a shell prompt before any login (no password asked)")
            if prompt == "login":
                await opened.send(user.encode("utf-8") + b"\r\n")
                prompt = await dialogue.until(frozenset({"password", "shell", "login"}), wait * 2)
            if prompt != "password":
                return self._before_password(dialogue, prompt)
            mark = len(dialogue.text)
            clock = Stopwatch()
            await opened.send(password.encode("utf-8") + b"\r\n")
            prompt = await dialogue.until(frozenset({"shell", "login", "password"}), wait * 3)
            return self._after_password(dialogue.since(mark), prompt, dialogue.closed, clock.seconds)

    def _before_password(self, dialogue: TelnetDialogue, prompt: str | None) -> AttemptResult:
        said = printable(dialogue.text[-300:], 200)
        locked = self.place.settings.says_locked(dialogue.text)
        if locked:
            return AttemptResult(Verdict.LOCKED, detail=f"before the password: {said}")
        if prompt == "shell":
            return AttemptResult(Verdict.ERROR, detail=f"a shell without a password prompt: {said}")
        return AttemptResult(Verdict.ERROR, detail=f"no password prompt: {said or 'nothing'}")

    def _after_password(self, said: str, prompt: str | None, closed: bool, seconds: float) -> AttemptResult:
        shown = printable(said[-300:], 200)
        settings = self.place.settings
        if settings.says_locked(said):
            return AttemptResult(Verdict.LOCKED, seconds, detail=shown)
        if prompt == "shell" and not settings.says_failed(said):
            last = shown.rsplit("\n", 1)[-1]
            return AttemptResult(Verdict.ACCEPTED, seconds, proof=f"command prompt after the password: {last!r}")
        if prompt in ("login", "password") or settings.says_failed(said) or closed:
            return AttemptResult(Verdict.REJECTED, seconds, detail=shown or "closed")
        return AttemptResult(Verdict.ERROR, seconds, detail=f"no prompt after the password: {shown or 'nothing'}")

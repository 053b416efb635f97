"""Services that speak first: SSH identification lines, telnet negotiation and prompts, FTP and
other greetings, raw shells. We only listen (and refuse the telnet options offered)."""

import re

from iotbaseline.live.protocols import Reading
from iotbaseline.live.session import Connection
from iotbaseline.live.text import field, latin1, printable, split_telnet

_IAC, _DONT, _DO, _WONT, _WILL = 0xFF, 0xFE, 0xFD, 0xFC, 0xFB
_PROMPTS = (
    ("password", re.compile(r"(?i)pass(?:word|wd)?\s*:$")),
    ("login", re.compile(r"(?i)(?:login|user(?:name)?)\s*:$")),
    ("shell", re.compile(r"^\S{0,60}\s?[#$>]$")),
)


def prompt_of(text: str) -> str | None:
    """What the last line asks for: login, password, shell (a command prompt), or None."""
    lines = text.replace("\r", "\n").rstrip().rsplit("\n", 1)
    last = lines[-1].strip()[-80:] if lines else ""
    for name, pattern in _PROMPTS:
        if last and pattern.search(last):
            return name
    return None


def ssh_reading(head: bytes) -> Reading:
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    text = field(line.decode("latin-1"))
    software = text.split("-", 2)[2] if text.count("-") >= 2 else ""
    reading = Reading("ssh", banner=text, evidence={"identification": text, "software": software})
    reading.fields["ssh"] = text
    return reading


def refusals(commands: bytes) -> bytes:
    """Our answer to the server's options: WONT to every DO, DONT to every WILL (we want plain text)."""
    answer = bytearray()
    for index in range(len(commands) - 2):
        if commands[index] != _IAC:
            continue
        verb, option = commands[index + 1], commands[index + 2]
        if verb == _DO:
            answer += bytes((_IAC, _WONT, option))
        elif verb == _WILL:
            answer += bytes((_IAC, _DONT, option))
    return bytes(answer)


async def read_telnet(connection: Connection, head: bytes, wait: float) -> Reading:
    """Many telnet servers send their login prompt only once the client has answered their options."""
    commands, text = split_telnet(head)
    if commands and not prompt_of(text.decode("latin-1")):
        answer = refusals(commands)
        if answer:
            await connection.send(answer)
        _, more_text = split_telnet(await connection.read(wait))
        text += more_text
    return telnet_reading(commands, text)


def telnet_reading(commands: bytes, text: bytes) -> Reading:
    shown = printable(text)
    reading = Reading("telnet", banner=shown, evidence={"negotiation": commands.hex()})
    prompt = prompt_of(text.decode("utf-8", "replace"))
    if prompt:
        reading.evidence["prompt"] = prompt
    if commands:
        reading.fields["negotiation"] = latin1(commands)
    if shown:
        reading.fields["banner"] = shown
    return reading


def shell_reading(head: bytes) -> Reading:
    """A raw TCP shell (no telnet negotiation): a vendor debug port."""
    shown = printable(head)
    reading = Reading("shell", banner=shown, evidence={"prompt": prompt_of(head.decode("utf-8", "replace")) or ""})
    reading.fields["banner"] = shown
    return reading


def greeting_reading(protocol: str, head: bytes) -> Reading:
    """FTP (220 ...), SMTP and other services that greet with one line."""
    shown = printable(head)
    reading = Reading(protocol, banner=shown, evidence={"greeting": field(shown.split("\n", 1)[0])})
    reading.fields["banner"] = shown
    return reading

"""What a device says is untrusted: bytes become bounded, printable text before they are matched,
stored or shown (a banner may hold terminal escapes, NULs, megabytes)."""

import re

BANNER_CHARS = 512
FIELD_CHARS = 200
_IAC = 0xFF
_SB, _SE = 0xFA, 0xF0
_NEWLINES = re.compile(r"\r\n|\r|\n")


def printable(data: bytes | str, limit: int = BANNER_CHARS) -> str:
    """Printable text: CR LF and CR as LF, tabs kept, every other control or unprintable character as
    `.`, at most `limit` characters (with `…` when cut)."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = _NEWLINES.sub("\n", text[: limit * 4])
    cleaned = "".join(c if c.isprintable() or c in "\n\t" else "." for c in text).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def field(value: str) -> str:
    """One header or property value: a single printable line, bounded."""
    return printable(value.replace("\n", " "), FIELD_CHARS)


def latin1(data: bytes) -> str:
    """Bytes as text one-to-one, for matching byte patterns with regular expressions."""
    return data.decode("latin-1")


def split_telnet(data: bytes) -> tuple[bytes, bytes]:
    """Telnet data -> (the IAC negotiation sequences, the text without them)."""
    commands, text = bytearray(), bytearray()
    index = 0
    while index < len(data):
        byte = data[index]
        if byte != _IAC:
            text.append(byte)
            index += 1
            continue
        if index + 1 < len(data) and data[index + 1] == _IAC:  # an escaped 0xFF data byte
            text.append(_IAC)
            index += 2
        elif index + 1 < len(data) and data[index + 1] == _SB:  # sub-negotiation: up to IAC SE
            end = data.find(bytes((_IAC, _SE)), index + 2)
            end = len(data) if end < 0 else end + 2
            commands.extend(data[index:end])
            index = end
        else:
            width = 3 if index + 1 < len(data) and 0xFB <= data[index + 1] <= 0xFE else 2
            commands.extend(data[index : index + width])
            index += width
    return bytes(commands), bytes(text)

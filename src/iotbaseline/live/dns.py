"""The little DNS that mDNS discovery needs: a PTR question with the unicast-response bit, and
answers parsed with bounds (names with compression, PTR, SRV, TXT, A, AAAA). Answers come from
any host on the segment: a malformed one is dropped, never trusted."""

import ipaddress
import struct
from dataclasses import dataclass

PTR, TXT, SRV, A, AAAA = 12, 16, 33, 1, 28
_QU = 0x8000
"""Question class top bit: answer by unicast (RFC 6762 5.4)."""
_MAX_JUMPS = 32
_MAX_RECORDS = 256


class DnsError(ValueError):
    """A malformed DNS message."""


@dataclass(frozen=True)
class Record:
    name: str
    type: int
    value: str
    """PTR: the name pointed to; SRV: `target:port`; TXT: the strings joined by `;`; A, AAAA: the address."""


def ptr_query(names: list[str], query_id: int = 0) -> bytes:
    header = struct.pack(">6H", query_id, 0, len(names), 0, 0, 0)
    questions = b"".join(encode_name(name) + struct.pack(">2H", PTR, 1 | _QU) for name in names)
    return header + questions


def encode_name(name: str) -> bytes:
    labels = [label.encode("utf-8") for label in name.rstrip(".").split(".") if label]
    if any(len(label) > 63 for label in labels):
        raise DnsError("a label longer than 63 bytes")
    return b"".join(bytes((len(label),)) + label for label in labels) + b"\x00"


def parse_records(message: bytes) -> list[Record]:
    """The answer, authority and additional records of a response (questions skipped)."""
    if len(message) < 12:
        raise DnsError("shorter than a header")
    _, flags, questions, answers, authorities, additionals = struct.unpack_from(">6H", message)
    if not flags & 0x8000:
        raise DnsError("not a response")
    offset = 12
    for _ in range(questions):
        _, offset = read_name(message, offset)
        offset += 4
    records: list[Record] = []
    for _ in range(min(answers + authorities + additionals, _MAX_RECORDS)):
        name, offset = read_name(message, offset)
        if offset + 10 > len(message):
            raise DnsError("truncated record")
        kind, _, _, length = struct.unpack_from(">HHIH", message, offset)
        start = offset + 10
        offset = start + length
        if offset > len(message):
            raise DnsError("truncated record data")
        value = _value(message, kind, start, length)
        if value is not None:
            records.append(Record(name, kind, value))
    return records


def read_name(message: bytes, offset: int) -> tuple[str, int]:
    """A possibly compressed name at `offset` -> (name, offset after it in the message)."""
    labels: list[str] = []
    end: int | None = None
    for _ in range(_MAX_JUMPS + 128):
        if offset >= len(message):
            raise DnsError("name runs past the message")
        length = message[offset]
        if length == 0:
            return ".".join(labels), end if end is not None else offset + 1
        if length & 0xC0 == 0xC0:
            if offset + 1 >= len(message):
                raise DnsError("truncated pointer")
            if end is None:
                end = offset + 2
            offset = ((length & 0x3F) << 8) | message[offset + 1]
            continue
        if length > 63:
            raise DnsError("bad label length")
        labels.append(message[offset + 1 : offset + 1 + length].decode("utf-8", "replace"))
        offset += 1 + length
    raise DnsError("too many labels or pointer loop")


def _value(message: bytes, kind: int, start: int, length: int) -> str | None:
    data = message[start : start + length]
    if kind == PTR:
        return read_name(message, start)[0]
    if kind == SRV and length >= 7:
        port = struct.unpack_from(">H", data, 4)[0]
        return f"{read_name(message, start + 6)[0]}:{port}"
    if kind == TXT:
        strings, index = [], 0
        while index < len(data):
            size = data[index]
            strings.append(data[index + 1 : index + 1 + size].decode("utf-8", "replace"))
            index += 1 + size
        return ";".join(strings)
    if kind == A and length == 4:
        return str(ipaddress.IPv4Address(data))
    if kind == AAAA and length == 16:
        return str(ipaddress.IPv6Address(data))
    return None

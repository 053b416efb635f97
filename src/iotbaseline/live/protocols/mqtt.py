"""MQTT: one CONNECT (protocol 3.1.1, clean session, no user name, no password) and the CONNACK's
return code, which says whether the broker accepts anonymous clients. A broker that accepts is
asked its version the way nmap's version detection does: a QoS 0 subscription to the one
read-only topic `$SYS/broker/version`. Nothing is published; other topics are the
unauthenticated-access tests' business."""

import os

from iotbaseline.live.protocols import Reading
from iotbaseline.live.session import Connection
from iotbaseline.live.text import field

RETURN_CODES = {
    0: "accepted",
    1: "unacceptable protocol version",
    2: "identifier rejected",
    3: "server unavailable",
    4: "bad user name or password",
    5: "not authorised",
}
DISCONNECT = b"\xe0\x00"
VERSION_TOPIC = b"$SYS/broker/version"


def connect_packet(client_id: str) -> bytes:
    identifier = client_id.encode("ascii")
    variable = b"\x00\x04MQTT\x04\x02\x00\x1e"  # protocol 3.1.1, clean session, keep-alive 30 s
    payload = len(identifier).to_bytes(2, "big") + identifier
    body = variable + payload
    return b"\x10" + bytes((len(body),)) + body


def parse_connack(data: bytes) -> int | None:
    """The return code of a CONNACK, or None when the answer is not one."""
    if len(data) >= 4 and data[0] == 0x20 and data[1] == 0x02 and data[2] in (0, 1):
        return data[3]
    return None


async def read_mqtt(connection: Connection, wait: float) -> Reading | None:
    await connection.send(connect_packet(f"iotbaseline-{os.urandom(4).hex()}"))
    code = parse_connack(await connection.read(wait, limit=4))
    if code is None:
        return None
    reading = mqtt_reading(code)
    if code == 0:
        await connection.send(subscribe_packet(VERSION_TOPIC))
        version = published(await connection.read(wait, limit=2048, until=VERSION_TOPIC), VERSION_TOPIC)
        await connection.send(DISCONNECT)
        if version:
            reading.evidence["broker_version"] = version
            reading.fields["banner"] = version
    return reading


def subscribe_packet(topic: bytes) -> bytes:
    body = b"\x00\x01" + len(topic).to_bytes(2, "big") + topic + b"\x00"  # packet id 1, QoS 0
    return b"\x82" + bytes((len(body),)) + body


def published(data: bytes, topic: bytes) -> str | None:
    """The payload of a PUBLISH to `topic` among the packets in `data` (bounded, sanitised)."""
    index = 0
    while index + 2 <= len(data):
        kind, length, start = data[index], 0, index + 1
        for shift in range(0, 28, 7):  # the remaining length: up to four bytes of seven bits
            if start >= len(data):
                return None
            length |= (data[start] & 0x7F) << shift
            start += 1
            if not data[start - 1] & 0x80:
                break
        body = data[start : start + length]
        if kind >> 4 == 3 and len(body) >= 2:
            size = int.from_bytes(body[:2], "big")
            skip = 2 + size + (2 if kind & 0x06 else 0)  # QoS > 0 carries a packet id
            if body[2 : 2 + size] == topic:
                return field(body[skip:].decode("utf-8", "replace")) or None
        index = start + length
    return None


def mqtt_reading(code: int) -> Reading:
    meaning = RETURN_CODES.get(code, f"code {code}")
    evidence = {"connack": code, "connack_meaning": meaning, "anonymous_accepted": code == 0}
    return Reading("mqtt", banner=f"CONNACK {code} ({meaning})", evidence=evidence)

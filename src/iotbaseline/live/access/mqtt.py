"""An anonymous MQTT client subscribes to `#` (every topic): a granted subscription means anyone can
read what passes through the broker. At most a few messages are read for a few seconds (their
topics and sizes are kept, never their payloads); nothing is published."""

import os
import time

from iotbaseline.live.access.place import AccessPlace, result
from iotbaseline.live.model import ObservedService
from iotbaseline.live.protocols.mqtt import DISCONNECT, connect_packet, parse_connack, subscribe_packet
from iotbaseline.live.session import Connection
from iotbaseline.live.text import field
from iotbaseline.live.trials import AccessResult
from iotbaseline.model import JSONValue

GRANTED = (0, 1, 2)


def packets(data: bytes) -> list[tuple[int, bytes]]:
    """The complete MQTT control packets in `data`: (type and flags byte, body)."""
    found: list[tuple[int, bytes]] = []
    index = 0
    while index + 2 <= len(data):
        kind, length, start = data[index], 0, index + 1
        for shift in range(0, 28, 7):
            if start >= len(data):
                return found
            length |= (data[start] & 0x7F) << shift
            start += 1
            if not data[start - 1] & 0x80:
                break
        if start + length > len(data):
            break
        found.append((kind, data[start : start + length]))
        index = start + length
    return found


def suback_code(data: bytes) -> int | None:
    for kind, body in packets(data):
        if kind >> 4 == 9 and len(body) >= 3:
            return body[2]
    return None


def published_topics(data: bytes) -> list[tuple[str, int]]:
    """(topic, payload size) of each PUBLISH."""
    found = []
    for kind, body in packets(data):
        if kind >> 4 != 3 or len(body) < 2:
            continue
        size = int.from_bytes(body[:2], "big")
        topic = field(body[2 : 2 + size].decode("utf-8", "replace"))
        skip = 2 + size + (2 if kind & 0x06 else 0)
        found.append((topic, max(0, len(body) - skip)))
    return found


async def mqtt_subscribe(place: AccessPlace, service: ObservedService) -> AccessResult | None:
    if service.protocol != "mqtt" or service.evidence.get("anonymous_accepted") is not True:
        return None
    settings = place.settings
    topic = settings.mqtt_topic
    async with place.connect(service.port, service.tls, "mqtt") as connection:
        if connection is None:
            return result(service, "mqtt-subscribe", None, "the broker did not accept a connection this time")
        await connection.send(connect_packet(f"iotbaseline-{os.urandom(4).hex()}"))
        code = parse_connack(await connection.read(place.wait, limit=4))
        if code != 0:
            return result(service, "mqtt-subscribe", False, f"anonymous CONNECT refused (CONNACK {code})", connack=code)
        await connection.send(subscribe_packet(topic.encode()))
        data = await _read_for(connection, settings.mqtt_seconds, settings.mqtt_messages)
        await connection.send(DISCONNECT)
    granted = suback_code(data)
    messages = published_topics(data)[: settings.mqtt_messages]
    evidence: dict[str, JSONValue] = {
        "topic": topic,
        "suback": granted,
        "messages": [{"topic": name, "bytes": size} for name, size in messages],
        "read_seconds": settings.mqtt_seconds,
    }
    if granted in GRANTED:
        shown = ", ".join(sorted({name for name, _ in messages})[:5])
        more = f"; {len(messages)} message(s) read: {shown}" if messages else "; no message came while reading"
        summary = f"an anonymous client's subscription to {topic!r} was granted (QoS {granted}){more}"
        return result(service, "mqtt-subscribe", True, summary, **evidence)
    if granted is None:
        return result(service, "mqtt-subscribe", None, "no SUBACK to the subscription", **evidence)
    return result(service, "mqtt-subscribe", False, f"subscription to {topic!r} refused (0x{granted:02x})", **evidence)


async def _read_for(connection: Connection, seconds: float, messages: int) -> bytes:
    deadline = time.monotonic() + seconds
    data = b""
    while time.monotonic() < deadline and len(published_topics(data)) < messages and len(data) < 64 * 1024:
        more = await connection.read(deadline - time.monotonic(), limit=16 * 1024)
        if not more:
            break
        data += more
    return data

"""Android Debug Bridge over TCP: our CNXN message; the device answers CNXN with its banner (open
to any host) or AUTH (it wants a key the user accepted). We never answer AUTH."""

import struct

from iotbaseline.live.protocols import Reading
from iotbaseline.live.session import Connection
from iotbaseline.live.text import field

A_CNXN, A_AUTH = 0x4E584E43, 0x48545541
VERSION, MAX_DATA = 0x01000000, 4096
HEADER = struct.Struct("<6I")


def message(command: int, arg0: int, arg1: int, payload: bytes) -> bytes:
    checksum = sum(payload) & 0xFFFFFFFF
    return HEADER.pack(command, arg0, arg1, len(payload), checksum, command ^ 0xFFFFFFFF) + payload


def connect_message() -> bytes:
    return message(A_CNXN, VERSION, MAX_DATA, b"host::\x00")


def adb_reading(data: bytes) -> Reading | None:
    if len(data) < HEADER.size:
        return None
    command, _, _, length, _, magic = HEADER.unpack_from(data)
    if command not in (A_CNXN, A_AUTH) or magic != command ^ 0xFFFFFFFF:
        return None
    if command == A_AUTH:
        return Reading("adb", banner="AUTH", evidence={"authentication_required": True})
    banner = field(data[HEADER.size : HEADER.size + min(length, 1024)].rstrip(b"\x00").decode("latin-1"))
    reading = Reading("adb", banner=banner, evidence={"authentication_required": False, "device_banner": banner})
    reading.fields["adb"] = banner
    return reading


async def read_adb(connection: Connection, wait: float) -> Reading | None:
    await connection.send(connect_message())
    return adb_reading(await connection.read(wait, limit=HEADER.size + 1024))

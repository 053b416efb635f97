"""MQTT logins: CONNECT (3.1.1, clean session) with a user name and password; CONNACK 0 is a login,
4 (bad user name or password) and 5 (not authorised) refusals. DISCONNECT right after; nothing is
subscribed or published."""

import os

from iotbaseline.live.credentials.login import Login, Stopwatch
from iotbaseline.live.credentials.outcome import AttemptResult, Verdict
from iotbaseline.live.protocols.mqtt import DISCONNECT, RETURN_CODES, parse_connack


def remaining_length(size: int) -> bytes:
    """MQTT's variable-length integer (up to four bytes of seven bits)."""
    encoded = bytearray()
    while True:
        digit, size = size % 128, size // 128
        encoded.append(digit | (0x80 if size else 0))
        if not size:
            return bytes(encoded)


def _string(text: str) -> bytes:
    data = text.encode("utf-8")[:65535]
    return len(data).to_bytes(2, "big") + data


def login_packet(client_id: str, user: str, password: str) -> bytes:
    """CONNECT with the user-name and password flags (0xC2: both, and clean session)."""
    variable = b"\x00\x04MQTT\x04\xc2\x00\x1e"
    body = variable + _string(client_id) + _string(user) + _string(password)
    return b"\x10" + remaining_length(len(body)) + body


class MqttLogin(Login):
    method = "mqtt-connect"
    kind = "mqtt"

    async def attempt(self, user: str, password: str, control: bool = False) -> AttemptResult:
        async with self.connection() as opened:
            if isinstance(opened, AttemptResult):
                return opened
            clock = Stopwatch()
            await opened.send(login_packet(f"iotbaseline-{os.urandom(4).hex()}", user, password))
            answer = await opened.read(self.place.wait * 2, limit=4)
            seconds = clock.seconds
            code = parse_connack(answer)
            if code is None:
                verdict = Verdict.REFUSED if not answer else Verdict.ERROR
                return AttemptResult(verdict, seconds, detail="no CONNACK")
            meaning = RETURN_CODES.get(code, f"code {code}")
            if code == 0:
                await opened.send(DISCONNECT)
                return AttemptResult(Verdict.ACCEPTED, seconds, proof=f"CONNACK 0 ({meaning})")
            if code in (4, 5):
                return AttemptResult(Verdict.REJECTED, seconds, detail=f"CONNACK {code} ({meaning})")
            return AttemptResult(Verdict.ERROR, seconds, detail=f"CONNACK {code} ({meaning})")

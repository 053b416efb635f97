"""UDP services, each asked one harmless question of its own protocol (data/live/ports.yaml says
which): CoAP resource discovery, SNMPv3 engine discovery (no community, no user: trying `public`
is a credential attempt and belongs to the credential tests), an ONVIF WS-Discovery Probe, a TFTP
read of a file that cannot exist, an SSDP M-SEARCH (in http.py)."""

import os
import re
import uuid

from iotbaseline.live.protocols import Reading
from iotbaseline.live.text import field, printable
from iotbaseline.model import JSONValue

# SNMPv3 GetRequest with an empty user and engine id (RFC 3414 section 4): the agent answers with a
# Report carrying its engine id. The same request nmap's SNMPv3GetRequest probe sends.
SNMP_ENGINE_DISCOVERY = bytes.fromhex(
    "303a020103300f02024a69020300ffe30401040201030410300e0400020100020100040004000400"
    "3012040004 00a00c020237f00201000201003000".replace(" ", "")
)
_WELL_KNOWN_CORE = b"\xbb.well-known\x04core"
_XADDRS = re.compile(r"<[\w:]*XAddrs>([^<]{0,500})</", re.S)
_SCOPES = re.compile(r"<[\w:]*Scopes[^>]*>([^<]{0,2000})</", re.S)
_TFTP_MISSING = b"iotbaseline-probe-no-such-file"


def coap_request(message_id: int) -> bytes:
    """CON GET /.well-known/core: version 1, no token."""
    return bytes((0x40, 0x01)) + message_id.to_bytes(2, "big") + _WELL_KNOWN_CORE


def coap_reading(answer: bytes, message_id: int) -> Reading | None:
    if len(answer) < 4 or answer[0] >> 6 != 1 or int.from_bytes(answer[2:4], "big") != message_id:
        return None
    code = f"{answer[1] >> 5}.{answer[1] & 0x1F:02d}"
    marker = answer.find(b"\xff", 4 + (answer[0] & 0x0F))
    payload = answer[marker + 1 :] if marker >= 0 else b""
    resources = [field(item) for item in re.findall(r"<([^>]{1,200})>", payload.decode("utf-8", "replace"))][:50]
    evidence: dict[str, JSONValue] = {"code": code, "resources": resources}
    return Reading("coap", banner=printable(f"CoAP {code} " + " ".join(resources)), evidence=evidence)


def snmp_reading(answer: bytes) -> Reading | None:
    """An SNMPv3 answer: its version and authoritative engine id (vendor number, often a MAC)."""
    try:
        message = _children(_value(answer, 0x30))
        version = int.from_bytes(_expect(message[0], 0x02), "big")
        if version != 3 or len(message) < 3:
            return None
        security = _children(_value(_expect(message[2], 0x04), 0x30))
        engine = _expect(security[0], 0x04)
    except (IndexError, ValueError):
        return None
    evidence: dict[str, JSONValue] = {"version": "v3", "engine_id": engine.hex()}
    if len(engine) >= 4 and engine[0] & 0x80:
        evidence["enterprise"] = int.from_bytes(engine[:4], "big") & 0x7FFFFFFF
    return Reading("snmp", banner=f"SNMPv3 engine {engine.hex()}", evidence=evidence)


def wsd_probe() -> bytes:
    message_id = f"uuid:{uuid.UUID(bytes=os.urandom(16), version=4)}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
        'xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
        "<e:Header><w:MessageID>" + message_id + "</w:MessageID>"
        "<w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
        "<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>"
        "<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>"
    ).encode()


def wsd_reading(answer: bytes) -> Reading | None:
    text = answer[:65536].decode("utf-8", "replace")
    if "ProbeMatch" not in text:
        return None
    scopes = _SCOPES.search(text)
    addresses = _XADDRS.search(text)
    evidence: dict[str, JSONValue] = {
        "scopes": [field(s) for s in scopes[1].split()][:40] if scopes else [],
        "xaddrs": [field(a) for a in addresses[1].split()][:10] if addresses else [],
    }
    return Reading("ws-discovery", banner=printable(" ".join(evidence["scopes"])), evidence=evidence)


def tftp_request() -> bytes:
    return b"\x00\x01" + _TFTP_MISSING + b"\x00octet\x00"


def tftp_reading(answer: bytes) -> Reading | None:
    if len(answer) < 4 or answer[:2] not in (b"\x00\x03", b"\x00\x05"):
        return None
    opcode = "data" if answer[1] == 3 else "error"
    message = printable(answer[4:].split(b"\x00", 1)[0]) if opcode == "error" else ""
    return Reading("tftp", banner=f"TFTP {opcode} {message}".strip(), evidence={"answer": opcode, "message": message})


def _header(data: bytes) -> tuple[int, int, int]:
    """The BER element at the start of `data`: (tag, header size, value length), checked against the data."""
    if len(data) < 2:
        raise ValueError("truncated")
    length, start = data[1], 2
    if length & 0x80:
        size = length & 0x7F
        if size == 0 or size > 3 or len(data) < 2 + size:
            raise ValueError("bad length")
        length, start = int.from_bytes(data[2 : 2 + size], "big"), 2 + size
    if start + length > len(data):
        raise ValueError("truncated")
    return data[0], start, length


def _value(data: bytes, tag: int) -> bytes:
    """The value of the BER element at the start of `data`, which must carry `tag`."""
    found, start, length = _header(data)
    if found != tag:
        raise ValueError("unexpected tag")
    return data[start : start + length]


def _children(data: bytes) -> list[bytes]:
    """The elements of a constructed value, each with its tag and length."""
    elements: list[bytes] = []
    while data and len(elements) < 16:
        _, start, length = _header(data)
        elements.append(data[: start + length])
        data = data[start + length :]
    return elements


def _expect(element: bytes, tag: int) -> bytes:
    return _value(element, tag)

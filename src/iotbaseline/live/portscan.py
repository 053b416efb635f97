"""Which ports are open, and what answers: a TCP connect to each port (the open connection goes
straight on to identification), and for UDP one harmless request of the port's own protocol."""

import os
from collections.abc import Callable
from dataclasses import dataclass

from iotbaseline.live.fingerprints import Fingerprints
from iotbaseline.live.identify import Identifier, observed
from iotbaseline.live.model import ObservedService, Transport
from iotbaseline.live.ports import PortHint
from iotbaseline.live.protocols import Reading
from iotbaseline.live.protocols.http import ssdp_reading, ssdp_search
from iotbaseline.live.protocols.udp import (
    SNMP_ENGINE_DISCOVERY,
    coap_reading,
    coap_request,
    snmp_reading,
    tftp_reading,
    tftp_request,
    wsd_probe,
    wsd_reading,
)
from iotbaseline.live.session import ProbeSession
from iotbaseline.live.targets import Target


@dataclass(frozen=True)
class UdpQuestion:
    payload: bytes
    read: Callable[[bytes], Reading | None]


def udp_question(service: str) -> UdpQuestion | None:
    """The one request a UDP service of this kind is asked (None: we have no harmless one)."""
    if service == "coap":
        message_id = int.from_bytes(os.urandom(2), "big")
        return UdpQuestion(coap_request(message_id), lambda answer: coap_reading(answer, message_id))
    questions = {
        "ssdp": UdpQuestion(ssdp_search(), ssdp_reading),
        "snmp": UdpQuestion(SNMP_ENGINE_DISCOVERY, snmp_reading),
        "ws-discovery": UdpQuestion(wsd_probe(), wsd_reading),
        "tftp": UdpQuestion(tftp_request(), tftp_reading),
    }
    return questions.get(service)


async def probe_tcp_port(
    session: ProbeSession, identifier: Identifier, target: Target, port: int, hint: PortHint | None
) -> ObservedService | None:
    async with session.connect(target.address, port, "scan") as connection:
        if connection is None:
            return None
        return await identifier.identify(target, port, connection, hint)


async def probe_udp_port(
    session: ProbeSession, target: Target, hint: PortHint, fingerprints: Fingerprints
) -> ObservedService | None:
    question = udp_question(hint.service)
    if question is None:
        return None
    answer = await session.exchange_udp(target.address, hint.port, question.payload, f"udp:{hint.service}")
    reading = question.read(answer) if answer is not None else None
    if reading is None:
        return None
    return observed(target, hint.port, Transport.UDP, reading, hint, [f"udp:{hint.service}"], fingerprints)

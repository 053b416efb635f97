"""UPnP Internet Gateway control without authentication: the SSDP answer's LOCATION (on the probed
address only) gives the device description; its WANIPConnection or WANPPPConnection service is asked
the two read-only actions GetExternalIPAddress and GetGenericPortMappingEntry (index 0). An answer
means the control service takes requests from anyone; AddPortMapping is never sent. The external
address answered is not kept (it is the owner's)."""

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from iotbaseline.live.access.place import AccessPlace, result
from iotbaseline.live.model import ObservedService
from iotbaseline.live.protocols.http import MAX_BODY
from iotbaseline.live.session import TargetNotAllowed
from iotbaseline.live.text import field
from iotbaseline.live.trials import AccessResult
from iotbaseline.live.web_client import WebResponse, exchange, request
from iotbaseline.model import JSONValue

MAX_DESCRIPTION = 64 * 1024
_SOAP = (
    '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:{action} xmlns:u="{service}">'
    "{arguments}</u:{action}></s:Body></s:Envelope>"
)
READ_ONLY_ACTIONS = {
    "GetExternalIPAddress": "",
    "GetGenericPortMappingEntry": "<NewPortMappingIndex>0</NewPortMappingIndex>",
}


@dataclass(frozen=True)
class Description:
    manufacturer: str
    model_name: str
    friendly_name: str
    controls: tuple[tuple[str, str], ...]
    """(service type, control URL resolved against the description) of the gateway connection services."""


def parse_description(data: bytes, location: str, wanted: frozenset[str]) -> Description | None:
    """The device description (no DTD or entity is accepted: a description needs none)."""
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        return None
    try:
        root = ElementTree.fromstring(data[:MAX_DESCRIPTION])  # noqa: S314 (no DTD, bounded, expat limits)
    except ElementTree.ParseError:
        return None

    def text(name: str) -> str:
        found = next((e for e in root.iter() if _local(e.tag) == name and e.text), None)
        return field(found.text or "") if found is not None else ""

    base = text("URLBase") or location
    controls = []
    for service in (e for e in root.iter() if _local(e.tag) == "service"):
        values = {_local(child.tag): (child.text or "").strip() for child in service}
        if values.get("serviceType") in wanted and values.get("controlURL"):
            controls.append((values["serviceType"], urljoin(base, values["controlURL"])))
    return Description(text("manufacturer"), text("modelName"), text("friendlyName"), tuple(controls))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


async def upnp_igd(place: AccessPlace, services: list[ObservedService]) -> list[AccessResult]:
    found = []
    for location, service in _locations(services):
        found.append(await _one(place, service, location))
    return found


def _locations(services: list[ObservedService]) -> list[tuple[str, ObservedService]]:
    seen: dict[str, ObservedService] = {}
    for service in services:
        location = service.evidence.get("location")
        if service.protocol == "ssdp" and isinstance(location, str) and location.lower().startswith("http://"):
            seen.setdefault(location, service)
    return list(seen.items())


async def _one(place: AccessPlace, ssdp: ObservedService, location: str) -> AccessResult:
    parts = urlsplit(location)
    if parts.hostname != place.target.address:
        return result(ssdp, "upnp-igd", None, f"the description is elsewhere ({field(location)}): not fetched")
    try:
        described = await _get(place, parts.port or 80, parts.path or "/")
    except TargetNotAllowed:
        return result(ssdp, "upnp-igd", None, f"the description is elsewhere ({field(location)}): not fetched")
    if described is None or described.status != 200:
        return result(ssdp, "upnp-igd", None, f"the description at {field(location)} was not served")
    description = parse_description(described.message.body, location, place.settings.upnp_services)
    if description is None:
        return result(ssdp, "upnp-igd", None, "the description is not readable XML (or declares a DTD)")
    evidence: dict[str, JSONValue] = {
        "location": field(location),
        "manufacturer": description.manufacturer,
        "model_name": description.model_name,
        "friendly_name": description.friendly_name,
    }
    if not description.controls:
        return result(ssdp, "upnp-igd", None, "no Internet gateway connection service in the description", **evidence)
    return await _ask_controls(place, ssdp, description, evidence)


async def _ask_controls(
    place: AccessPlace, ssdp: ObservedService, description: Description, evidence: dict[str, JSONValue]
) -> AccessResult:
    answers: list[JSONValue] = []
    for service_type, control in description.controls:
        url = urlsplit(control)
        if url.hostname != place.target.address:
            answers.append({"control": field(control), "asked": False, "why": "on another address"})
            continue
        for action, arguments in READ_ONLY_ACTIONS.items():
            answered = await _soap(place, url.port or 80, url.path or "/", service_type, action, arguments)
            answers.append({"control": field(control), "action": action, **answered})
    evidence["actions"] = answers
    granted = [a for a in answers if isinstance(a, dict) and a.get("answered") is True]
    if granted:
        names = ", ".join(sorted({str(a["action"]) for a in granted}))
        summary = f"the gateway's control service answered {names} without credentials"
        return result(ssdp, "upnp-igd", True, summary, **evidence)
    refused = [a for a in answers if isinstance(a, dict) and a.get("status") in (401, 403)]
    if refused:
        return result(ssdp, "upnp-igd", False, "the gateway's control service asks for credentials", **evidence)
    return result(ssdp, "upnp-igd", None, "the gateway's control service did not answer clearly", **evidence)


async def _soap(
    place: AccessPlace, port: int, path: str, service_type: str, action: str, arguments: str
) -> dict[str, JSONValue]:
    body = _SOAP.format(action=action, service=service_type, arguments=arguments).encode()
    host = f"{place.target.address}:{port}"
    head = (
        f'POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/xml; charset="utf-8"\r\n'
        f'SOAPAction: "{service_type}#{action}"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n'
    )
    async with place.connect(port, False, "upnp") as connection:
        if connection is None:
            return {"answered": False, "status": None}
        response = await exchange(connection, head.encode() + body, place.wait)
    if response is None:
        return {"answered": False, "status": None}
    text = response.text[:MAX_BODY]
    # A UPnP error (a fault with an errorCode, e.g. 713 no such entry) is still an answer to the action;
    # 606 "Action not authorized" is a refusal.
    if response.status == 200 and f"{action}Response" in text:
        return {"answered": True, "status": 200}
    if "<errorCode>606</errorCode>" in text.replace(" ", ""):
        return {"answered": False, "status": 401, "upnp_error": 606}
    code = _error_code(text)
    if response.status == 500 and code is not None and code != 606:
        return {"answered": True, "status": 500, "upnp_error": code}
    return {"answered": False, "status": response.status}


def _error_code(text: str) -> int | None:
    start = text.find("<errorCode>")
    end = text.find("</errorCode>", start)
    value = text[start + 11 : end].strip() if 0 <= start < end else ""
    return int(value) if value.isdigit() else None


async def _get(place: AccessPlace, port: int, path: str) -> WebResponse | None:
    async with place.connect(port, False, "upnp") as connection:
        if connection is None:
            return None
        return await exchange(connection, request("GET", path, f"{place.target.address}:{port}"), place.wait)

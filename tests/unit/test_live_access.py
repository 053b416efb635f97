"""Access without authentication: MQTT packets read with bounds, the UPnP description (no DTD), and the
web, shell and UPnP tests against tiny asyncio servers on loopback."""

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable

from iotbaseline.live.access.mqtt import published_topics, suback_code
from iotbaseline.live.access.place import AccessPlace
from iotbaseline.live.access.settings import access_settings
from iotbaseline.live.access.shell import shell_without_login
from iotbaseline.live.access.upnp import parse_description, upnp_igd
from iotbaseline.live.access.web_admin import web_admin
from iotbaseline.live.model import ObservedService, Transport
from iotbaseline.live.session import ProbeSession
from iotbaseline.live.targets import parse_targets
from iotbaseline.live.trials import AccessResult

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
WANTED = access_settings().upnp_services


def test_suback_and_publishes_are_read_from_a_stream_of_packets() -> None:
    suback = b"\x90\x03\x00\x01\x00"
    publish = b"\x30\x0d" + b"\x00\x04cam1" + b"payload"
    assert suback_code(suback + publish) == 0
    assert published_topics(suback + publish) == [("cam1", 7)]
    assert suback_code(b"\x90\x03\x00\x01\x80") == 0x80
    assert published_topics(b"\x30\xff\xff\xff") == []  # a length past the data: nothing, no error


def test_the_description_names_the_gateway_control_and_a_dtd_is_refused() -> None:
    description = (
        b'<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><URLBase>http://10.9.9.9:5000/</URLBase>'
        b"<device><manufacturer>Acme</manufacturer><modelName>R1</modelName><serviceList><service>"
        b"<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>ctl</controlURL>"
        b"</service><service><serviceType>urn:other</serviceType><controlURL>/x</controlURL></service>"
        b"</serviceList></device></root>"
    )
    parsed = parse_description(description, "http://127.0.0.1:80/d.xml", WANTED)
    assert parsed is not None and (parsed.manufacturer, parsed.model_name) == ("Acme", "R1")
    assert parsed.controls == (("urn:schemas-upnp-org:service:WANIPConnection:1", "http://10.9.9.9:5000/ctl"),)
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><root>&a;</root>'
    assert parse_description(bomb, "http://127.0.0.1/", WANTED) is None
    assert parse_description(b"<root", "http://127.0.0.1/", WANTED) is None


def run_test(
    handler: Handler,
    test: Callable[[AccessPlace, ObservedService], Awaitable[AccessResult | None]],
    protocol: str,
    **evidence: object,
) -> tuple[AccessResult | None, ProbeSession]:
    async def run() -> tuple[AccessResult | None, ProbeSession]:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        targets = parse_targets(["127.0.0.1"])
        session = ProbeSession(targets, confine=LOOPBACK)
        place = AccessPlace(session, targets.targets[0], access_settings())
        service = ObservedService("127.0.0.1", port, Transport.TCP, protocol, evidence=dict(evidence))
        async with server:
            return await test(place, service), session

    return asyncio.run(run())


def web(pages: dict[str, tuple[int, str]], default: tuple[int, str] = (404, "missing")) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            path = (await reader.readuntil(b"\r\n\r\n")).split(b" ")[1].decode()
            status, body = pages.get(path, default)
            location = "Location: /login.html\r\n" if status == 302 else ""
            writer.write(f"HTTP/1.1 {status} X\r\n{location}Content-Length: {len(body)}\r\n\r\n{body}".encode())
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


ADMIN = "<title>Router</title><h1>System settings</h1><a>Firmware upgrade</a><a>Factory reset</a>"


def test_an_administration_page_without_login_is_open() -> None:
    found, _ = run_test(web({"/system.html": (200, ADMIN), "/": (302, "")}), web_admin, "http")
    assert found is not None and found.open is True and found.evidence["path"] == "/system.html"
    assert "factory reset" in found.evidence["markers"]


def test_a_device_that_answers_every_path_with_one_page_is_not_an_open_admin_page() -> None:
    found, _ = run_test(web({}, default=(200, ADMIN)), web_admin, "http")
    assert found is not None and found.open is None


def test_administration_behind_a_login_is_protected_and_https_redirects_are_not_tested() -> None:
    login = '<form><input name="u"><input type="password" name="p"></form> factory reset, firmware upgrade'
    found, _ = run_test(web({"/": (200, login), "/admin": (302, "")}), web_admin, "http")
    assert found is not None and found.open is False
    skipped, session = run_test(web({}), web_admin, "http", status=301, location="https://127.0.0.1/")
    assert skipped is None and not session.attempts


def shell(prompt: bytes) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(prompt)
            await writer.drain()
            while await reader.readline():
                writer.write(b"\r\n" + prompt)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    return handle


def test_a_prompt_that_comes_back_after_an_empty_line_is_a_shell_without_login() -> None:
    found, session = run_test(shell(b"/ # "), shell_without_login, "telnet", prompt="shell")
    assert found is not None and found.open is True and found.evidence["prompt"] == "/ #"
    assert [a.purpose for a in session.attempts] == ["access:shell"]
    asks, _ = run_test(shell(b"login: "), shell_without_login, "telnet", prompt="shell")
    assert asks is not None and asks.open is False


def test_a_description_on_another_address_is_never_fetched() -> None:
    async def run() -> tuple[list[AccessResult], ProbeSession]:
        targets = parse_targets(["127.0.0.1"])
        session = ProbeSession(targets, confine=LOOPBACK)
        place = AccessPlace(session, targets.targets[0], access_settings())
        ssdp = ObservedService(
            "127.0.0.1", 1900, Transport.UDP, "ssdp", evidence={"location": "http://127.0.0.9:5000/desc.xml"}
        )
        return await upnp_igd(place, [ssdp]), session

    found, session = asyncio.run(run())
    assert [r.open for r in found] == [None] and "elsewhere" in found[0].summary
    assert not session.attempts

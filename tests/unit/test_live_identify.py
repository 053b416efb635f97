"""Reading what services say, from bytes as they arrive on the wire: protocol, product, version,
prompts; and hostile answers (escapes, truncation, loops) bounded and never trusted."""

import struct

import pytest

from iotbaseline.live.dns import PTR, SRV, DnsError, parse_records, ptr_query, read_name
from iotbaseline.live.fingerprints import default_fingerprints
from iotbaseline.live.protocols.adb import adb_reading, connect_message
from iotbaseline.live.protocols.http import http_reading, parse_message, ssdp_reading
from iotbaseline.live.protocols.mqtt import connect_packet, parse_connack
from iotbaseline.live.protocols.speaks_first import prompt_of, ssh_reading, telnet_reading
from iotbaseline.live.protocols.udp import coap_reading, coap_request, snmp_reading, tftp_reading
from iotbaseline.live.text import BANNER_CHARS, printable, split_telnet

BUSYBOX_TELNETD = b"\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03\r\r\ncamera login: "
LIGHTTPD_401 = (
    b'HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm="IPCamera Login", charset="UTF-8"\r\n'
    b"Content-Type: text/html\r\nServer: lighttpd/1.4.69\r\n\r\n<html><title>401 Unauthorized</title></html>"
)


@pytest.mark.parametrize(
    ("head", "protocol"),
    [
        (b"SSH-2.0-dropbear_2022.83\r\n\x00\x00\x01", "ssh"),
        (BUSYBOX_TELNETD, "telnet"),
        (b"220 (vsFTPd 3.0.3)\r\n", "ftp"),
        (b"220 mail.example ESMTP Postfix\r\n", "smtp"),
        (LIGHTTPD_401, "http"),
        (b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n", "rtsp"),
        (b" \x02\x00\x05", "mqtt"),
        (b"\r\nBusyBox v1.31.1 built-in shell (ash)\r\n\r\n/ # ", "shell"),
        (b"\x00\x01\x02garbage", None),
    ],
)
def test_the_first_bytes_name_the_protocol(head: bytes, protocol: str | None) -> None:
    assert default_fingerprints().protocol_of(head) == protocol


@pytest.mark.parametrize(
    ("field", "text", "product", "version"),
    [
        ("ssh", "SSH-2.0-dropbear_2022.83", "dropbear", "2022.83"),
        ("ssh", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", "openssh", "9.2p1"),
        ("server", "lighttpd/1.4.69", "lighttpd", "1.4.69"),
        ("server", "Boa/0.94.13", "boa", "0.94.13"),
        ("server", "Linux/3.10 UPnP/1.0 miniupnpd/2.1", "miniupnpd", "2.1"),
        ("server", "Linux/5.10, UPnP/1.0, Portable SDK for UPnP devices/1.6.22", "libupnp", "1.6.22"),
        ("server", "GoAhead-Webs", "goahead", None),
        ("banner", "220 (vsFTPd 3.0.3)", "vsftpd", "3.0.3"),
        ("banner", "BusyBox v1.24.1 (2019-01-01) built-in shell", "busybox", "1.24.1"),
        ("negotiation", "\xff\xfd\x01\xff\xfd\x1f\xff\xfb\x01\xff\xfb\x03", "busybox-telnetd", None),
    ],
)
def test_products_and_versions_come_from_what_the_service_said(
    field: str, text: str, product: str, version: str | None
) -> None:
    found = default_fingerprints().product_of(field, text)

    assert found is not None and (found.name, found.version) == (product, version)


def test_a_server_header_without_a_version_names_no_version() -> None:
    assert default_fingerprints().product_of("server", "webserver") is None


def test_telnet_negotiation_is_split_from_the_text_and_the_prompt_read() -> None:
    commands, text = split_telnet(BUSYBOX_TELNETD)
    reading = telnet_reading(commands, text)

    assert commands == BUSYBOX_TELNETD[:12] and reading.evidence["prompt"] == "login"
    assert reading.banner == "camera login:"
    assert prompt_of("BusyBox v1.35.0\r\n\r\n~ # ") == "shell" and prompt_of("Password: ") == "password"
    assert prompt_of("Welcome to the camera") is None


def test_http_answers_give_status_server_realm_and_login_forms() -> None:
    message = parse_message(LIGHTTPD_401)
    assert message is not None
    reading = http_reading(message)

    assert reading.evidence["status"] == 401 and reading.fields["server"] == "lighttpd/1.4.69"
    assert reading.evidence["authentication"] == [{"scheme": "basic", "realm": "IPCamera Login"}]
    form = parse_message(b"HTTP/1.1 200 OK\r\n\r\n<form><input name=p type='password'></form>")
    assert form is not None and http_reading(form).evidence["login_form"] is True


def test_mqtt_connect_carries_no_credentials_and_connack_codes_are_read() -> None:
    packet = connect_packet("iotbaseline-test")

    assert packet[0] == 0x10 and packet[9] == 0x02  # CONNECT, clean session, no user name or password flags
    assert parse_connack(b" \x02\x00\x00") == 0 and parse_connack(b" \x02\x00\x05") == 5
    assert parse_connack(b"HTTP/1.1 400") is None


def test_adb_cnxn_and_auth_answers() -> None:
    banner = b"device::ro.product.name=cam;ro.product.model=IPC-9;features=shell_v2\x00"
    header = struct.pack("<6I", 0x4E584E43, 0x01000000, 4096, len(banner), sum(banner), 0x4E584E43 ^ 0xFFFFFFFF)
    auth = struct.pack("<6I", 0x48545541, 1, 0, 20, 0, 0x48545541 ^ 0xFFFFFFFF) + bytes(20)

    opened = adb_reading(header + banner)
    assert opened is not None and opened.evidence["authentication_required"] is False
    assert default_fingerprints().product_of("adb", opened.fields["adb"]).name == "android (ipc-9)"  # type: ignore[union-attr]
    locked = adb_reading(auth)
    assert locked is not None and locked.evidence["authentication_required"] is True
    assert adb_reading(b"CNXN" + bytes(30)) is None  # bad magic
    assert connect_message().startswith(b"CNXN")


def test_ssdp_coap_snmp_and_tftp_answers() -> None:
    ssdp = ssdp_reading(
        b"HTTP/1.1 200 OK\r\nLOCATION: http://192.168.1.5:49152/rootDesc.xml\r\n"
        b"SERVER: Linux/3.10 UPnP/1.0 miniupnpd/2.1\r\nST: upnp:rootdevice\r\n\r\n"
    )
    assert ssdp is not None and ssdp.evidence["location"] == "http://192.168.1.5:49152/rootDesc.xml"
    request = coap_request(0x1234)
    assert request[:4] == b"\x40\x01\x12\x34"
    coap = coap_reading(b"\x60\x45\x12\x34\xff</sensors/temp>;rt=temp,</light>", 0x1234)
    assert coap is not None and coap.evidence == {"code": "2.05", "resources": ["/sensors/temp", "/light"]}
    assert coap_reading(b"\x60\x45\x99\x99\xff</x>", 0x1234) is None  # not the answer to our message
    # An SNMPv3 Report from net-snmp: engine id 80001f8880... (enterprise 8072)
    engine = bytes.fromhex("80001f888059dc486145a26b5e")
    security = b"\x30" + bytes((len(engine) + 14,)) + b"\x04" + bytes((len(engine),)) + engine
    security += b"\x02\x01\x01\x02\x01\x07\x04\x00\x04\x00\x04\x00"
    body = b"\x02\x01\x03" + b"\x30\x0f\x02\x02\x4a\x69\x02\x03\x00\xff\xe3\x04\x01\x00\x02\x01\x03"
    body += b"\x04" + bytes((len(security),)) + security
    snmp = snmp_reading(b"\x30" + bytes((len(body),)) + body)
    assert snmp is not None and snmp.evidence["enterprise"] == 8072
    assert snmp_reading(b"\x30\x82\xff\xff\x02") is None  # a length past the end
    error = tftp_reading(b"\x00\x05\x00\x01File not found\x00")
    assert error is not None and error.evidence == {"answer": "error", "message": "File not found"}


def test_hostile_banners_are_printable_and_bounded() -> None:
    shown = printable(b"\x1b[2J\x1b]0;owned\x07root\x00" + b"A" * 10000)

    assert "\x1b" not in shown and "\x00" not in shown and len(shown) == BANNER_CHARS
    assert ssh_reading(b"SSH-2.0-\x1b[31mevil\r\n").banner == "SSH-2.0-.[31mevil"


def test_mdns_answers_with_compression_are_read_and_loops_refused() -> None:
    query = ptr_query(["_services._dns-sd._udp.local"], 7)
    assert query[:2] == b"\x00\x07" and query.endswith(b"\x00\x0c\x80\x01")  # PTR, unicast response, IN
    name = b"\x09_services\x07_dns-sd\x04_udp\x05local\x00"
    ptr_data = b"\x05_http\x04_tcp\xc0\x23"  # "_http._tcp" + pointer to "local" (offset 12 + 23)
    answer = struct.pack(">6H", 0, 0x8400, 0, 2, 0, 0) + name + struct.pack(">HHIH", PTR, 1, 120, len(ptr_data))
    answer += ptr_data
    srv = struct.pack(">3H", 0, 0, 8080) + b"\x03cam\xc0\x23"
    answer += b"\xc0\x0c" + struct.pack(">HHIH", SRV, 1, 120, len(srv)) + srv

    records = parse_records(answer)
    assert [(r.type, r.value) for r in records] == [(PTR, "_http._tcp.local"), (SRV, "cam.local:8080")]
    with pytest.raises(DnsError):
        read_name(b"\xc0\x00", 0)  # a pointer to itself
    with pytest.raises(DnsError):
        parse_records(answer[:-3])

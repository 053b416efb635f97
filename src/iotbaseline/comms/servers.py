"""Server configurations read for transport security: lighttpd, nginx, uhttpd, mosquitto, vsftpd
and stunnel. Each reader keeps line numbers so that a finding can quote the line it rests on."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from iotbaseline.comms.model import Listener, Peer, Place, ServerConfig, TlsSetting
from iotbaseline.comms.rules import CommsRules
from iotbaseline.comms.tls import weak_ciphers, weak_minimum, weak_protocols

MAX_LINES = 20_000
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_PORT = re.compile(r"^(?:(?P<host>\[[^\]]*\]|[^:\s]*):)?(?P<port>\d{1,5})$")


def read_server_config(server: str, path: str, text: str, rules: CommsRules) -> ServerConfig | None:
    reader = _READERS.get(server)
    return None if reader is None else reader(path, text, rules)


def _lines(text: str, comments: str = "#") -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(text.split("\n")[:MAX_LINES], 1):
        line = raw.strip()
        if line and not line.startswith(tuple(comments)):
            yield number, line


def _address(value: str) -> tuple[str | None, int | None]:
    match = _PORT.match(value.strip().strip("\"'"))
    if match is None:
        return value.strip() or None, None
    host = (match.group("host") or "").strip("[]") or None
    return host, int(match.group("port"))


def _without_comment(line: str) -> str:
    """The line up to a # outside double quotes."""
    quoted = False
    for position, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:position].rstrip()
    return line


# ---- lighttpd -------------------------------------------------------------------------------------------


@dataclass
class _LighttpdSocket:
    port: int | None
    address: str | None
    at: Place
    tls: bool = False


@dataclass
class _Lighttpd:
    rules: CommsRules
    port: int | None = None
    port_at: Place = field(default_factory=lambda: Place(None))
    bind: str | None = None
    tls: bool = False
    sockets: list[_LighttpdSocket] = field(default_factory=list)
    settings: list[TlsSetting] = field(default_factory=list)
    redirect: bool = False
    auth: Place | None = None


def _lighttpd(path: str, text: str, rules: CommsRules) -> ServerConfig:
    state = _Lighttpd(rules)
    blocks: list[_LighttpdSocket | None] = []
    for number, raw in _lines(text):
        line = _without_comment(raw)
        place = Place(number, line)
        if line.startswith("$SERVER") and "socket" in line:
            quoted = _QUOTED.findall(line)
            host, port = _address(quoted[-1]) if len(quoted) > 1 else (None, None)
            socket = _LighttpdSocket(port, host, place)
            state.sockets.append(socket)
            blocks.append(socket)
            continue
        if line.startswith("$"):
            blocks.append(None)
        if line.startswith("}"):
            if blocks:
                blocks.pop()
            continue
        current = next((b for b in reversed(blocks) if b is not None), None)
        _lighttpd_setting(state, current, line, place)
    listeners = [Listener(s.port, s.address, s.tls, s.at) for s in state.sockets]
    if state.port is not None:
        listeners.insert(0, Listener(state.port, state.bind, state.tls, state.port_at, main=True))
    return ServerConfig(
        "lighttpd",
        path,
        tuple(listeners),
        tuple(state.settings),
        state.redirect,
        state.auth,
        default_listener=state.port is None,
        global_tls=state.tls,
    )


def _lighttpd_setting(state: _Lighttpd, socket: _LighttpdSocket | None, line: str, place: Place) -> None:
    name, _, value = (part.strip() for part in line.partition("="))
    name = name.rstrip("+ ")
    values = _QUOTED.findall(value)
    if name == "server.port" and socket is None and value.strip().isdigit():
        state.port, state.port_at = int(value.strip()), place
    elif name == "server.bind" and socket is None and values:
        state.bind = values[0]
    elif name == "ssl.engine" and values and values[0] == "enable":
        if socket is None:
            state.tls = True
        else:
            socket.tls = True
    elif name in ("ssl.use-sslv3", "ssl.use-sslv2") and values and values[0] == "enable":
        state.settings.append(TlsSetting(name, (name.removeprefix("ssl.use-").upper(),), place))
    elif name == "ssl.cipher-list" and values:
        state.settings.append(TlsSetting("ciphers", weak_ciphers(values[0], state.rules), place))
    elif name == "ssl.openssl.ssl-conf-cmd":
        state.settings.extend(_conf_commands(values, place, state.rules))
    elif name.startswith("url.redirect") and "https://" in value:
        state.redirect = True
    elif name in ("auth.require", "auth.backend") and state.auth is None:
        state.auth = place


def _conf_commands(values: list[str], place: Place, rules: CommsRules) -> Iterator[TlsSetting]:
    """("MinProtocol" => "TLSv1.2", "CipherString" => "...") as quoted pairs."""
    for name, value in zip(values[::2], values[1::2], strict=False):
        if name == "MinProtocol":
            yield TlsSetting("minimum protocol", weak_minimum(value, rules), place)
        elif name == "Protocol":
            yield TlsSetting("protocols", weak_protocols([v.strip() for v in value.split(",")], rules), place)
        elif name in ("CipherString", "Ciphersuites"):
            yield TlsSetting("ciphers", weak_ciphers(value, rules), place)


# ---- nginx ----------------------------------------------------------------------------------------------


def _nginx(path: str, text: str, rules: CommsRules) -> ServerConfig:
    listeners: list[Listener] = []
    settings: list[TlsSetting] = []
    redirect = False
    auth = None
    for number, raw in _lines(text):
        line = _without_comment(raw).rstrip(";").strip()
        place = Place(number, line)
        words = line.split()
        if not words:
            continue
        if words[0] == "listen" and len(words) > 1:
            host, port = _address(words[1])
            listeners.append(Listener(port, host, "ssl" in words[2:] or "quic" in words[2:], place))
        elif words[0] == "ssl_protocols":
            settings.append(TlsSetting("protocols", weak_protocols(words[1:], rules), place))
        elif words[0] == "ssl_ciphers" and len(words) > 1:
            settings.append(TlsSetting("ciphers", weak_ciphers(" ".join(words[1:]), rules), place))
        elif words[0] in ("return", "rewrite") and "https://" in line:
            redirect = True
        elif words[0] == "auth_basic" and len(words) > 1 and words[1].strip("\"'") != "off" and auth is None:
            auth = place
    return ServerConfig("nginx", path, tuple(listeners), tuple(settings), redirect, auth)


# ---- uhttpd (OpenWrt uci) --------------------------------------------------------------------------------


def _uhttpd(path: str, text: str, rules: CommsRules) -> ServerConfig:
    listeners: list[Listener] = []
    redirect = False
    for number, line in _lines(text):
        words = [w.strip("\"'") for w in line.split()]
        if len(words) < 3:
            continue
        if words[:2] in (
            ["list", "listen_http"],
            ["option", "listen_http"],
            ["list", "listen_https"],
            ["option", "listen_https"],
        ):
            host, port = _address(words[2])
            listeners.append(Listener(port, host, words[1] == "listen_https", Place(number, line)))
        elif words[:2] == ["option", "redirect_https"] and words[2] in ("1", "on", "true", "yes"):
            redirect = True
    return ServerConfig("uhttpd", path, tuple(listeners), (), redirect)


# ---- mosquitto ------------------------------------------------------------------------------------------


@dataclass
class _MqttListener:
    port: int | None
    address: str | None
    at: Place
    tls: bool = False


@dataclass
class _Bridge:
    name: str
    at: Place
    address: str | None = None
    tls: bool = False
    insecure: bool = False
    credentials: bool = False


_MQTT_TLS = frozenset({"certfile", "keyfile", "cafile", "capath", "psk_hint"})
_MQTT_AUTH = frozenset({"password_file", "auth_plugin", "plugin", "psk_file"})
_BRIDGE_TLS = frozenset({"bridge_cafile", "bridge_capath", "bridge_certfile", "bridge_psk"})
_BRIDGE_CREDENTIALS = frozenset({"remote_password", "remote_username", "bridge_psk", "bridge_identity", "password"})


def _mosquitto(path: str, text: str, rules: CommsRules) -> ServerConfig:
    listeners: list[_MqttListener] = []
    bridges: list[_Bridge] = []
    settings: list[TlsSetting] = []
    auth: Place | None = None
    current: _MqttListener | _Bridge | None = None
    default_bind: str | None = None
    for number, line in _lines(text):
        words = line.split()
        key, values = words[0], words[1:]
        place = Place(number, line)
        if key == "listener" and values:
            current = _MqttListener(_int(values[0]), values[1] if len(values) > 1 else None, place)
            listeners.append(current)
        elif key == "port" and values:
            current = _MqttListener(_int(values[0]), default_bind, place)
            listeners.append(current)
        elif key == "bind_address" and values:
            default_bind = values[0]
            for listener in listeners:
                listener.address = listener.address or default_bind
        elif key == "connection" and values:
            current = _Bridge(values[0], place)
            bridges.append(current)
        elif isinstance(current, _Bridge):
            _bridge_setting(current, key, values, place, settings, rules)
        elif key in _MQTT_TLS and isinstance(current, _MqttListener):
            current.tls = True
        elif key == "tls_version" and values:
            settings.append(TlsSetting("minimum protocol", weak_minimum(values[0], rules), place))
        elif key == "ciphers" and values:
            settings.append(TlsSetting("ciphers", weak_ciphers(values[0], rules), place))
        if key in _MQTT_AUTH and auth is None:
            auth = place
    return ServerConfig(
        "mosquitto",
        path,
        tuple(Listener(item.port, item.address, item.tls, item.at) for item in listeners),
        tuple(settings),
        authentication=auth,
        peers=tuple(Peer(b.name, b.address, b.tls, b.tls and not b.insecure, b.credentials, b.at) for b in bridges),
        default_listener=not listeners,
    )


def _bridge_setting(
    bridge: _Bridge, key: str, values: list[str], place: Place, settings: list[TlsSetting], rules: CommsRules
) -> None:
    if key in ("address", "addresses") and values:
        bridge.address = values[0]
    elif key in _BRIDGE_TLS:
        bridge.tls = True
    elif key in ("bridge_insecure", "tls_insecure") and values and values[0].lower() == "true":
        bridge.insecure = True
    elif key == "bridge_tls_version" and values:
        settings.append(TlsSetting("minimum protocol", weak_minimum(values[0], rules), place))
    if key in _BRIDGE_CREDENTIALS:
        bridge.credentials = True


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


# ---- vsftpd ---------------------------------------------------------------------------------------------


def _vsftpd(path: str, text: str, rules: CommsRules) -> ServerConfig:
    options: dict[str, tuple[str, Place]] = {}
    for number, line in _lines(text):
        name, _, value = line.partition("=")
        options[name.strip()] = (value.strip().upper(), Place(number, line))
    tls = options.get("ssl_enable", ("NO", Place(None)))[0] == "YES"
    settings = [
        TlsSetting(name, (name.removeprefix("ssl_").upper(),), place)
        for name, (value, place) in options.items()
        if name in ("ssl_sslv2", "ssl_sslv3") and value == "YES"
    ]
    listen = options.get("listen") or options.get("listen_ipv6") or ("", Place(None, "vsftpd (default port 21)"))
    port = _int(options.get("listen_port", ("21", Place(None)))[0]) or 21
    local = options.get("local_enable")
    auth = local[1] if local is not None and local[0] == "YES" else None
    return ServerConfig("vsftpd", path, (Listener(port, None, tls, listen[1]),), tuple(settings), authentication=auth)


# ---- stunnel --------------------------------------------------------------------------------------------


def _stunnel(path: str, text: str, rules: CommsRules) -> ServerConfig:
    sections: list[dict[str, tuple[str, Place]]] = [{}]
    names = ["global"]
    for number, line in _lines(text, comments="#;"):
        if line.startswith("[") and line.endswith("]"):
            sections.append({})
            names.append(line[1:-1])
            continue
        name, _, value = line.partition("=")
        sections[-1][name.strip().lower()] = (value.strip(), Place(number, line))
    defaults = sections[0]
    listeners: list[Listener] = []
    peers: list[Peer] = []
    settings: list[TlsSetting] = []
    for name, section in zip(names, sections, strict=True):
        merged = {**defaults, **section}
        settings.extend(_stunnel_tls(section, rules))
        if name == "global":
            continue
        client = merged.get("client", ("no", Place(None)))[0].lower() == "yes"
        if client and "connect" in merged:
            peers.append(Peer(name, merged["connect"][0], True, _stunnel_verifies(merged), False, merged["connect"][1]))
        elif not client and "accept" in merged:
            host, port = _address(merged["accept"][0])
            listeners.append(Listener(port, host, True, merged["accept"][1]))
    return ServerConfig("stunnel", path, tuple(listeners), tuple(settings), peers=tuple(peers))


def _stunnel_tls(section: dict[str, tuple[str, Place]], rules: CommsRules) -> Iterator[TlsSetting]:
    for key, (value, place) in section.items():
        if key in ("sslversion", "sslversionmin"):
            yield TlsSetting("minimum protocol", weak_minimum(value, rules), place)
        elif key == "ciphers":
            yield TlsSetting("ciphers", weak_ciphers(value, rules), place)


def _stunnel_verifies(section: dict[str, tuple[str, Place]]) -> bool:
    level = section.get("verify", ("0", Place(None)))[0]
    yes = {"yes", "true", "1"}
    chain = section.get("verifychain", ("no", Place(None)))[0].lower() in yes
    peer = section.get("verifypeer", ("no", Place(None)))[0].lower() in yes
    return chain or peer or (level.isdigit() and int(level) >= 2)


_READERS: dict[str, Callable[[str, str, CommsRules], ServerConfig]] = {
    "lighttpd": _lighttpd,
    "nginx": _nginx,
    "uhttpd": _uhttpd,
    "mosquitto": _mosquitto,
    "vsftpd": _vsftpd,
    "stunnel": _stunnel,
}

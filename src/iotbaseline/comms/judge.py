"""Transport-security judgements about one server program in one root file system, from all of its
configuration files together (lighttpd's TLS socket may be in conf.d, its port in lighttpd.conf)."""

from dataclasses import dataclass, replace

from iotbaseline.comms.model import Listener, Peer, Place, ServerConfig, TlsSetting
from iotbaseline.comms.rules import CommsRules

DEFAULT_PORTS = {"lighttpd": 80}


@dataclass(frozen=True)
class ConfigFile:
    device_path: str
    extracted_path: str
    config: ServerConfig


@dataclass(frozen=True)
class Problem:
    kind: str
    """weak-tls, cleartext-listener, plain-beside-tls, cleartext-peer, unverified-peer, default-listener."""
    file: ConfigFile
    at: Place
    detail: str
    credentials: bool = False
    fail: bool = True


@dataclass(frozen=True)
class ServerJudgement:
    server: str
    kind: str
    files: tuple[ConfigFile, ...]
    listeners: tuple[tuple[ConfigFile, Listener], ...]
    problems: tuple[Problem, ...]


def judge_server(server: str, kind: str, files: list[ConfigFile], rules: CommsRules) -> ServerJudgement:
    listeners = _listeners(server, files)
    problems = [
        Problem("weak-tls", file, setting.at, _weak_text(server, setting))
        for file in files
        for setting in file.config.tls_settings
        if setting.weak
    ]
    problems += [_peer_problem(server, file, peer) for file in files for peer in file.config.peers if _peer_bad(peer)]
    auth = next(((f, f.config.authentication) for f in files if f.config.authentication is not None), None)
    remote_plain = [(f, item) for f, item in listeners if not item.tls and not _loopback(item.address, rules)]
    secured = [(f, item) for f, item in listeners if item.tls]
    redirect = any(f.config.redirects_to_https for f in files)
    credentials = auth is not None
    if remote_plain:
        file, listener = remote_plain[0]
        port = f" on port {listener.port}" if listener.port else ""
        login = _login_text(kind, auth)
        if kind == "web" and secured:
            if not redirect:
                problems.append(
                    Problem(
                        "plain-beside-tls",
                        file,
                        listener.at,
                        f"{server} serves plain HTTP{port} beside HTTPS (port {secured[0][1].port}) with no redirect "
                        f"to HTTPS{login}",
                        credentials,
                        fail=credentials,
                    )
                )
        else:
            what = {"web": "HTTP", "mqtt": "MQTT", "ftp": "FTP"}.get(kind, "traffic")
            problems.append(
                Problem(
                    "cleartext-listener",
                    file,
                    listener.at,
                    f"{server} accepts {what} without TLS{port}"
                    + (" and offers no TLS listener at all" if not secured else "")
                    + login,
                    credentials,
                )
            )
    elif not listeners and kind == "mqtt" and all(f.config.default_listener for f in files):
        file = files[0]
        problems.append(
            Problem(
                "default-listener",
                file,
                Place(None),
                f"{server} names no listener: mosquitto 2.0 and later then listen on the loopback interface only, "
                "earlier versions on port 1883 of every interface, without TLS",
                fail=False,
            )
        )
    return ServerJudgement(server, kind, tuple(files), tuple(listeners), tuple(problems))


def _listeners(server: str, files: list[ConfigFile]) -> list[tuple[ConfigFile, Listener]]:
    global_tls = any(f.config.global_tls for f in files)
    found = [
        (f, replace(item, tls=item.tls or global_tls) if item.main else item)
        for f in files
        for item in f.config.listeners
    ]
    default = DEFAULT_PORTS.get(server)
    if default is not None and files and not any(item.main for _, item in found):
        main = min(files, key=lambda f: (f.device_path.count("/"), f.device_path))
        at = Place(None, f"server.port not set: port {default}")
        found.insert(0, (main, Listener(default, None, global_tls, at, main=True)))
    return found


def _peer_bad(peer: Peer) -> bool:
    return not peer.tls or not peer.verifies


def _peer_problem(server: str, file: ConfigFile, peer: Peer) -> Problem:
    where = f" to {peer.address}" if peer.address else ""
    if not peer.tls:
        detail = f"{server} connection {peer.name!r}{where} is made without TLS"
        return Problem("cleartext-peer", file, peer.at, detail, peer.credentials)
    detail = f"{server} connection {peer.name!r}{where} uses TLS but does not check the server's certificate"
    return Problem("unverified-peer", file, peer.at, detail, peer.credentials)


def _weak_text(server: str, setting: TlsSetting) -> str:
    return f"{server} {setting.setting} setting allows {', '.join(setting.weak)}"


def _login_text(kind: str, auth: tuple[ConfigFile, Place] | None) -> str:
    if auth is None:
        return ""
    what = {"web": "HTTP authentication", "mqtt": "client passwords", "ftp": "local user logins"}.get(kind, "logins")
    return f"; it asks for {what} (`{auth[1].text}`), which then cross the network in clear"


def _loopback(address: str | None, rules: CommsRules) -> bool:
    return address is not None and (address in rules.loopback or address.startswith("127."))

"""What a server's configuration says about its transport security: listeners with or without TLS,
TLS settings, outgoing connections (bridges, tunnels), and whether logins travel over it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    line: int | None
    text: str = ""


@dataclass(frozen=True)
class Listener:
    port: int | None
    address: str | None
    tls: bool
    at: Place
    main: bool = False
    """The server's main port (lighttpd server.port), which a global TLS switch in any file turns to TLS."""


@dataclass(frozen=True)
class TlsSetting:
    setting: str
    """What the line sets: protocols, minimum protocol, ciphers."""
    weak: tuple[str, ...]
    """The weak versions or cipher items it allows; empty when it allows none."""
    at: Place


@dataclass(frozen=True)
class Peer:
    """A connection the server opens itself: an MQTT bridge, a stunnel client service."""

    name: str
    address: str | None
    tls: bool
    verifies: bool
    credentials: bool
    at: Place


@dataclass(frozen=True)
class ServerConfig:
    server: str
    path: str
    listeners: tuple[Listener, ...] = ()
    tls_settings: tuple[TlsSetting, ...] = ()
    redirects_to_https: bool = False
    authentication: Place | None = None
    """Where the configuration makes clients send credentials (basic auth, password file, local logins)."""
    peers: tuple[Peer, ...] = ()
    default_listener: bool = False
    """No listener is named: the program listens where its defaults say."""
    global_tls: bool = False
    """TLS switched on for the main port (lighttpd `ssl.engine` outside any socket block)."""

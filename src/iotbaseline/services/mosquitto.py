"""Mosquitto's configuration as the broker applies it: listeners (with their address), and whether
each accepts anonymous clients.

The semantics that matter (mosquitto.conf(5)): with `per_listener_settings false` (the default)
`allow_anonymous` is one global setting wherever it appears; with `true` it belongs to the listener
it follows. Unset, it is true before 2.0 and false from 2.0 on. With no listener at all, 2.0 listens
on the loopback interface only ("local only mode"); 1.x on every interface. `include_dir` adds the
`*.conf` files of a folder in alphabetical order."""

from dataclasses import dataclass, field

from iotbaseline.services.device_files import DeviceFiles, is_wildcard

MAX_INCLUDED = 64
_LOOPBACK = ("127.", "localhost", "::1")


@dataclass(frozen=True)
class Line:
    path: str
    number: int
    text: str


@dataclass
class Listener:
    port: str
    address: str | None
    """None: every interface."""
    where: Line | None
    """None: the default listener (no `listener` line)."""
    anonymous: tuple[bool, Line] | None = None

    @property
    def network(self) -> bool:
        if self.port == "0":
            return False  # a unix socket
        return self.address is None or not self.address.startswith(_LOOPBACK)

    @property
    def everywhere(self) -> bool:
        return self.address is not None and is_wildcard(self.address)


@dataclass
class BrokerConfig:
    files: list[str] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    per_listener: bool = False
    anonymous: tuple[bool, Line] | None = None
    """The global allow_anonymous (per_listener_settings false)."""
    default_port: Listener | None = None

    def all_listeners(self) -> list[Listener]:
        return ([self.default_port] if self.default_port else []) + self.listeners

    def anonymous_for(self, listener: Listener) -> tuple[bool, Line] | None:
        """The explicit setting that applies to `listener`, or None when unset (version decides)."""
        return listener.anonymous if self.per_listener else self.anonymous


def read_broker_config(files: DeviceFiles, path: str) -> BrokerConfig | None:
    if files.read_text(path) is None:
        return None
    config = BrokerConfig()
    current: list[Listener | None] = [None]
    _read(files, path, config, current, depth=0)
    return config


def _read(files: DeviceFiles, path: str, config: BrokerConfig, current: list[Listener | None], depth: int) -> None:
    text = files.read_text(path)
    if text is None or len(config.files) >= MAX_INCLUDED or depth > 4:
        return
    config.files.append(path)
    for number, raw in enumerate(text.split("\n"), 1):
        words = raw.split("#", 1)[0].split() if not raw.lstrip().startswith("#") else []
        if not words:
            continue
        key, args, line = words[0], words[1:], Line(path, number, raw.strip())
        if key == "per_listener_settings" and args:
            config.per_listener = args[0] == "true"
        elif key == "listener" and args:
            listener = Listener(args[0], args[1] if len(args) > 1 else None, line)
            config.listeners.append(listener)
            current[0] = listener
        elif key == "port" and args:
            config.default_port = Listener(args[0], config.default_port.address if config.default_port else None, None)
        elif key == "bind_address" and args:
            port = config.default_port.port if config.default_port else "1883"
            config.default_port = Listener(port, args[0], None)
        elif key == "allow_anonymous" and args:
            setting = (args[0] == "true", line)
            target = current[0] if config.per_listener and current[0] is not None else None
            if target is not None:
                target.anonymous = setting
            else:
                config.anonymous = setting
                if config.default_port is not None:
                    config.default_port.anonymous = setting
        elif key == "include_dir" and args:
            for included in sorted(files.glob(args[0].rstrip("/") + "/*.conf"))[:MAX_INCLUDED]:
                _read(files, included, config, current, depth + 1)

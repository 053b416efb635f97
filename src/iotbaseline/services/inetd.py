"""Services started on demand by a super-server: `inetd.conf` lines and `xinetd` service blocks
(`disable = yes` turns one off; `defaults { disabled = ... }` turns several off)."""

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from iotbaseline.services.device_files import DeviceFiles

MAX_INCLUDED = 256
_BLOCK = re.compile(r"^\s*(service|defaults)\b\s*([^\s{]*)\s*\{?\s*$")
_ATTRIBUTE = re.compile(r"^\s*([\w-]+)\s*([+-]?=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class InetdService:
    name: str
    argv: tuple[str, ...]
    """The server and its arguments (argv[0] is the server's path or name)."""
    user: str
    path: str
    line: int
    text: str
    disabled: str | None = None


def parse_inetd_conf(text: str, path: str) -> Iterator[InetdService]:
    """`service socket protocol wait user server args...`; `internal` services start no program."""
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split()
        if len(fields) < 6 or fields[5] == "internal":
            continue
        name, user, server, args = fields[0], fields[4], fields[5], fields[6:]
        # BusyBox and BSD inetd repeat the program name as argv[0]; keep the server path first.
        arguments = args[1:] if args and args[0].split("/")[-1] == server.split("/")[-1] else args
        yield InetdService(
            name.split(":")[-1], (server, *arguments), user.split(".")[0].split(":")[0], path, number, stripped
        )


def xinetd_services(files: DeviceFiles, config: str) -> Iterator[InetdService]:
    text = files.read_text(config)
    if text is None:
        return
    disabled_names: set[str] = set()
    enabled_names: set[str] | None = None
    sources = [(config, text)]
    for raw in text.split("\n"):
        words = raw.split()
        if len(words) == 2 and words[0] == "includedir":
            for path in files.glob(words[1].rstrip("/") + "/*")[:MAX_INCLUDED]:
                name = path.rsplit("/", 1)[-1]
                if "." in name or name.endswith("~"):
                    continue  # xinetd skips files with a dot or ending in ~
                sources.append((path, files.read_text(path) or ""))
    blocks = [block for path, content in sources for block in _blocks(content, path)]
    for kind, _, attributes, _ in blocks:
        if kind == "defaults":
            for key, (value, _path, _line) in attributes.items():
                if key == "disabled":
                    disabled_names.update(value.split())
                elif key == "enabled":
                    enabled_names = set(value.split())
    for kind, name, attributes, (path, line, text_line) in blocks:
        if kind != "service":
            continue
        server = attributes.get("server")
        if server is None:
            continue
        args = _split(attributes["server_args"][0]) if "server_args" in attributes else []
        why = None
        disable = attributes.get("disable")
        if disable is not None and disable[0].lower() == "yes":
            why = f"disable = yes ({disable[1]}:{disable[2]})"
        elif name in disabled_names:
            why = f"listed in 'disabled' of the defaults in {config}"
        elif enabled_names is not None and name not in enabled_names:
            why = f"not listed in 'enabled' of the defaults in {config}"
        user = attributes.get("user", ("root", "", 0))[0]
        yield InetdService(name, (server[0], *args), user, path, server[2] or line, text_line, why)


_Attributes = dict[str, tuple[str, str, int]]


def _blocks(text: str, path: str) -> Iterator[tuple[str, str, _Attributes, tuple[str, int, str]]]:
    current: tuple[str, str, int, str] | None = None
    attributes: _Attributes = {}
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.split("#", 1)[0].strip()
        if not stripped:
            continue
        opening = _BLOCK.match(stripped)
        if current is None and opening is not None:
            current, attributes = (opening.group(1), opening.group(2), number, stripped), {}
            continue
        if current is None or stripped == "{":
            continue
        if stripped.startswith("}"):
            yield current[0], current[1], attributes, (path, current[2], current[3])
            current = None
            continue
        attribute = _ATTRIBUTE.match(stripped)
        if attribute is not None:
            key, operator, value = attribute.groups()
            if operator == "+=" and key in attributes:
                value = f"{attributes[key][0]} {value}"
            attributes[key] = (value, path, number)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()

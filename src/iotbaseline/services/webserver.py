"""Whether a web server keeps root privileges: lighttpd without `server.username` (it refuses
`root` there, but keeps root when the setting is absent), boa with `User root`, nginx with
`user root;`, BusyBox httpd without `-u`."""

import posixpath
import re
from dataclasses import dataclass

from iotbaseline.services.device_files import DeviceFiles, is_wildcard
from iotbaseline.services.model import BootService
from iotbaseline.services.rules import WebServer
from iotbaseline.services.shell_access import option_values

MAX_INCLUDES = 32
_LIGHTTPD_INCLUDE = re.compile(r'^\s*include\s+"([^"]+)"')


@dataclass(frozen=True)
class RootWebServer:
    server: str
    path: str
    line: int | None
    quoted: str
    reason: str


def runs_as_root(
    service: BootService, files: DeviceFiles, spec: WebServer, root_users: frozenset[str]
) -> RootWebServer | None:
    if spec.user_option is not None:
        return _by_option(service, files, spec, root_users)
    config = config_file(service, files, spec)
    if config is None or spec.user_directive is None:
        return None  # without its configuration nothing can be said
    found = _directive(files, config, spec.user_directive, 0)
    if found is None:
        if not spec.default_root:
            return None
        reason = f"{spec.user_directive} is not set in {config}, so {service.name} keeps root"
        return RootWebServer(service.name, config, None, service.text, reason)
    path, number, value, text = found
    if value in root_users and service.name != "lighttpd":  # lighttpd refuses to start as root
        return RootWebServer(service.name, path, number, text, f"{text} makes {service.name} run as root")
    return None


def config_file(service: BootService, files: DeviceFiles, spec: WebServer) -> str | None:
    """The configuration the server reads: its option's value, else the first default that exists."""
    given = option_values(service.words, spec.config_option) if spec.config_option else []
    return next((p for p in (*given, *spec.config_files) if files.read_text(p) is not None), None)


def bound_everywhere(service: BootService, files: DeviceFiles, spec: WebServer) -> tuple[str, int, str] | None:
    """(path, line, text) of a `server.bind` to every interface (lighttpd), or None."""
    config = config_file(service, files, spec) if service.name == "lighttpd" else None
    found = _directive(files, config, "server.bind", 0) if config is not None else None
    if found is None or not is_wildcard(found[2]):
        return None
    return found[0], found[1], found[3]


def _by_option(
    service: BootService, files: DeviceFiles, spec: WebServer, root_users: frozenset[str]
) -> RootWebServer | None:
    if spec.busybox_only:
        real = files.real_path(service.program)
        if real is None or posixpath.basename(real) != "busybox":
            return None
    assert spec.user_option is not None
    users = option_values(service.words, spec.user_option)
    if not users:
        reason = f"{service.name} is started without {spec.user_option}, so it keeps root"
        return RootWebServer(service.name, service.source, service.line, service.text, reason)
    user = users[-1].split(":")[0]
    if user in root_users:
        return RootWebServer(service.name, service.source, service.line, service.text, f"it runs as {user}")
    return None


def _directive(files: DeviceFiles, path: str, directive: str, depth: int) -> tuple[str, int, str, str] | None:
    """(path, line, value, text) of the last setting of `directive`, includes followed (lighttpd)."""
    text = files.read_text(path)
    if text is None or depth > 4:
        return None
    pattern = re.compile(rf'^\s*{re.escape(directive)}(?:\s*[:+]?=\s*|\s+)"?([^"\s;]+)"?\s*;?')
    found: tuple[str, int, str, str] | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        if raw.lstrip().startswith("#"):
            continue
        include = _LIGHTTPD_INCLUDE.match(raw)
        if include is not None:
            target = include.group(1)
            target = target if target.startswith("/") else posixpath.join(posixpath.dirname(path), target)
            for included in files.glob(target)[:MAX_INCLUDES]:
                found = _directive(files, included, directive, depth + 1) or found
            continue
        match = pattern.match(raw)
        if match is not None:
            found = (path, number, match.group(1), raw.strip())
    return found

"""The configuration of update frameworks, read for what decides update security: opkg (package
signature checking, feed URLs), Mender (server URL, TLS verification, artifact verification key),
RAUC (keyring) and SWUpdate (public key, suricatta server)."""

import configparser
import json
import re
from dataclasses import dataclass
from typing import Any

MAX_FEEDS = 64


@dataclass(frozen=True)
class Setting:
    """One setting as the file states it: its value and line (None when the format hides lines)."""

    value: str
    line: int | None
    text: str = ""


@dataclass(frozen=True)
class FrameworkConfig:
    framework: str
    path: str
    signature_setting: Setting | None = None
    """opkg check_signature; the verification key (Mender ArtifactVerifyKey, RAUC keyring,
    SWUpdate public-key-file)."""
    servers: tuple[Setting, ...] = ()
    """Where updates come from: opkg feeds, Mender ServerURL, SWUpdate suricatta url."""
    insecure: Setting | None = None
    """TLS certificate verification turned off (Mender SkipVerify, SWUpdate nocheckcert)."""


def read_framework_config(framework: str, path: str, text: str) -> FrameworkConfig | None:
    reader = _READERS.get(framework)
    return None if reader is None else reader(path, text)


def _lines(text: str, comment: str = "#") -> list[tuple[int, str]]:
    return [
        (number, line.strip())
        for number, line in enumerate(text.split("\n"), 1)
        if line.strip() and not line.strip().startswith(comment)
    ]


def _opkg(path: str, text: str) -> FrameworkConfig:
    signature = None
    feeds: list[Setting] = []
    for number, line in _lines(text):
        words = line.split()
        # opkg turns a boolean option on by its presence, whatever value follows (opkg_conf.c).
        if words[:2] == ["option", "check_signature"] and signature is None:
            signature = Setting("on", number, line)
        elif words[0] in ("src", "src/gz", "dist", "dist/gz") and len(words) >= 3 and len(feeds) < MAX_FEEDS:
            feeds.append(Setting(words[2], number, line))
    return FrameworkConfig("opkg", path, signature, tuple(feeds))


def _mender(path: str, text: str) -> FrameworkConfig | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    servers = [data.get("ServerURL")]
    servers += [s.get("ServerURL") for s in _list(data.get("Servers")) if isinstance(s, dict)]
    keys = [data.get("ArtifactVerifyKey"), *_list(data.get("ArtifactVerifyKeys"))]
    key = next((k for k in keys if isinstance(k, str) and k), None)
    insecure = data.get("SkipVerify") is True
    return FrameworkConfig(
        "mender",
        path,
        None if key is None else _json_setting(text, "ArtifactVerifyKey", key),
        tuple(_json_setting(text, "ServerURL", url) for url in servers if isinstance(url, str) and url),
        _json_setting(text, "SkipVerify", "true") if insecure else None,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _json_setting(text: str, key: str, value: Any) -> Setting:
    for number, line in enumerate(text.split("\n"), 1):
        if f'"{key}' in line and str(value) in line:
            return Setting(str(value), number, line.strip())
    return Setting(str(value), None)


def _rauc(path: str, text: str) -> FrameworkConfig | None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("keyring"):
        return FrameworkConfig("rauc", path)
    keyring = parser.get("keyring", "path", fallback=None) or parser.get("keyring", "directory", fallback=None)
    if keyring is None:
        return FrameworkConfig("rauc", path)
    line = next((n for n, text_line in _lines(text) if re.match(r"(path|directory)\s*=", text_line)), None)
    return FrameworkConfig("rauc", path, Setting(keyring, line, f"path={keyring}"))


_LIBCONFIG_STRING = r'\s*[=:]\s*"([^"]*)"'


def _swupdate(path: str, text: str) -> FrameworkConfig:
    key = servers = insecure = None
    found_servers: list[Setting] = []
    for number, line in _lines(text):
        if line.startswith("//"):
            continue
        if match := re.match(r"public-key-file" + _LIBCONFIG_STRING, line):
            key = key or Setting(match.group(1), number, line)
        elif match := re.match(r"url" + _LIBCONFIG_STRING, line):
            found_servers.append(Setting(match.group(1), number, line))
        elif re.match(r"nocheckcert\s*[=:]\s*true", line):
            insecure = insecure or Setting("true", number, line)
    servers = tuple(found_servers[:MAX_FEEDS])
    return FrameworkConfig("swupdate", path, key, servers, insecure)


_READERS = {"opkg": _opkg, "mender": _mender, "rauc": _rauc, "swupdate": _swupdate}

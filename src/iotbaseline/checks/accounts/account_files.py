"""Which files hold credentials, and which parser reads each: decided by name and place, since a
shadow file full of binary junk is still a shadow file (and `/usr/bin/passwd` is not one)."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath

from iotbaseline.checks.accounts import default_configs, service_users, system_accounts
from iotbaseline.checks.accounts.entries import ParsedFile
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile

READABLE_KINDS = frozenset({FileKind.TEXT, FileKind.DATA, FileKind.SCRIPT})
"""DATA: a text file with junk in it is classified as data, and must still be parsed (and noted)."""

Parser = Callable[[bytes], ParsedFile]


@dataclass(frozen=True)
class AccountFileKind:
    name: str
    parse: Parser
    system: bool = False
    """passwd/shadow: joined with each other by directory."""


PASSWD = AccountFileKind("passwd", system_accounts.parse_passwd, system=True)
SHADOW = AccountFileKind("shadow", system_accounts.parse_shadow, system=True)
HTPASSWD = AccountFileKind(
    "htpasswd", partial(service_users.parse_user_file, source="htpasswd", clear_text_allowed=False)
)
MOSQUITTO = AccountFileKind(
    "mosquitto", partial(service_users.parse_user_file, source="mosquitto", clear_text_allowed=False)
)
PLAIN_USERS = AccountFileKind("users", partial(service_users.parse_user_file, source="users", clear_text_allowed=True))
HTTPD_CONF = AccountFileKind("httpd.conf", service_users.parse_httpd_conf)
SMBPASSWD = AccountFileKind("smbpasswd", service_users.parse_smbpasswd)
NVRAM = AccountFileKind("nvram", partial(default_configs.parse_key_values, source="nvram"))
INI = AccountFileKind("ini", partial(default_configs.parse_key_values, source="ini"))
UCI = AccountFileKind("uci", partial(default_configs.parse_key_values, source="uci"))
GOAHEAD = AccountFileKind("goahead", partial(default_configs.parse_key_values, source="goahead"))
XML = AccountFileKind("xml", partial(default_configs.parse_xml, source="xml"))
JSON = AccountFileKind("json", partial(default_configs.parse_json, source="json"))

_BY_NAME = {
    "passwd": PASSWD,
    "passwd-": PASSWD,
    "shadow": SHADOW,
    "shadow-": SHADOW,
    ".htpasswd": HTPASSWD,
    "htpasswd": HTPASSWD,
    "boa.passwd": HTPASSWD,
    "lighttpd-htpasswd.user": HTPASSWD,
    "lighttpd.user": PLAIN_USERS,
    "lighttpd-plain.user": PLAIN_USERS,
    "httpd.conf": HTTPD_CONF,
    "smbpasswd": SMBPASSWD,
    "umconfig.txt": GOAHEAD,
    "nvram.default": NVRAM,
    "nvram.defaults": NVRAM,
    "default.cfg": NVRAM,
    "defaultvalue.xml": XML,
    "default.xml": XML,
}
_MOSQUITTO_NAMES = frozenset({"passwd", "pwfile", "password_file", "passwords", "mosquitto.passwd", "users"})
_CONFIG_PLACES = ("etc", "factory", "default", "defaults", "config", "cfg")


def account_file_kind(file: TreeFile) -> AccountFileKind | None:
    if file.type.kind not in READABLE_KINDS:
        return None
    path = PurePosixPath(file.device_path or file.path)
    name = path.name.lower()
    if "mosquitto" in path.parent.as_posix() and name in _MOSQUITTO_NAMES | {"pwfile"}:
        return MOSQUITTO
    if name in _BY_NAME:
        return _BY_NAME[name]
    parents = {part.lower() for part in path.parent.parts}
    if name.endswith((".htpasswd", ".passwd")):
        return HTPASSWD
    if name.endswith(".users"):
        return PLAIN_USERS
    if path.parent.name == "config" and "etc" in parents:
        return UCI
    if name.startswith("nvram") and ("default" in name or "factory" in parents):
        return NVRAM
    if parents & set(_CONFIG_PLACES) or "default" in name:
        if name.endswith(".ini"):
            return INI
        if name.endswith(".json"):
            return JSON
        if name.endswith(".xml") and "default" in name:
            return XML
    return None

"""The communication-security rules: `data/comms/comms.yaml`, loaded once and validated."""

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml

from iotbaseline.errors import IotBaselineError
from iotbaseline.shell.options import OptionSpec

SERVER_KINDS = frozenset({"web", "mqtt", "ftp", "tunnel"})


class CommsRuleError(IotBaselineError):
    """The shipped communication rules are malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class ServerRule:
    kind: str
    programs: frozenset[str]
    configs: tuple[str, ...]


@dataclass(frozen=True)
class ClientRule:
    spec: OptionSpec
    insecure: frozenset[str]
    tls_options: frozenset[str]
    """For clients of protocols without a URL scheme (MQTT): options that turn TLS on."""


@dataclass(frozen=True)
class CodeRule:
    id: str
    languages: frozenset[str]
    pattern: re.Pattern[str]
    what: str


@dataclass(frozen=True)
class CommsRules:
    weak_protocols: frozenset[str]
    weak_ciphers: frozenset[str]
    servers: Mapping[str, ServerRule]
    program_folders: tuple[str, ...]
    loopback: frozenset[str]
    clients: Mapping[str, ClientRule]
    credential_headers: frozenset[str]
    credential_parameters: frozenset[str]
    insecure_code: tuple[CodeRule, ...]
    documentation_paths: tuple[str, ...]
    remediation: Mapping[str, str]

    @functools.cached_property
    def quick_clients(self) -> re.Pattern[bytes]:
        words = sorted(self.clients, key=len, reverse=True)
        return re.compile(rb"(?<![\w.-])(?:" + b"|".join(re.escape(w.encode()) for w in words) + rb")(?![\w.-])")

    @functools.cached_property
    def quick_code(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in self.insecure_code), re.MULTILINE)


@functools.cache
def default_comms_rules() -> CommsRules:
    text = (files("iotbaseline") / "data" / "comms" / "comms.yaml").read_text(encoding="utf-8")
    return parse_comms_rules(text)


def parse_comms_rules(text: str) -> CommsRules:
    try:
        return _rules(yaml.safe_load(text))
    except (yaml.YAMLError, KeyError, TypeError, ValueError, re.error) as error:
        raise CommsRuleError(f"communication rules: {type(error).__name__}: {error}") from error


def _rules(data: Mapping[str, Any]) -> CommsRules:
    servers = {name: _server(spec) for name, spec in data["servers"].items()}
    return CommsRules(
        weak_protocols=frozenset(normal_protocol(str(p)) for p in data["weak_protocols"]),
        weak_ciphers=frozenset(str(c) for c in data["weak_ciphers"]),
        servers=servers,
        program_folders=tuple(data["program_folders"]),
        loopback=frozenset(data["loopback"]),
        clients={tool: _client(spec) for spec in data["clients"] for tool in spec["tools"]},
        credential_headers=frozenset(str(h).lower() for h in data["credential_headers"]),
        credential_parameters=frozenset(str(p).lower() for p in data["credential_parameters"]),
        insecure_code=tuple(
            CodeRule(str(r["id"]), frozenset(r["languages"]), re.compile(r["pattern"]), str(r["what"]))
            for r in data["insecure_code"]
        ),
        documentation_paths=tuple(data["documentation_paths"]),
        remediation={str(k): " ".join(str(v).split()) for k, v in data["remediation"].items()},
    )


def normal_protocol(name: str) -> str:
    """`TLSv1.1`, `TLS1_1`, `tls_v1_1` -> tlsv1.1 / tls1.1 forms compared against the weak list."""
    text = name.strip().strip("\"'").lower().replace(" ", "").replace("-", "").replace("_", ".")
    text = text.replace("tls.v", "tlsv").replace("ssl.v", "sslv")
    return text.replace("tls.", "tls").replace("ssl.", "ssl")


def _server(spec: Mapping[str, Any]) -> ServerRule:
    kind = str(spec["kind"])
    if kind not in SERVER_KINDS:
        raise ValueError(f"server kind {kind!r} is not one of {sorted(SERVER_KINDS)}")
    return ServerRule(kind, frozenset(spec["programs"]), tuple(spec["configs"]))


def _client(spec: Mapping[str, Any]) -> ClientRule:
    return ClientRule(
        OptionSpec(
            roles={str(k): str(v) for k, v in (spec.get("options") or {}).items()},
            clustered=bool(spec.get("clustered", False)),
        ),
        frozenset(spec.get("insecure", ())),
        frozenset(spec.get("tls_options", ())),
    )

"""The configuration of services started at boot: SNMP communities every device of the kind
shares, MQTT brokers open to anonymous clients, what SSH accepts, web servers left running as root,
services bound to every interface. A configuration is judged only for a service an enabled boot
path starts: an SNMP configuration whose agent is switched off is no finding."""

import posixpath
from collections.abc import Iterable, Iterator

from iotbaseline.checks.base import Check, ScannedImage
from iotbaseline.model import Finding, JSONValue, Outcome
from iotbaseline.services.boot import BootReading, image_readings
from iotbaseline.services.findings import service_evidence, service_finding, started_by
from iotbaseline.services.model import BootService
from iotbaseline.services.mosquitto import read_broker_config
from iotbaseline.services.rules import FindingKind, ServiceRules, default_rules
from iotbaseline.services.shell_access import option_values
from iotbaseline.services.snmp import restricted_to_loopback, snmp_config
from iotbaseline.services.ssh import SshPolicy, dropbear_policy, openssh_policy
from iotbaseline.services.webserver import bound_everywhere, runs_as_root

_KINDS = (
    "snmp-default-community", "snmp-write-community", "mqtt-anonymous", "mqtt-anonymous-default", "ssh-password",
    "ssh-root-password", "ssh-empty-password", "ssh-keys-only", "web-root", "listens-everywhere",
)  # fmt: skip


class ServiceConfigCheck(Check):
    id = "firmware.services.config"
    version = "1"
    title = "Configuration of services started at boot"
    provisions = tuple(dict.fromkeys(p for k in _KINDS for p in default_rules().kind(k).provisions))

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        rules = default_rules()
        for reading in image_readings(image.tree):
            for service in reading.enabled:
                yield from self._snmp(image, reading, service, rules)
                yield from self._mqtt(image, reading, service, rules)
                yield from self._ssh(image, reading, service, rules)
                yield from self._web(image, reading, service, rules)

    def _finding(
        self,
        image: ScannedImage,
        kind: FindingKind,
        service: BootService,
        *,
        path: str | None,
        line: int | None,
        quoted: str,
        detail: str,
        discriminator: str,
        evidence: dict[str, JSONValue] | None = None,
    ) -> Finding:
        data: dict[str, JSONValue] = {"service": service_evidence(service), **(evidence or {})}
        return service_finding(
            self.id, self.version, kind,
            image=image.name, path=path, line=line, quoted=quoted, detail=detail,
            discriminator=f"{service.name}:{discriminator}", evidence=data,
            outcome=Outcome.INFO if service.conditional and kind.outcome is Outcome.FAIL else None,
        )  # fmt: skip

    # ---- SNMP ---------------------------------------------------------------------------------------------

    def _snmp(
        self, image: ScannedImage, reading: BootReading, service: BootService, rules: ServiceRules
    ) -> Iterator[Finding]:
        if service.name not in rules.snmp["programs"]:
            return
        config = snmp_config(service, reading.files, [str(p) for p in rules.snmp["config_files"]])
        if config.local_only:
            return  # listens on the loopback interface only
        defaults = {str(c).lower() for c in rules.snmp["default_communities"]}
        for community in config.communities:
            if community.community.lower() not in defaults or restricted_to_loopback(community):
                continue
            kind = rules.kind("snmp-write-community" if community.write else "snmp-default-community")
            access = "read-write" if community.write else "read"
            detail = (
                f"snmpd, {started_by(service)}, gives {access} access to community '{community.community}' "
                f"from {community.source}"
            )
            yield self._finding(
                image, kind, service, path=community.path, line=community.line, quoted=community.quoted,
                detail=detail, discriminator=f"{community.path}:{community.line}",
                evidence={"community": community.community, "write": community.write, "source": community.source},
            )  # fmt: skip

    # ---- MQTT ---------------------------------------------------------------------------------------------

    def _mqtt(
        self, image: ScannedImage, reading: BootReading, service: BootService, rules: ServiceRules
    ) -> Iterator[Finding]:
        if service.name not in rules.mqtt["programs"]:
            return
        paths = option_values(service.words, "-c")
        if not paths:
            kind = rules.kind("mqtt-anonymous-default")
            detail = (
                f"mosquitto is {started_by(service)} without a configuration file: mosquitto before 2.0 then "
                "accepts anonymous clients on every interface, 2.0 and later only on the loopback interface"
            )
            yield self._finding(image, kind, service, path=service.source, line=service.line, quoted=service.text,
                                detail=detail, discriminator="no-config")  # fmt: skip
            return
        config = read_broker_config(reading.files, paths[0])
        if config is None:
            return
        if not config.all_listeners():
            detail = (
                f"mosquitto is {started_by(service)} and {paths[0]} configures no listener: mosquitto before 2.0 "
                "then listens on every interface (anonymous clients allowed unless allow_anonymous false), 2.0 and "
                "later on the loopback interface only"
            )
            yield self._finding(image, rules.kind("mqtt-anonymous-default"), service, path=paths[0], line=None,
                                quoted=service.text, detail=detail, discriminator="no-listener")  # fmt: skip
            return
        for listener in config.all_listeners():
            where = listener.where
            port = f"port {listener.port} on {listener.address or 'every interface'}"
            if listener.network and listener.everywhere and where is not None:
                yield self._finding(
                    image, rules.kind("listens-everywhere"), service, path=where.path, line=where.number,
                    quoted=where.text, detail=f"mosquitto listens on {port}", discriminator=f"listen:{listener.port}",
                )  # fmt: skip
            if not listener.network:
                continue
            setting = config.anonymous_for(listener)
            if setting is None:
                anchor = (where.path, where.number, where.text) if where else (config.files[0], None, "")
                detail = f"mosquitto ({started_by(service)}) listens on {port} and allow_anonymous is not set"
                yield self._finding(
                    image, rules.kind("mqtt-anonymous-default"), service, path=anchor[0], line=anchor[1],
                    quoted=anchor[2], detail=detail, discriminator=f"default:{listener.port}",
                )  # fmt: skip
            elif setting[0]:
                line = setting[1]
                detail = f"mosquitto ({started_by(service)}) listens on {port} with `{line.text}`"
                yield self._finding(
                    image, rules.kind("mqtt-anonymous"), service, path=line.path, line=line.number, quoted=line.text,
                    detail=detail, discriminator=f"{line.path}:{line.number}:{listener.port}",
                    evidence={"port": listener.port, "address": listener.address, "files": list(config.files)},
                )  # fmt: skip

    # ---- SSH ----------------------------------------------------------------------------------------------

    def _ssh(
        self, image: ScannedImage, reading: BootReading, service: BootService, rules: ServiceRules
    ) -> Iterator[Finding]:
        policy: SshPolicy | None = None
        if service.name in rules.ssh["dropbear"]:
            policy = dropbear_policy(service, reading.files)
        elif service.name in rules.ssh["openssh"]:
            policy = openssh_policy(service, reading.files, str(rules.ssh["openssh_config"]))
        if policy is None:
            return
        if policy.empty_passwords:
            kind = rules.kind("ssh-empty-password")
        elif policy.root_passwords:
            kind = rules.kind("ssh-root-password")
        elif policy.passwords:
            kind = rules.kind("ssh-password")
        else:
            kind = rules.kind("ssh-keys-only")
        settings = "; ".join(
            f"{e.path}" + (f" line {e.line}" if e.line else "") + (f": {e.text}" if e.text else "")
            for e in policy.evidence
        )
        unsure = "" if policy.certain else " (part of its command line is set at run time, so this may differ)"
        values = "; ".join(f"{name}={value!r} ({path} line {line})" for name, value, path, line in service.assignments)
        detail = f"{policy.server}, {started_by(service)}, {_accepts(policy)}{unsure}; read from {settings}"
        if values:
            detail += f"; values used: {values}"
        evidence: dict[str, JSONValue] = {
            "passwords": policy.passwords, "root_passwords": policy.root_passwords,
            "empty_passwords": policy.empty_passwords, "certain": policy.certain,
        }  # fmt: skip
        yield self._finding(image, kind, service, path=service.source, line=service.line, quoted=service.text,
                            detail=detail, discriminator="policy", evidence=evidence)  # fmt: skip
        if policy.listens_everywhere is not None:
            where = policy.listens_everywhere
            yield self._finding(
                image, rules.kind("listens-everywhere"), service, path=where.path, line=where.line, quoted=where.text,
                detail=f"{policy.server} listens on every interface", discriminator="listen",
            )  # fmt: skip

    # ---- web servers --------------------------------------------------------------------------------------

    def _web(
        self, image: ScannedImage, reading: BootReading, service: BootService, rules: ServiceRules
    ) -> Iterator[Finding]:
        for spec in rules.web_servers:
            if service.name not in spec.programs:
                continue
            bind = bound_everywhere(service, reading.files, spec)
            if bind is not None:
                yield self._finding(
                    image, rules.kind("listens-everywhere"), service, path=bind[0], line=bind[1], quoted=bind[2],
                    detail=f"{service.name} listens on every interface", discriminator="listen",
                )  # fmt: skip
            found = runs_as_root(service, reading.files, spec, rules.root_users)
            if found is None:
                continue
            detail = f"{found.server} is {started_by(service)}; {found.reason}"
            yield self._finding(
                image, rules.kind("web-root"), service, path=found.path, line=found.line, quoted=found.quoted,
                detail=detail, discriminator=posixpath.basename(found.path),
            )  # fmt: skip


def _accepts(policy: SshPolicy) -> str:
    if not policy.passwords:
        return "accepts keys only (password logins are disabled)"
    parts = ["accepts password logins"]
    if policy.root_passwords:
        parts.append("root may log in with a password")
    if policy.empty_passwords:
        parts.append("accounts with an empty password may log in")
    return ", ".join(parts)

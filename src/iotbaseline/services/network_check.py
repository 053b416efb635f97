"""Dangerous network services started at boot: shells without login on the network, telnet, FTP,
TFTP, the r-services, and UPnP IGD that lets LAN hosts open the firewall. Only services an enabled
boot path starts are findings; one started under a condition the firmware does not decide is
reported for information."""

from collections.abc import Iterable, Iterator
from dataclasses import replace

from iotbaseline.checks.base import Check, ScannedImage
from iotbaseline.model import Finding, Outcome
from iotbaseline.services.boot import BootReading, image_readings
from iotbaseline.services.findings import service_evidence, service_finding, started_by
from iotbaseline.services.model import BootService
from iotbaseline.services.rules import FindingKind, ServiceRules, default_rules
from iotbaseline.services.shell_access import shell_without_login
from iotbaseline.services.upnp import miniupnpd_state

_KINDS = ("network-shell", "telnet", "ftp", "tftp", "r-services", "upnp-open", "upnp-secure")


class NetworkServicesCheck(Check):
    id = "firmware.services.network"
    version = "1"
    title = "Dangerous network services started at boot"
    provisions = tuple(dict.fromkeys(p for k in _KINDS for p in default_rules().kind(k).provisions))

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        rules = default_rules()
        for reading in image_readings(image.tree):
            for service in reading.enabled:
                yield from self._service(image, reading, service, rules)

    def _service(
        self, image: ScannedImage, reading: BootReading, service: BootService, rules: ServiceRules
    ) -> Iterator[Finding]:
        shell = shell_without_login(service.name, service.words, rules)
        if shell is not None and shell.where == "network":
            detail = f"`{shell.command}` is {started_by(service)}; {shell.how}"
            yield self._finding(image, service, rules.kind("network-shell"), detail)
            return
        key = rules.network_services.get(service.name)
        if key is not None and key != "adb":
            yield self._finding(image, service, rules.kind(key), f"{service.name} is {started_by(service)}")
        if service.name in rules.upnp["programs"]:
            yield from self._upnp(image, reading, service, rules)

    def _finding(
        self, image: ScannedImage, service: BootService, kind: FindingKind, detail: str, quoted: str | None = None
    ) -> Finding:
        return service_finding(
            self.id, self.version, kind,
            image=image.name, path=service.source, line=service.line, quoted=quoted or service.text,
            detail=detail, discriminator=service.name,
            evidence={"service": service_evidence(service)},
            outcome=Outcome.INFO if service.conditional and kind.outcome is Outcome.FAIL else None,
        )  # fmt: skip

    def _upnp(
        self, image: ScannedImage, reading: BootReading, service: BootService, rules: ServiceRules
    ) -> Iterator[Finding]:
        state = miniupnpd_state(service, reading.files, rules.upnp)
        if state.upnp is not None and not state.upnp.value:
            return  # NAT-PMP only, or UPnP switched off
        if state.secure is not None and not state.secure.value:
            detail = f"miniupnpd is {started_by(service)} and secure mode is off ({state.secure.path})"
            finding = self._finding(image, service, rules.kind("upnp-open"), detail, quoted=state.secure.quoted)
            yield _at(finding, state.secure.path, state.secure.line)
            return
        note = "secure mode is on" if state.secure is not None else "secure mode is not set (on by default since 2.0)"
        yield self._finding(image, service, rules.kind("upnp-secure"), f"miniupnpd is {started_by(service)}; {note}")


def _at(finding: Finding, path: str, line: int | None) -> Finding:
    return replace(finding, location=replace(finding.location, path=path, line=line))

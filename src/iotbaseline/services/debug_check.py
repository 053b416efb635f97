"""Debug interfaces left on (EN 303 645 5.6-4): shells without login on a console (`::askfirst:-/bin/sh`,
`getty -n -l /bin/sh`, `login -f`, agetty autologin, systemd's debug-shell), a kernel command line
with a shell as init, and the Android Debug Bridge. A console login prompt is reported for
information: whether the port is physically reachable is for the assessor to judge."""

import posixpath
from collections.abc import Iterable, Iterator

from iotbaseline.checks.base import Check, ScannedImage
from iotbaseline.model import Finding, Outcome
from iotbaseline.services.android import Property, read_properties
from iotbaseline.services.boot import BootReading, image_readings
from iotbaseline.services.bootargs import candidate_files, init_shells
from iotbaseline.services.findings import service_evidence, service_finding, started_by
from iotbaseline.services.model import BootService, How
from iotbaseline.services.rules import FindingKind, ServiceRules, default_rules
from iotbaseline.services.shell_access import interactive_shell, shell_without_login

_KINDS = ("console-shell", "console-login", "kernel-init-shell", "adb", "adb-insecure")


class DebugInterfacesCheck(Check):
    id = "firmware.services.debug"
    version = "1"
    title = "Debug interfaces: console shells, kernel command line, adb"
    provisions = tuple(dict.fromkeys(p for k in _KINDS for p in default_rules().kind(k).provisions))

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        rules = default_rules()
        for reading in image_readings(image.tree):
            for service in reading.enabled:
                yield from self._console(image, service, rules)
            yield from self._adb(image, reading, rules)
        yield from self._kernel_command_lines(image, rules)

    # ---- consoles -----------------------------------------------------------------------------------------

    def _console(self, image: ScannedImage, service: BootService, rules: ServiceRules) -> Iterator[Finding]:
        on = _terminal(service)
        shell = shell_without_login(service.name, service.words, rules)
        if shell is not None and shell.where == "console":
            detail = f"`{shell.command}` on {on} is {started_by(service)}; {shell.how}"
            yield self._finding(image, service, rules.kind("console-shell"), detail)
        elif self._is_console(service) and interactive_shell(service.name, service.words, rules):
            detail = f"{service.program} runs on {on} without a login, {started_by(service)}"
            yield self._finding(image, service, rules.kind("console-shell"), detail)
        elif service.how is How.SYSTEMD and posixpath.basename(service.source) in rules.debug_shell_units:
            detail = f"{posixpath.basename(service.source)} (a root shell on tty9) is {started_by(service)}"
            yield self._finding(image, service, rules.kind("console-shell"), detail)
        elif self._is_console(service) and service.name in rules.login_programs:
            detail = f"{service.name} asks for a login on {on}, {started_by(service)}"
            yield self._finding(image, service, rules.kind("console-login"), detail)

    @staticmethod
    def _is_console(service: BootService) -> bool:
        return service.how is How.INITTAB or "getty@" in service.source

    def _finding(
        self, image: ScannedImage, service: BootService, kind: FindingKind, detail: str, discriminator: str = ""
    ) -> Finding:
        return service_finding(
            self.id, self.version, kind,
            image=image.name, path=service.source, line=service.line, quoted=service.text,
            detail=detail, discriminator=discriminator or f"{service.name}:{service.tty}",
            evidence={"service": service_evidence(service)},
            outcome=Outcome.INFO if service.conditional and kind.outcome is Outcome.FAIL else None,
        )  # fmt: skip

    # ---- adb --------------------------------------------------------------------------------------------------

    def _adb(self, image: ScannedImage, reading: BootReading, rules: ServiceRules) -> Iterator[Finding]:
        spec = rules.android
        properties = read_properties(reading.files, [str(p) for p in spec["files"]])
        insecure = _matching(properties, spec["insecure"])
        kind = rules.kind("adb-insecure" if insecure else "adb")
        note = f"; {insecure[0].text} ({insecure[0].path} line {insecure[0].line})" if insecure else ""
        reported = False
        for service in reading.enabled:
            if service.name in rules.network_services and rules.network_services[service.name] == "adb":
                reported = True
                yield self._finding(image, service, kind, f"adbd is {started_by(service)}{note}", "adbd")
        if reported:
            return
        enabling = _matching(properties, spec["enable"])
        if not enabling or reading.files.find_program("adbd", ("/sbin", "/system/bin", "/usr/bin", "/bin")) is None:
            return
        prop = enabling[0]
        yield service_finding(
            self.id, self.version, kind,
            image=image.name, path=prop.path, line=prop.line, quoted=prop.text,
            detail=f"{prop.text} switches adb on at boot{note}", discriminator="adbd",
            evidence={"properties": {p.name: p.value for p in (*enabling, *insecure)}},
        )  # fmt: skip

    # ---- kernel command lines -------------------------------------------------------------------------------

    def _kernel_command_lines(self, image: ScannedImage, rules: ServiceRules) -> Iterator[Finding]:
        kind = rules.kind("kernel-init-shell")
        for file in candidate_files(image.tree):
            for hit in init_shells(image.tree, file, rules.shells):
                yield service_finding(
                    self.id, self.version, kind,
                    image=image.name, path=file.device_path or "/" + file.path, line=None,
                    quoted=hit.command_line, extracted_path=file.path, offset=hit.offset,
                    detail=f"the kernel command line in {file.device_path or file.path} has {hit.parameter}",
                    discriminator=hit.parameter, evidence={"offset": hex(hit.offset), "parameter": hit.parameter},
                )  # fmt: skip


def _terminal(service: BootService) -> str:
    if service.tty:
        return service.tty
    return "the console (the kernel's console=, usually the serial port)" if service.how is How.INITTAB else "a console"


def _matching(properties: dict[str, Property], wanted: dict[str, str]) -> list[Property]:
    found = []
    for name, value in wanted.items():
        prop = properties.get(name)
        if prop is not None and (prop.value == value or value in prop.value.split(",")):
            found.append(prop)
    return found

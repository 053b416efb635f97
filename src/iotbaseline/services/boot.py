"""What starts at boot: the init system read as the device would run it, never executed.

    boot_services(tree, rootfs) -> list[BootService]

From PID 1's configuration outwards: /etc/inittab (or BusyBox's built-in default when there is
none), the scripts it runs (rcS, and the init scripts those run with `start`), SysV runlevel links,
OpenWrt init scripts (rc.common, procd instances, uci switches), systemd units, inetd/xinetd and cron.
Disabled entries are kept, with the reason, so that a report can show the traps were understood:
a commented-out line is not read at all, a script nothing runs is listed as not started.
"""

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree
from iotbaseline.services.boot_data import BootData, default_boot_data
from iotbaseline.services.cron import parse_crontab
from iotbaseline.services.device_files import DeviceFiles
from iotbaseline.services.inetd import parse_inetd_conf, xinetd_services
from iotbaseline.services.init_system import InitKind, InitSystem, detect_init
from iotbaseline.services.inittab import Inittab, InittabEntry, parse_inittab, process_words, runs_at_boot, terminal
from iotbaseline.services.launch import Launch, unwrap
from iotbaseline.services.model import BootService, How, StartRequest
from iotbaseline.services.systemd import SystemdUnits
from iotbaseline.services.uci import UciStore
from iotbaseline.shell.expand import Used
from iotbaseline.shell.run import Executed, ShellReader

MAX_VIA = 12
"""Scripts running scripts: deeper chains are not followed."""
INITTAB = "/etc/inittab"
# What /etc/rc.common defines before it calls the script's function for the action.
RC_COMMON_PRELUDE = 'start() { start_service "$@"; }\nboot() { start "$@"; }\nrestart() { start "$@"; }\n'
RC_COMMON_ACTIONS = {"start": "start", "boot": "boot", "restart": "restart", "reload": "start", "enable": None}
_UCI_GET = re.compile(
    r"\$\(\s*(?:/sbin/)?uci\s+(?:-q\s+)?get\s+([\w@\[\]\-.]+)\s*(?:2>\s*/dev/null\s*)?"
    r"(?:\|\|\s*echo\s+['\"]?([^'\"\s)]*)['\"]?\s*)?\)"
)


@dataclass(frozen=True)
class BootReading:
    """The boot model of one root filesystem, with what it was read from."""

    init: InitSystem
    services: tuple[BootService, ...]
    sources: tuple[str, ...]
    """Device paths of every boot configuration file read."""
    files: DeviceFiles
    """The root filesystem it was read from, for the checks that read service configurations next."""

    @property
    def enabled(self) -> list[BootService]:
        return [service for service in self.services if service.enabled]


def boot_services(tree: FirmwareTree, rootfs: RootFilesystem) -> list[BootService]:
    return list(read_boot(tree, rootfs).services)


def image_readings(tree: FirmwareTree) -> Iterator[BootReading]:
    """The boot model of every root filesystem of an image."""
    for rootfs in tree.rootfs:
        yield read_boot(tree, rootfs)


def read_boot(tree: FirmwareTree, rootfs: RootFilesystem, data: BootData | None = None) -> BootReading:
    return _BootReader(DeviceFiles(tree, rootfs), data or default_boot_data()).read()


class _BootReader:
    def __init__(self, files: DeviceFiles, data: BootData) -> None:
        self.files = files
        self.data = data
        self.uci = UciStore(files)
        self.shell = ShellReader(files, data.variable_setters, substitute=self._substitute)
        self.init = detect_init(files)
        self.services: list[BootService] = []
        self.sources: list[str] = []
        self._followed: set[tuple[str, str]] = set()
        self._started_scripts: set[str] = set()

    def read(self) -> BootReading:
        self._inittab()
        self._systemd()
        self._not_started_init_scripts()
        self._inetd()
        self._cron()
        return BootReading(self.init, tuple(self.services), tuple(dict.fromkeys(self.sources)), self.files)

    # ---- PID 1 --------------------------------------------------------------------------------------------

    def _inittab(self) -> None:
        kind = self.init.kind
        text = self.files.read_text(INITTAB)
        if text is None and self.files.exists(INITTAB):
            return  # there, but not a file that can be read: no built-in default applies
        if text is None:
            if kind is InitKind.BUSYBOX:
                self._busybox_default_inittab()
            elif kind is InitKind.PROCD:
                self._rc_links("/etc/rc.d", "S", "boot", StartRequest((), "/etc/rc.d", None, "", How.PROCD))
            elif kind is InitKind.UNKNOWN and self.files.file("/etc/init.d/rcS") is not None:
                self._start(StartRequest(("/etc/init.d/rcS",), "/etc/init.d/rcS", None, "", How.RCS))
            return
        self.sources.append(INITTAB)
        inittab = parse_inittab(text)
        ignored = f"the init system is {kind.value} ({self.init.evidence}), which does not read {INITTAB}"
        entries = [(entry, runs_at_boot(entry, inittab)) for entry in inittab.entries]
        for entry, why in sorted(entries, key=lambda pair: pair[1] is not None):
            if why is not None and entry.action != "off" and not why.startswith("runlevels"):
                continue  # shutdown, ctrlaltdel: not part of the boot
            if kind is InitKind.SYSTEMD:
                why = ignored
            self._inittab_entry(entry, inittab, why)

    def _inittab_entry(self, entry: InittabEntry, inittab: Inittab, why: str | None) -> None:
        words, _ = process_words(entry)
        if not words:
            return
        request = StartRequest(
            tuple(words), INITTAB, entry.line, entry.text, How.INITTAB, why is None, why,
            tty=terminal(entry, inittab, words),
        )  # fmt: skip
        if self.init.kind is InitKind.PROCD and entry.action == "sysinit" and words[0].endswith("/rcS"):
            # procd runs /etc/rc.d/<S>* <boot> itself for this line (it never runs the rcS script).
            pattern = words[1] if len(words) > 1 else "S"
            action = words[2] if len(words) > 2 else "boot"
            self._rc_links("/etc/rc.d", pattern, action, replace(request, how=How.PROCD))
            return
        self._start(request)

    def _busybox_default_inittab(self) -> None:
        """BusyBox init without /etc/inittab runs rcS and an askfirst shell on the console and tty2-4."""
        text = "BusyBox init without /etc/inittab: ::sysinit:/etc/init.d/rcS, ::askfirst:-/bin/sh (console, tty2-4)"
        self._start(StartRequest(("/etc/init.d/rcS",), "/sbin/init", None, text, How.INITTAB))
        for tty in ("", "tty2", "tty3", "tty4"):
            self._start(StartRequest(("/bin/sh",), "/sbin/init", None, text, How.INITTAB, tty=tty))

    # ---- starting a command line ---------------------------------------------------------------------------

    def _start(self, request: StartRequest, follow: bool = True) -> None:
        launch = unwrap(request.argv, self.files, self.data)
        if launch is None:
            return
        if follow and self._is_sysv_runner(launch):
            level = launch.argv[1] if len(launch.argv) > 1 else "S"
            self._sysv_runlevel(level, replace(request, how=How.SYSV))
            return
        if follow and launch.script is not None:
            self._follow(launch, request)
            if self._is_init_script(launch):
                return  # the services it starts are listed, not the init script itself
        if follow and launch.command_string is not None:
            self._command_string(launch.command_string, request)
            return
        if launch.name in self.data.housekeeping or not launch.name:
            return
        self.services.append(
            BootService(
                name=launch.name,
                program=launch.program,
                argv=launch.argv,
                source=request.source,
                line=request.line,
                how=request.how,
                enabled=request.enabled,
                why_disabled=None if request.enabled else request.why_disabled,
                conditional=request.conditional,
                text=request.text,
                via=request.via,
                assignments=request.assignments,
                tty=request.tty,
            )
        )

    def _is_init_script(self, launch: Launch) -> bool:
        script = launch.script or ""
        return launch.rc_common or any(script.startswith(folder + "/") for folder in self.data.init_script_dirs)

    def _is_sysv_runner(self, launch: Launch) -> bool:
        return (
            launch.program in self.data.sysv_runners or self.files.real_path(launch.program) in self.data.sysv_runners
        )

    def _command_string(self, text: str, request: StartRequest) -> None:
        run = self.shell.run(request.source, text=text)
        for executed in run.executed:
            self._start(
                replace(request, argv=executed.argv, conditional=request.conditional or executed.conditional),
                follow=True,
            )

    def _follow(self, launch: Launch, request: StartRequest) -> None:
        script = launch.script
        assert script is not None
        args = list(launch.argv[1:])
        action = args[0] if args else ("boot" if launch.rc_common else "")
        key = (script, action)
        if key in self._followed or len(request.via) >= MAX_VIA:
            return
        self._followed.add(key)
        how = self._how_for(launch, request)
        enabled, why = request.enabled, request.why_disabled
        if launch.rc_common and enabled:
            off = self._uci_switch_off(posixpath.basename(script))
            if off is not None:
                enabled, why = False, off
        if enabled:
            self._started_scripts.add(script)
        self.sources.append(script)
        via = (*request.via, f"{request.source}:{request.line}" if request.line else request.source)
        child = replace(request, how=how, enabled=enabled, why_disabled=why, via=via,
                        tty=request.tty if how is How.INITTAB else "")  # fmt: skip
        if launch.rc_common:
            call = RC_COMMON_ACTIONS.get(action)
            run = self.shell.run(script, [action], call=call, opaque=True, prelude=RC_COMMON_PRELUDE)
            self._procd_commands(run.executed, child)
        else:
            run = self.shell.run(script, args)
            for executed in run.executed:
                self._start(self._request(child, executed.argv, executed.path, executed.line, executed.text,
                                          executed.conditional, executed.assignments))  # fmt: skip
        self.sources.extend(run.sourced)

    def _how_for(self, launch: Launch, request: StartRequest) -> How:
        """rcS and init scripts start services; any other script inittab runs (a console login
        wrapper) stays an inittab program on its terminal."""
        if launch.rc_common:
            return How.PROCD
        init_script = self._is_init_script(launch)
        if request.how is How.INITTAB:
            return How.RCS if init_script else How.INITTAB
        if init_script and request.how in (How.RCS, How.SYSV):
            return How.SYSV
        return request.how

    @staticmethod
    def _request(
        parent: StartRequest,
        argv: Sequence[str],
        source: str,
        line: int | None,
        text: str,
        conditional: bool,
        assignments: tuple[Used, ...],
    ) -> StartRequest:
        return replace(
            parent, argv=tuple(argv), source=source, line=line, text=text,
            conditional=parent.conditional or conditional, assignments=assignments,
        )  # fmt: skip

    def _procd_commands(self, executed: Sequence[Executed], parent: StartRequest) -> None:
        """procd init scripts describe instances (`procd_set_param command ...`); others run commands."""
        instance: StartRequest | None = None
        for command in executed:
            argv = command.argv
            request = self._request(
                parent, argv, command.path, command.line, command.text, command.conditional, command.assignments
            )
            if argv[0] == "procd_open_instance":
                instance = None
            elif argv[0] == "procd_set_param" and argv[1:2] == ("command",):
                instance = replace(request, argv=argv[2:])
            elif argv[0] == "procd_append_param" and argv[1:2] == ("command",) and instance is not None:
                if not command.conditional:  # a flag added only under a condition is not certain
                    instance = replace(instance, argv=(*instance.argv, *argv[2:]),
                                       assignments=instance.assignments + command.assignments)  # fmt: skip
            elif argv[0] == "procd_close_instance":
                if instance is not None:
                    self._start(instance)
                instance = None
            else:
                self._start(request)
        if instance is not None:
            self._start(instance)

    # ---- SysV and OpenWrt start links ---------------------------------------------------------------------

    def _sysv_runlevel(self, level: str, request: StartRequest) -> None:
        for pattern in self.data.sysv_link_dirs:
            self._rc_links(pattern.format(level=level), "S", "start", request)

    def _rc_links(self, folder: str, prefix: str, action: str, request: StartRequest) -> None:
        links = self.files.glob(f"{folder}/{prefix}*")
        if links:
            self.sources.append(folder)
        via = (*request.via, f"{request.source}:{request.line}" if request.line else request.source)
        for link in links:
            self._start(replace(request, argv=(link, action), source=link, line=None, text=link, via=via))

    def _uci_switch_off(self, service: str) -> str | None:
        """Why OpenWrt's configuration turns the service off, or None."""
        switch = self.data.uci_switches.get(service)
        config_name, types, options = (
            (switch.config, switch.sections, (switch.option,))
            if switch is not None
            else (service, frozenset({service}), ("enabled", "enable", "disabled"))
        )
        config = self.uci.config(config_name)
        if config is None:
            return None
        switches = []
        for section in config.sections:
            if section.type not in types:
                continue
            for name in options:
                option = section.get(name)
                if option is not None:
                    off = option.value in (self.data.uci_on if name == "disabled" else self.data.uci_off)
                    switches.append((off, option))
        if not switches or not all(off for off, _ in switches):
            return None
        self.sources.append(config.path)
        shown = "; ".join(f"{config.path} line {o.line}: {o.text}" for _, o in switches)
        return f"turned off in its uci configuration ({shown})"

    def _substitute(self, text: str) -> tuple[str, Used | None] | None:
        """`$(uci -q get config.section.option || echo default)`: the default configuration's value."""
        match = _UCI_GET.fullmatch(text)
        if match is None:
            return None
        found = self.uci.get(match.group(1))
        if found is None:
            return None  # no such config in the image: it may be created at first boot
        path, option = found
        if option is None:
            return match.group(2) or "", None
        return option.value, (match.group(1), option.value, path, option.line)

    # ---- systemd --------------------------------------------------------------------------------------------

    def _systemd(self) -> None:
        units = SystemdUnits(self.files, self.data)
        if not units.present():
            return
        runs_units = self.init.kind in (InitKind.SYSTEMD, InitKind.UNKNOWN)
        why = None if runs_units else f"the init system is {self.init.kind.value}: systemd units are not started"
        for request in units.start_requests(runs_units, why):
            self.sources.append(request.source)
            self._start(request)
        if self.init.kind is InitKind.SYSTEMD:
            # systemd-sysv-generator starts SysV scripts linked into rc2-5.d that have no native unit.
            for level in "2345":
                for pattern in self.data.sysv_link_dirs:
                    for link in self.files.glob(f"{pattern.format(level=level)}/S*"):
                        name = re.sub(r"^S\d+", "", posixpath.basename(link))
                        if units.fragment(f"{name}.service") is None:
                            self._start(StartRequest((link, "start"), link, None, link, How.SYSV))

    # ---- init scripts nothing starts ----------------------------------------------------------------------

    def _not_started_init_scripts(self) -> None:
        why = "not started at boot: no start link or boot script runs it"
        for folder in self.data.init_script_dirs:
            for name in self.files.list_dir(folder):
                path = f"{folder}/{name}"
                if name in self.data.not_init_scripts or name.startswith(".") or self.files.is_dir(path):
                    continue
                if self.files.link_target(path) is not None:
                    continue  # a start or kill link: its script is in init.d
                real = self.files.real_path(path)
                if real is None or real in self._started_scripts:
                    continue
                launch = unwrap((path,), self.files, self.data)
                if launch is None or launch.script is None:
                    continue
                action = "boot" if launch.rc_common else "start"
                self._follow(
                    replace(launch, argv=(path, action)),
                    StartRequest((path, action), path, None, path, How.SYSV, False, why),
                )

    # ---- super-servers and cron ----------------------------------------------------------------------------

    def _running(self, names: frozenset[str]) -> list[BootService]:
        return [s for s in self.services if s.enabled and s.name in names]

    def _inetd(self) -> None:
        daemons = self._running(self.data.inetd_daemons)
        for config, xinetd in (("/etc/inetd.conf", False), ("/etc/xinetd.conf", True)):
            named = [d for d in daemons if (d.name == "xinetd") == xinetd]
            paths = {_config_argument(d.argv, xinetd) or config for d in named} or {config}
            for path in sorted(paths):
                self._inetd_config(path, xinetd, bool(named))

    def _inetd_config(self, path: str, xinetd: bool, running: bool) -> None:
        text = self.files.read_text(path)
        if text is None:
            return
        self.sources.append(path)
        daemon = "xinetd" if xinetd else "inetd"
        not_running = f"{daemon} is not started at boot"
        services = xinetd_services(self.files, path) if xinetd else parse_inetd_conf(text, path)
        for service in services:
            why = service.disabled or (None if running else not_running)
            self._start(
                StartRequest(service.argv, service.path, service.line, service.text, How.INETD, why is None, why),
                follow=False,
            )

    def _cron(self) -> None:
        running = bool(self._running(self.data.cron_daemons))
        why = None if running else "no cron daemon is started at boot"
        for place in self.data.crontabs:
            for path in self.files.glob(place.glob):
                text = self.files.read_text(path) if not self.files.is_dir(path) else None
                if text is None:
                    continue
                self.sources.append(path)
                owner = posixpath.basename(path)
                for job in parse_crontab(text, path, place.user_field, owner):
                    run = self.shell.run(path, text=job.command)
                    for executed in run.executed:
                        request = StartRequest(
                            executed.argv, path, job.line, job.text, How.CRON, running, why,
                            executed.conditional, assignments=executed.assignments,
                        )  # fmt: skip
                        self._start(request, follow=False)


def _config_argument(argv: Sequence[str], xinetd: bool) -> str | None:
    words = list(argv[1:])
    if xinetd:
        return words[words.index("-f") + 1] if "-f" in words and words.index("-f") + 1 < len(words) else None
    operands = [w for w in words if w.startswith("/")]
    return operands[0] if operands else None

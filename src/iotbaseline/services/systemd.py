"""systemd: which units a boot reaches (the default target and the boot targets, through `Wants=`,
`Requires=` and the `*.wants/` and `*.requires/` links that enable units), which are masked (linked
to /dev/null), and the command lines of their services (ExecStart, with Environment and specifiers).
Sockets start their service on demand, so a reached socket counts for its service."""

import posixpath
import re
import shlex
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from iotbaseline.services.boot_data import BootData
from iotbaseline.services.device_files import DeviceFiles
from iotbaseline.services.model import How, StartRequest

MAX_UNITS = 4096
_MASK_TARGET = "/dev/null"
_EXEC_PREFIX = re.compile(r"^[-@:+!]+")
_DEPENDENCIES = ("Wants", "Requires", "Upholds", "BindsTo")


@dataclass(frozen=True)
class UnitEntry:
    section: str
    key: str
    value: str
    path: str
    line: int
    text: str


@dataclass(frozen=True)
class Unit:
    name: str
    path: str
    entries: tuple[UnitEntry, ...]

    def values(self, section: str, key: str) -> list[UnitEntry]:
        """The effective entries: an empty assignment clears those before it (as systemd does)."""
        found: list[UnitEntry] = []
        for entry in self.entries:
            if entry.section == section and entry.key == key:
                if entry.value == "":
                    found.clear()
                else:
                    found.append(entry)
        return found

    def value(self, section: str, key: str) -> str | None:
        found = self.values(section, key)
        return found[-1].value if found else None


def parse_unit(text: str, path: str) -> list[UnitEntry]:
    entries: list[UnitEntry] = []
    section = ""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        number = index + 1
        raw = lines[index]
        index += 1
        while raw.endswith("\\") and index < len(lines):
            raw = raw[:-1] + " " + lines[index]
            index += 1
        stripped = raw.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            continue
        key, separator, value = stripped.partition("=")
        if separator:
            entries.append(UnitEntry(section, key.strip(), value.strip(), path, number, stripped))
    return entries


class SystemdUnits:
    def __init__(self, files: DeviceFiles, data: BootData) -> None:
        self.files = files
        self.data = data
        self._units: dict[str, Unit | None] = {}

    def present(self) -> bool:
        return any(self.files.list_dir(folder) for folder in self.data.systemd_unit_dirs)

    # ---- unit files --------------------------------------------------------------------------------------

    def fragment(self, name: str) -> tuple[str, bool] | None:
        """(device path, masked) of the unit file that defines `name`; instances fall back to their
        template (`getty@ttyS0.service` -> `getty@.service`)."""
        for candidate in (name, _template(name)):
            if candidate is None:
                continue
            for folder in self.data.systemd_unit_dirs:
                path = f"{folder}/{candidate}"
                target = self.files.link_target(path)
                if target is not None and target == _MASK_TARGET:
                    return path, True
                if self.files.file(path) is not None:
                    return path, False
        return None

    def unit(self, name: str) -> Unit | None:
        if name not in self._units:
            self._units[name] = self._load(name)
        return self._units[name]

    def _load(self, name: str) -> Unit | None:
        """The unit's definition; for a masked unit, the file the mask hides (to show what it would run)."""
        path = self._definition(name)
        if path is None:
            return None
        entries = parse_unit(self.files.read_text(path) or "", path)
        names = [n for n in (_template(name), name) if n]
        for dropins in (f"{folder}/{n}.d" for n in names for folder in self.data.systemd_unit_dirs):
            for conf in self.files.glob(f"{dropins}/*.conf"):
                entries.extend(parse_unit(self.files.read_text(conf) or "", conf))
        return Unit(name, path, tuple(entries))

    def _definition(self, name: str) -> str | None:
        for candidate in (name, _template(name)):
            for folder in self.data.systemd_unit_dirs if candidate else ():
                path = f"{folder}/{candidate}"
                if self.files.link_target(path) != _MASK_TARGET and self.files.file(path) is not None:
                    return path
        return None

    def all_names(self) -> list[str]:
        names: set[str] = set()
        for folder in self.data.systemd_unit_dirs:
            for entry in self.files.list_dir(folder):
                if entry.endswith((".service", ".socket", ".target", ".timer")) and not self.files.is_dir(
                    f"{folder}/{entry}"
                ):
                    names.add(entry)
        return sorted(names)[:MAX_UNITS]

    # ---- what a boot reaches -------------------------------------------------------------------------------

    def default_target(self) -> str:
        for folder in self.data.systemd_unit_dirs:
            target = self.files.link_target(f"{folder}/default.target")
            if target is not None:
                return posixpath.basename(target)
        return self.data.systemd_default_target

    def dependencies(self, name: str) -> Iterator[tuple[str, str]]:
        """(unit, where the dependency is declared) for each unit `name` wants or requires."""
        for folder in self.data.systemd_unit_dirs:
            for suffix in (".wants", ".requires"):
                directory = f"{folder}/{name}{suffix}"
                for entry in self.files.list_dir(directory):
                    yield entry, f"{directory}/{entry}"
        unit = self.unit(name)
        if unit is None:
            return
        for key in _DEPENDENCIES:
            for declared in unit.values("Unit", key):
                for dependency in declared.value.split():
                    yield dependency, f"{declared.path}:{declared.line}"

    def reached(self) -> dict[str, str]:
        """Unit -> how the boot reaches it."""
        default = self.default_target()
        reached: dict[str, str] = {default: "default target"}
        for target in self.data.systemd_boot_targets:
            reached.setdefault(target, "boot target")
        queue = deque(reached)
        while queue and len(reached) < MAX_UNITS:
            name = queue.popleft()
            for dependency, where in self.dependencies(name):
                if dependency not in reached:
                    reached[dependency] = where
                    queue.append(dependency)
        return reached

    # ---- services -------------------------------------------------------------------------------------------

    def start_requests(self, enabled_init: bool, why_not_init: str | None) -> Iterator[StartRequest]:
        reached = self.reached()
        activated: dict[str, str] = {}
        for name, reason in reached.items():
            if name.endswith(".socket"):
                service = self._socket_service(name)
                if service is not None:
                    activated.setdefault(service, f"{reason} (socket {name})")
        templates = {n for n in self.all_names() if "@." in n}  # listed only when something starts them
        names = (set(self.all_names()) - templates) | {n for n in reached if n.endswith(".service")} | set(activated)
        for name in sorted(n for n in names if n.endswith(".service")):
            found = self.fragment(name)
            if found is None:
                continue
            where: str | None = reached.get(name) or activated.get(name)
            why: str | None = why_not_init
            if found[1]:
                why = f"masked: {found[0]} -> {_MASK_TARGET}"
            elif where is None:
                why = "not enabled: no boot target wants it (no *.wants link, no Wants=)"
            yield from self._service_requests(name, enabled_init and why is None, why, where)

    def _socket_service(self, socket: str) -> str | None:
        unit = self.unit(socket)
        if unit is None:
            return None
        named = unit.value("Socket", "Service")
        if named:
            return named
        base = socket.removesuffix(".socket")
        accept = (unit.value("Socket", "Accept") or "no").lower() in ("yes", "true", "1", "on")
        return f"{base}@.service" if accept else f"{base}.service"

    def _service_requests(self, name: str, enabled: bool, why: str | None, where: str | None) -> Iterator[StartRequest]:
        unit = self.unit(name)
        if unit is None:
            return
        environment = self._environment(unit)
        conditional = any(e.key.startswith(("Condition", "Assert")) for e in unit.entries if e.section == "Unit")
        via = (where,) if where and where not in ("default target", "boot target") else ()
        for entry in unit.values("Service", "ExecStart"):
            argv = _command_line(entry.value, environment, name)
            if argv:
                yield StartRequest(
                    tuple(argv), entry.path, entry.line, entry.text, How.SYSTEMD, enabled,
                    None if enabled else why, conditional, via,
                )  # fmt: skip

    def _environment(self, unit: Unit) -> dict[str, str]:
        environment: dict[str, str] = {}
        for entry in unit.values("Service", "EnvironmentFile"):
            path = entry.value.lstrip("-")
            for line in (self.files.read_text(path) or "").split("\n"):
                key, separator, value = line.strip().partition("=")
                if separator and key.isidentifier() and not key.startswith("#"):
                    environment[key] = value.strip().strip("\"'")
        for entry in unit.values("Service", "Environment"):
            for assignment in _split(entry.value):
                key, separator, value = assignment.partition("=")
                if separator:
                    environment[key] = value
        return environment


def _template(name: str) -> str | None:
    prefix, at, rest = name.partition("@")
    if not at or rest.startswith("."):
        return None
    return f"{prefix}@{rest[rest.rfind('.') :]}"


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _command_line(value: str, environment: dict[str, str], unit: str) -> list[str]:
    text = _EXEC_PREFIX.sub("", value)
    instance = unit.partition("@")[2].rsplit(".", 1)[0]
    specifiers = {"i": instance, "I": instance, "n": unit, "N": unit.rsplit(".", 1)[0], "p": unit.partition("@")[0]}
    text = re.sub(r"%([%iInNp])", lambda m: "%" if m.group(1) == "%" else specifiers[m.group(1)], text)
    text = re.sub(r"\$\{(\w+)\}", lambda m: shlex.quote(environment.get(m.group(1), "")), text)
    text = re.sub(r"\$(\w+)", lambda m: environment.get(m.group(1), ""), text)
    return _split(text)

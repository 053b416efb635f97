"""OpenWrt UCI configuration (`/etc/config/<name>`): sections, options and lists, with line numbers,
and the `uci get` look-up init scripts use (`dropbear.@dropbear[0].PasswordAuth`)."""

import re
import shlex
from dataclasses import dataclass

from iotbaseline.services.device_files import DeviceFiles

_SELECTOR = re.compile(r"([\w-]+)\.(?:@([\w-]+)\[(-?\d+)\]|([\w-]+))(?:\.([\w-]+))?")


@dataclass(frozen=True)
class UciOption:
    name: str
    value: str
    line: int
    text: str
    list: bool = False


@dataclass(frozen=True)
class UciSection:
    type: str
    name: str | None
    line: int
    options: tuple[UciOption, ...]
    """Options and list entries, in file order."""

    def get(self, name: str) -> UciOption | None:
        """The option; for a list, its entries joined by spaces (as `uci get` prints them)."""
        found = [option for option in self.options if option.name == name]
        if len(found) > 1 and all(option.list for option in found):
            return UciOption(name, " ".join(o.value for o in found), found[0].line, found[0].text, True)
        return found[-1] if found else None

    def values(self, name: str) -> list[str]:
        return [option.value for option in self.options if option.name == name]


@dataclass(frozen=True)
class UciConfig:
    path: str
    sections: tuple[UciSection, ...]

    def of_type(self, section_type: str) -> list[UciSection]:
        return [s for s in self.sections if s.type == section_type]

    def section(self, selector: str) -> UciSection | None:
        """`@type[index]` (negative from the end) or a section name."""
        match = re.fullmatch(r"@([\w-]+)\[(-?\d+)\]", selector)
        if match is None:
            return next((s for s in self.sections if s.name == selector), None)
        typed = self.of_type(match.group(1))
        index = int(match.group(2))
        return typed[index] if -len(typed) <= index < len(typed) else None


def parse_uci(text: str, path: str) -> UciConfig:
    sections: list[UciSection] = []
    current: tuple[str, str | None, int] | None = None
    options: list[UciOption] = []
    for number, raw in enumerate(text.split("\n"), 1):
        words = _words(raw)
        if not words:
            continue
        keyword = words[0]
        if keyword == "config" and len(words) >= 2:
            if current is not None:
                sections.append(UciSection(current[0], current[1], current[2], tuple(options)))
            current, options = (words[1], words[2] if len(words) > 2 else None, number), []
        elif keyword in ("option", "list") and len(words) >= 3 and current is not None:
            options.append(UciOption(words[1], words[2], number, raw.strip(), keyword == "list"))
    if current is not None:
        sections.append(UciSection(current[0], current[1], current[2], tuple(options)))
    return UciConfig(path, tuple(sections))


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return line.split("#", 1)[0].split()


class UciStore:
    """The default configuration of one root filesystem, read on demand."""

    def __init__(self, files: DeviceFiles) -> None:
        self.files = files
        self._configs: dict[str, UciConfig | None] = {}

    def config(self, name: str) -> UciConfig | None:
        if "/" in name:
            return None
        if name not in self._configs:
            path = f"/etc/config/{name}"
            text = self.files.read_text(path)
            self._configs[name] = parse_uci(text, path) if text is not None else None
        return self._configs[name]

    def get(self, selector: str) -> tuple[str, UciOption | None] | None:
        """`config.section.option` -> (config path, the option or None when unset); None when the
        config or section does not exist."""
        match = _SELECTOR.fullmatch(selector)
        if match is None:
            return None
        config = self.config(match.group(1))
        if config is None:
            return None
        section = config.section(f"@{match.group(2)}[{match.group(3)}]" if match.group(2) else match.group(4))
        if section is None or match.group(5) is None:
            return None
        return config.path, section.get(match.group(5))

"""Backdoors: the trigger strings of publicly documented backdoors in programs, and commands that
open a shell without login where no boot path runs them (a CGI script, a button handler, a program
that runs `telnetd -l /bin/sh` when it receives a magic packet). Commands in boot scripts are judged
by the boot model instead (the network and debug checks), which knows whether they run."""

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from iotbaseline.checks.base import MIB, Check, CheckSettings, ScannedImage
from iotbaseline.checks.hardcoded.comments import strip_comments
from iotbaseline.checks.hardcoded.patterns import default_patterns
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding
from iotbaseline.services.boot import image_readings
from iotbaseline.services.boot_data import BootData, default_boot_data
from iotbaseline.services.findings import service_finding
from iotbaseline.services.launch import strip_wrappers
from iotbaseline.services.rules import Backdoor, ServiceRules, default_rules
from iotbaseline.services.shell_access import ShellAccess, shell_without_login
from iotbaseline.shell.language import language_of
from iotbaseline.shell.syntax import parse, simple_commands

MAX_STRING = 256
MAX_COMMAND_HITS = 256
"""Strings examined per binary at most."""
_PRINTABLE_AFTER = re.compile(rb"[\x20-\x7e]{0,256}")
_COMMAND_END = re.compile(r"[\"'`);]")
"""Where a command embedded in a string of another language ends."""
_WORD_CHAR = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class _ScriptHit:
    rootfs: str | None
    path: str
    extracted_path: str
    line: int
    text: str
    access: ShellAccess


class BackdoorCheck(Check):
    id = "firmware.services.backdoor"
    version = "1"
    title = "Backdoors and shells opened without login outside the boot path"
    provisions = tuple(
        dict.fromkeys(p for k in ("backdoor", "shell-command") for p in default_rules().kind(k).provisions)
    )
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.ELF, FileKind.SCRIPT, FileKind.TEXT})
    max_file_bytes: ClassVar[int] = 8 * MIB

    def __init__(self, settings: CheckSettings | None = None) -> None:
        super().__init__(settings)
        self.rules = default_rules()
        self.boot = default_boot_data()
        self._pending: dict[str, list[_ScriptHit]] = {}
        programs = sorted({p for rule in self.rules.shells_without_login for p in rule.programs}, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, programs))
        self._program_bytes = re.compile(rb"(?<![\w.-])(?:" + alternatives.encode() + rb")(?=\s)")
        self._program_text = re.compile(r"(?<![\w.-])(?:" + alternatives + r")(?=\s)")
        self._quick = _quick_fragments(self.rules)

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._pending[image.name] = []
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        if file.type.kind is FileKind.ELF:
            yield from self._binary(image, file, content)
            return
        path = file.device_path or "/" + file.path
        text = content.decode("utf-8", "replace")
        if not self._program_text.search(text):
            return
        lines = text.split("\n")
        if _is_shell_script(path, content, self.boot):
            found = self._shell_commands(text)
        else:
            found = self._embedded_commands(path, content, text)
        for line, access in found:
            quoted = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            self._pending.setdefault(image.name, []).append(
                _ScriptHit(file.rootfs, path, file.path, line, quoted, access)
            )

    def _shell_commands(self, text: str) -> Iterator[tuple[int, ShellAccess]]:
        for command in simple_commands(parse(text)):
            access = self._access([w.literal if w.literal is not None else w.source for w in command.words])
            if access is not None:
                yield command.line, access

    def _embedded_commands(self, path: str, content: bytes, text: str) -> Iterator[tuple[int, ShellAccess]]:
        """Command strings in other languages and configs (`os.execute("telnetd -l /bin/sh")`), with
        the language's comments removed; documentation is left alone."""
        patterns = default_patterns()
        device_path = path.lstrip("/")
        language = language_of(device_path, content)
        if language is None or patterns.is_documentation(device_path):
            return
        for number, line in enumerate(strip_comments(text, language).split("\n"), 1):
            for match in self._program_text.finditer(line):
                command = _COMMAND_END.split(line[match.start() :], maxsplit=1)[0]
                for simple in simple_commands(parse(command)):
                    access = self._access([w.literal if w.literal is not None else w.source for w in simple.words])
                    if access is not None:
                        yield number, access

    def _access(self, argv: list[str]) -> ShellAccess | None:
        words = strip_wrappers(argv, self.boot)
        return shell_without_login(posixpath.basename(words[0]), words[1:], self.rules) if words else None

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        pending = self._pending.pop(image.name, [])
        if not pending:
            return
        judged = {(r.files.rootfs.path, source) for r in image_readings(image.tree) for source in r.sources}
        kind = self.rules.kind("shell-command")
        for hit in pending:
            if (hit.rootfs, hit.path) in judged:
                continue  # a boot script: the boot model decided whether this runs
            yield service_finding(
                self.id, self.version, kind,
                image=image.name, path=hit.path, line=hit.line, quoted=hit.text, extracted_path=hit.extracted_path,
                detail=f"`{hit.access.command}` in {hit.path} line {hit.line}: {hit.access.how}; no boot path runs "
                f"this script",
                discriminator=hit.access.command, evidence={"command": hit.access.command, "where": hit.access.where},
            )  # fmt: skip

    # ---- binaries -----------------------------------------------------------------------------------------------

    def _binary(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterator[Finding]:
        path = file.device_path or "/" + file.path
        for backdoor in self.rules.backdoors:
            offset = content.find(backdoor.marker)
            while offset >= 0:
                if _bounded(content, offset, offset + len(backdoor.marker)):
                    yield self._backdoor(image, file, path, offset, backdoor)
                    break
                offset = content.find(backdoor.marker, offset + 1)
        yield from self._binary_commands(image, file, path, content)

    def _backdoor(self, image: ScannedImage, file: TreeFile, path: str, offset: int, backdoor: Backdoor) -> Finding:
        cve = f" ({backdoor.cve})" if backdoor.cve else ""
        return service_finding(
            self.id, self.version, self.rules.kind("backdoor"),
            image=image.name, path=path, line=None, quoted=backdoor.marker.decode(), extracted_path=file.path,
            offset=offset, detail=f"{path} holds `{backdoor.marker.decode()}`, the {backdoor.name}{cve}: "
            f"{backdoor.reference}",
            discriminator=backdoor.name,
            evidence={"backdoor": backdoor.name, "vendor": backdoor.vendor, "cve": backdoor.cve, "offset": hex(offset)},
        )  # fmt: skip

    def _binary_commands(self, image: ScannedImage, file: TreeFile, path: str, content: bytes) -> Iterator[Finding]:
        if not any(fragment in content for fragment in self._quick):
            return
        end, tried = 0, 0
        for match in self._program_bytes.finditer(content):
            if match.start() < end:
                continue
            tried += 1
            if tried > MAX_COMMAND_HITS:
                return
            start = _printable_start(content, match.start())
            after = _PRINTABLE_AFTER.match(content, match.end())
            end = after.end() if after is not None else match.end()
            text = content[start:end].decode("ascii")
            for command in simple_commands(parse(text)):
                access = self._access([w.literal if w.literal is not None else w.source for w in command.words])
                if access is None:
                    continue
                yield service_finding(
                    self.id, self.version, self.rules.kind("shell-command"),
                    image=image.name, path=path, line=None, quoted=text, extracted_path=file.path, offset=start,
                    detail=f"{path} runs `{access.command}`: {access.how}",
                    discriminator=access.command,
                    evidence={"command": access.command, "where": access.where, "string": text[:160],
                              "offset": hex(start)},
                )  # fmt: skip
                break


def _quick_fragments(rules: ServiceRules) -> tuple[bytes, ...]:
    """Substrings a binary must hold before its strings are parsed: `telnetd -`, `getty -`, `socat`
    (a few memory scans per binary instead of a slow regular-expression pass over all of it)."""
    fragments = set()
    for rule in rules.shells_without_login:
        for program in rule.programs:
            fragments.add(program if rule.address_prefixes else f"{program} -")
    minimal = {f for f in fragments if not any(other != f and other in f for other in fragments)}
    return tuple(sorted(f.encode() for f in minimal))


def _is_shell_script(path: str, content: bytes, boot: BootData) -> bool:
    if content.startswith(b"#!"):
        interpreter = content[2:128].split(b"\n", 1)[0].split()
        return bool(interpreter) and posixpath.basename(interpreter[0].decode("latin-1")) in boot.shells
    return path.endswith((".sh", ".cgi")) or any(path.startswith(d + "/") for d in boot.init_script_dirs)


def _bounded(data: bytes, start: int, end: int) -> bool:
    before = data[start - 1] if start > 0 else 0
    after = data[end] if end < len(data) else 0
    return before not in _WORD_CHAR and after not in _WORD_CHAR


def _printable_start(data: bytes, position: int) -> int:
    start, limit = position, max(0, position - MAX_STRING)
    while start > limit and 0x20 <= data[start - 1] <= 0x7E:
        start -= 1
    return start

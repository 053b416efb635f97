"""What one ELF says about its exploit mitigations: NX, PIE, RELRO, stack canary, FORTIFY_SOURCE,
symbols, library search paths, dangerous imports, whether it receives network input.

Every mitigation is PRESENT, ABSENT, UNKNOWN (the binary does not say) or NOT_APPLICABLE (it means
nothing for this object or platform), so that a report never counts as missing what could not be
seen. The reasons for the last two are in `notes`. Nothing here raises on a malformed file: an
unreadable ELF gives `error` and UNKNOWN everywhere.
"""

import stat
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from iotbaseline.firmware.filetype import classify
from iotbaseline.hardening.elf_reader import PF_X, ElfFacts, ElfFormatError, read_elf
from iotbaseline.hardening.rules import HardeningRules, Mitigation, default_rules
from iotbaseline.hardening.source import ElfSource

ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
DF_BIND_NOW = 0x8
DF_1_NOW, DF_1_PIE = 0x1, 0x08000000
_KERNEL_ENTRY = {32: 0x8000_0000, 64: 0xFFFF_0000_0000_0000}
"""Entry points at or above these are in kernel space: a vmlinux, not a program."""


class Role(StrEnum):
    PROGRAM = "program"
    LIBRARY = "library"
    RELOCATABLE = "relocatable"
    """Object files and kernel modules: no process of their own."""
    KERNEL = "kernel"
    OTHER = "other"


class Relro(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True)
class ElfProperties:
    arch: str
    bits: int
    endian: str
    elf_type: str
    role: Role
    linking: str
    """`dynamic`, `static` or `static-pie`."""
    libc: str | None
    nx: Mitigation
    pie: Mitigation
    relro: Relro
    canary: Mitigation
    fortify: Mitigation
    fortified_functions: int
    """Checked (`__*_chk`) functions the object calls."""
    stripped: bool
    needed: tuple[str, ...]
    soname: str | None
    rpath: tuple[str, ...]
    runpath: tuple[str, ...]
    dangerous_functions: tuple[str, ...]
    network_functions: tuple[str, ...]
    network_facing: bool
    """A program that receives connections or datagrams (see `network_functions` in the rules)."""
    setuid: bool = False
    setgid: bool = False
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    error: str | None = None

    @property
    def analysed(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, object]:
        return {
            "arch": self.arch,
            "bits": self.bits,
            "role": self.role.value,
            "linking": self.linking,
            "libc": self.libc,
            "nx": self.nx.value,
            "pie": self.pie.value,
            "relro": self.relro.value,
            "canary": self.canary.value,
            "fortify": self.fortify.value,
            "stripped": self.stripped,
            "rpath": list(self.rpath),
            "runpath": list(self.runpath),
            "dangerous_functions": list(self.dangerous_functions),
            "network_functions": list(self.network_functions),
            "setuid": self.setuid,
            "setgid": self.setgid,
            "notes": list(self.notes),
        }


def elf_properties(
    source: ElfSource,
    mode: int | None = None,
    libc_hint: str | None = None,
    rules: HardeningRules | None = None,
) -> ElfProperties:
    """The properties of the ELF in `source`. `mode` is the file's mode in the image (for the set-ID
    bits); `libc_hint` the image's C library, for objects that do not name theirs."""
    rules = rules or default_rules()
    head = source.read(0, 64)
    detail = classify(head, source.size).detail
    arch = str(detail.get("arch", "unknown"))
    setuid = bool(mode is not None and mode & stat.S_ISUID)
    setgid = bool(mode is not None and mode & stat.S_ISGID)
    try:
        facts = read_elf(source, exported_names=rules.canary_symbols)
    except (ElfFormatError, struct.error, OSError, ValueError, IndexError, OverflowError) as error:
        return _unreadable(arch, detail, setuid, setgid, str(error) or type(error).__name__)
    return _Interpretation(facts, arch, rules, libc_hint).properties(setuid, setgid)


def _unreadable(arch: str, detail: dict[str, str | int], setuid: bool, setgid: bool, error: str) -> ElfProperties:
    unknown = Mitigation.UNKNOWN
    return ElfProperties(
        arch=arch,
        bits=int(detail.get("bits", 0)),
        endian=str(detail.get("endian", "unknown")),
        elf_type=str(detail.get("elf_type", "unknown")),
        role=Role.OTHER,
        linking="unknown",
        libc=None,
        nx=unknown,
        pie=unknown,
        relro=Relro.UNKNOWN,
        canary=unknown,
        fortify=unknown,
        fortified_functions=0,
        stripped=False,
        needed=(),
        soname=None,
        rpath=(),
        runpath=(),
        dangerous_functions=(),
        network_functions=(),
        network_facing=False,
        setuid=setuid,
        setgid=setgid,
        error=error,
    )


_ELF_TYPES = {ET_REL: "relocatable", ET_EXEC: "executable", ET_DYN: "shared-object", 4: "core"}


class _Interpretation:
    def __init__(self, facts: ElfFacts, arch: str, rules: HardeningRules, libc_hint: str | None) -> None:
        self.facts = facts
        self.arch = arch
        self.rules = rules
        self.notes: list[str] = []
        self.role = self._role()
        self.libc = (
            rules.libc_of_interpreter(facts.interpreter or "")
            or rules.libc_of_needed(facts.dynamic.needed)
            or libc_hint
        )
        self.symbols, self.imports = self._symbols()

    def properties(self, setuid: bool, setgid: bool) -> ElfProperties:
        facts = self.facts
        applies = self.role in (Role.PROGRAM, Role.LIBRARY)
        dangerous = self._matching(self.rules.dangerous_functions.keys())
        network = self._matching(self.rules.network_functions)
        # FORTIFY_SOURCE calls checked variants named __<name>_chk.
        fortified = [n for n in self.imports if n.endswith("_chk") and n.startswith("__")]
        return ElfProperties(
            arch=self.arch,
            bits=facts.bits,
            endian="little" if facts.little_endian else "big",
            elf_type=_ELF_TYPES.get(facts.elf_type, f"type-{facts.elf_type}"),
            role=self.role,
            linking=self._linking(),
            libc=self.libc,
            nx=self._nx() if applies else Mitigation.NOT_APPLICABLE,
            pie=self._pie(),
            relro=self._relro() if applies else Relro.NOT_APPLICABLE,
            canary=self._canary() if applies or self.role is Role.RELOCATABLE else Mitigation.NOT_APPLICABLE,
            fortify=self._fortify(fortified) if applies or self.role is Role.RELOCATABLE else Mitigation.NOT_APPLICABLE,
            fortified_functions=len(fortified),
            stripped=not facts.has_symtab,
            needed=facts.dynamic.needed,
            soname=facts.dynamic.soname,
            rpath=_search_path(facts.dynamic.rpath),
            runpath=_search_path(facts.dynamic.runpath),
            dangerous_functions=dangerous,
            network_functions=network,
            network_facing=self.role is Role.PROGRAM and bool(network),
            setuid=setuid,
            setgid=setgid,
            notes=tuple(self.notes),
            problems=facts.problems,
        )

    def _role(self) -> Role:
        facts = self.facts
        if facts.elf_type == ET_REL:
            return Role.RELOCATABLE
        if facts.elf_type == ET_EXEC:
            if not facts.has_dynamic and facts.interpreter is None and facts.entry >= _KERNEL_ENTRY[facts.bits]:
                return Role.KERNEL
            return Role.PROGRAM
        if facts.elf_type == ET_DYN:
            pie_flag = bool(facts.dynamic.flags_1 & DF_1_PIE)
            if pie_flag or (facts.interpreter is not None and facts.dynamic.soname is None):
                return Role.PROGRAM
            return Role.LIBRARY
        return Role.OTHER

    def _linking(self) -> str:
        if self.facts.interpreter is not None or self.facts.dynamic.needed:
            return "dynamic"
        return "static-pie" if self.facts.elf_type == ET_DYN and self.role is Role.PROGRAM else "static"

    def _symbols(self) -> tuple[frozenset[str] | None, frozenset[str]]:
        """All symbol names the object shows (None: none readable) and those it imports."""
        facts = self.facts
        if facts.dynamic_symbols_read:
            return facts.imports | facts.exports, facts.imports
        if facts.static_symbols is not None:
            return facts.static_symbols, facts.static_symbols
        return None, frozenset()

    def _matching(self, names: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(self.imports.intersection(names)))

    def _nx(self) -> Mitigation:
        flags = self.facts.stack_flags
        if flags is not None and not flags & PF_X:
            return Mitigation.PRESENT
        rule = self.rules.architectures.get(self.arch)
        if rule is not None:
            meaning = rule.unmarked_stack if flags is None and rule.unmarked_stack else rule.executable_stack
            if meaning is not None:
                self.notes.append(
                    f"NX not judged: {rule.why}" if meaning is Mitigation.NOT_APPLICABLE else f"NX: {rule.why}"
                )
                return meaning
        return Mitigation.ABSENT

    def _pie(self) -> Mitigation:
        if self.role is not Role.PROGRAM:
            return Mitigation.NOT_APPLICABLE
        return Mitigation.PRESENT if self.facts.elf_type == ET_DYN else Mitigation.ABSENT

    def _relro(self) -> Relro:
        facts = self.facts
        if not facts.has_relro:
            return Relro.NONE
        dynamic = facts.dynamic
        if dynamic.bind_now or dynamic.flags & DF_BIND_NOW or dynamic.flags_1 & DF_1_NOW:
            return Relro.FULL
        return Relro.PARTIAL

    def _canary(self) -> Mitigation:
        if self.symbols is None:
            self.notes.append("stack canary unknown: a stripped static binary has no symbol names to look at")
            return Mitigation.UNKNOWN
        return Mitigation.PRESENT if self.symbols & self.rules.canary_symbols else Mitigation.ABSENT

    def _fortify(self, fortified: list[str]) -> Mitigation:
        if self.symbols is None:
            self.notes.append("FORTIFY_SOURCE unknown: a stripped static binary has no symbol names to look at")
            return Mitigation.UNKNOWN
        if fortified:
            return Mitigation.PRESENT
        if self.libc is not None and self.libc not in self.rules.fortify_visible_with:
            self.notes.append(
                f"FORTIFY_SOURCE unknown: {self.libc} has no checked functions, so its use leaves no trace"
            )
            return Mitigation.UNKNOWN
        if self.imports & self.rules.fortifiable:
            return Mitigation.ABSENT
        return Mitigation.NOT_APPLICABLE


def _search_path(value: str | None) -> tuple[str, ...]:
    """RPATH/RUNPATH entries in order; an empty entry (`a::b`, a leading or trailing colon) stays, as
    the dynamic linker reads it as the current directory."""
    return () if value is None else tuple(value.split(":"))

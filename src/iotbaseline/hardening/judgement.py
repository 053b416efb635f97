"""What one binary of an image lacks, and which of its weaknesses are decisive.

Only what the binary shows counts against it: UNKNOWN and NOT_APPLICABLE are never "lacking".
Decisive (a FAIL, not a hint): a network-facing program that copies or formats without a bound
(strcpy, sprintf, gets, ...) with neither a stack canary nor a non-executable stack in its way,
since then a single overflow from the network is code execution; a library search path anyone can
write to; a set-ID bit on a program that hands out a root shell.
"""

from dataclasses import dataclass
from pathlib import PurePosixPath

from iotbaseline.hardening.elf_properties import ElfProperties, Relro, Role
from iotbaseline.hardening.rules import HardeningRules, Mitigation

ORIGIN_PREFIXES = ("$ORIGIN", "${ORIGIN}")


@dataclass(frozen=True)
class Binary:
    """One examined ELF of an image."""

    path: str
    """On the device (`/usr/sbin/httpd`), or in the output folder when outside a root filesystem."""
    extracted_path: str
    sha256: str
    properties: ElfProperties
    drops_privileges: bool | None = None
    """For a set-ID multi-call binary: whether it gives up root for applets that do not need it."""

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def counted(self) -> bool:
        """Programs and libraries: what mitigations are about."""
        return self.properties.analysed and self.properties.role in (Role.PROGRAM, Role.LIBRARY)


def lacks(properties: ElfProperties) -> tuple[str, ...]:
    """The mitigations the binary shows it is built without, as weight keys of the rules."""
    missing = []
    if properties.nx is Mitigation.ABSENT:
        missing.append("no-nx")
    if properties.canary is Mitigation.ABSENT:
        missing.append("no-canary")
    if properties.pie is Mitigation.ABSENT:
        missing.append("no-pie")
    if properties.relro is Relro.NONE:
        missing.append("no-relro")
    elif properties.relro is Relro.PARTIAL:
        missing.append("partial-relro")
    if properties.fortify is Mitigation.ABSENT:
        missing.append("no-fortify")
    return tuple(missing)


def writable_search_paths(properties: ElfProperties, rules: HardeningRules) -> tuple[str, ...]:
    """RPATH/RUNPATH entries that lead to a folder others can write: empty (the current directory),
    relative (to the current directory) or under a writable place such as /tmp."""
    found = []
    for entry in (*properties.rpath, *properties.runpath):
        if entry.startswith(ORIGIN_PREFIXES):
            continue
        if not entry.startswith("/"):
            found.append(entry)
            continue
        normal = "/" + "/".join(p for p in entry.split("/") if p and p != ".")
        if any(normal == place or normal.startswith(place + "/") for place in rules.writable_paths):
            found.append(entry)
    return tuple(dict.fromkeys(found))


def unbounded_functions(properties: ElfProperties, rules: HardeningRules) -> tuple[str, ...]:
    return tuple(n for n in properties.dangerous_functions if rules.dangerous_functions[n].kind == "memory")


def overflow_is_decisive(properties: ElfProperties, rules: HardeningRules) -> bool:
    """A network-facing program with an unbounded copy and nothing between an overflow and code
    execution. NX counts as missing on MIPS too, where the stack is executable in practice."""
    return (
        properties.network_facing
        and bool(unbounded_functions(properties, rules))
        and properties.canary is Mitigation.ABSENT
        and properties.nx in (Mitigation.ABSENT, Mitigation.NOT_APPLICABLE)
    )


def set_id_grants_root_shell(binary: Binary, rules: HardeningRules) -> bool:
    if binary.name not in rules.setuid_escalation:
        return False
    return binary.drops_privileges is not True


def score(binary: Binary, rules: HardeningRules) -> int:
    """How badly the binary is built, for ranking the worst offenders of an image."""
    properties = binary.properties
    weights = rules.weights
    total = sum(weights[key] for key in lacks(properties))
    total += weights["dangerous-function"] * min(len(properties.dangerous_functions), 3)
    if writable_search_paths(properties, rules):
        total += weights["writable-rpath"]
    if properties.setuid or properties.setgid:
        total += weights["setuid"]
    return total * rules.network_factor if properties.network_facing else total

"""The hardening of one image in numbers: per group of binaries, how many lack each mitigation,
how many could not be judged, and the worst offenders with what they lack."""

from collections import Counter
from dataclasses import dataclass

from iotbaseline.hardening.elf_properties import ElfProperties, Relro, Role
from iotbaseline.hardening.judgement import Binary, lacks, score, writable_search_paths
from iotbaseline.hardening.rules import HardeningRules, Mitigation

BUILD_FLAGS = (
    "Build with -fstack-protector-strong, -D_FORTIFY_SOURCE=2 (at -O1 or above), -fPIE -pie, "
    "-Wl,-z,relro,-z,now and -Wl,-z,noexecstack; Buildroot (BR2_SSP_STRONG, BR2_FORTIFY_SOURCE_2, "
    "BR2_PIC_PIE, BR2_RELRO_FULL) and OpenWrt (PKG_CC_STACKPROTECTOR_*, PKG_FORTIFY_SOURCE_*, "
    "PKG_ASLR_PIE, PKG_RELRO_FULL) have an option for each."
)

GROUPS = ("network-facing programs", "other programs", "libraries")
MITIGATIONS = ("nx", "canary", "pie", "relro", "fortify")


@dataclass(frozen=True)
class GroupCounts:
    binaries: int
    lacking: dict[str, int]
    """Weight key (`no-nx`, `partial-relro`, ...) -> binaries lacking it."""
    unknown: dict[str, int]
    """Mitigation -> binaries where it could not be judged."""
    not_applicable: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        return {
            "binaries": self.binaries,
            "lacking": self.lacking,
            "unknown": self.unknown,
            "not_applicable": self.not_applicable,
        }


@dataclass(frozen=True)
class Offender:
    path: str
    score: int
    network_facing: bool
    lacks: tuple[str, ...]
    dangerous_functions: tuple[str, ...]
    writable_search_paths: tuple[str, ...]
    set_id: bool

    def describe(self) -> str:
        parts = [*self.lacks]
        if self.dangerous_functions:
            parts.append("imports " + ", ".join(self.dangerous_functions))
        if self.writable_search_paths:
            parts.append("writable library path " + ":".join(self.writable_search_paths))
        if self.set_id:
            parts.append("set-ID")
        where = " (network-facing)" if self.network_facing else ""
        return f"{self.path}{where}: {'; '.join(parts)}"

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "score": self.score,
            "network_facing": self.network_facing,
            "lacks": list(self.lacks),
            "dangerous_functions": list(self.dangerous_functions),
            "writable_search_paths": list(self.writable_search_paths),
            "set_id": self.set_id,
        }


@dataclass(frozen=True)
class HardeningSummary:
    examined: int
    """ELF files read."""
    groups: dict[str, GroupCounts]
    skipped: dict[str, int]
    """Why ELF files were not counted (kernel, relocatable, unreadable, not a Linux program) -> how many."""
    stripped: int
    set_id: int
    with_search_path: int
    notes: dict[str, int]
    """Why a mitigation was unknown or not applicable -> binaries concerned."""
    worst: tuple[Offender, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "examined": self.examined,
            "groups": {name: group.to_dict() for name, group in self.groups.items()},
            "skipped": self.skipped,
            "stripped": self.stripped,
            "set_id": self.set_id,
            "with_search_path": self.with_search_path,
            "notes": self.notes,
            "worst_offenders": [o.to_dict() for o in self.worst],
        }


def group_of(properties: ElfProperties) -> str:
    if properties.role is Role.LIBRARY:
        return GROUPS[2]
    return GROUPS[0] if properties.network_facing else GROUPS[1]


def summarise(binaries: list[Binary], skipped: Counter[str], rules: HardeningRules) -> HardeningSummary:
    counted = [b for b in binaries if b.counted]
    skipped = skipped.copy()
    for binary in binaries:
        if not binary.counted:
            skipped["unreadable" if binary.properties.error else binary.properties.role.value] += 1
    groups = {name: _group([b.properties for b in counted if group_of(b.properties) == name]) for name in GROUPS}
    notes: Counter[str] = Counter(note for b in counted for note in b.properties.notes)
    ranked = sorted(((score(b, rules), b) for b in counted), key=lambda pair: (-pair[0], pair[1].path))
    worst = tuple(_offender(b, s, rules) for s, b in ranked[: rules.worst_offenders] if s > 0)
    return HardeningSummary(
        examined=len(binaries),
        groups=groups,
        skipped=dict(sorted(skipped.items())),
        stripped=sum(1 for b in counted if b.properties.stripped),
        set_id=sum(1 for b in binaries if b.properties.setuid or b.properties.setgid),
        with_search_path=sum(1 for b in counted if b.properties.rpath or b.properties.runpath),
        notes=dict(notes.most_common()),
        worst=worst,
    )


def _group(members: list[ElfProperties]) -> GroupCounts:
    lacking: Counter[str] = Counter(key for p in members for key in lacks(p))
    unknown: Counter[str] = Counter()
    not_applicable: Counter[str] = Counter()
    for properties in members:
        for name in MITIGATIONS:
            value = getattr(properties, name)
            if value in (Mitigation.UNKNOWN, Relro.UNKNOWN):
                unknown[name] += 1
            elif value in (Mitigation.NOT_APPLICABLE, Relro.NOT_APPLICABLE):
                not_applicable[name] += 1
    return GroupCounts(len(members), dict(sorted(lacking.items())), dict(unknown), dict(not_applicable))


def _offender(binary: Binary, points: int, rules: HardeningRules) -> Offender:
    properties = binary.properties
    return Offender(
        path=binary.path,
        score=points,
        network_facing=properties.network_facing,
        lacks=lacks(properties),
        dangerous_functions=properties.dangerous_functions,
        writable_search_paths=writable_search_paths(properties, rules),
        set_id=properties.setuid or properties.setgid,
    )


def summary_text(summary: HardeningSummary) -> str:
    groups = summary.groups
    counts = ", ".join(f"{groups[name].binaries} {name}" for name in GROUPS)
    lines = [f"{summary.examined} ELF files examined: {counts}."]
    for name in GROUPS:
        group = groups[name]
        if group.binaries and group.lacking:
            lacking = ", ".join(f"{key} {count}" for key, count in group.lacking.items())
            lines.append(f"{name.capitalize()} lacking a mitigation: {lacking}.")
    if summary.skipped:
        lines.append("Not counted: " + ", ".join(f"{n} {why}" for why, n in summary.skipped.items()) + ".")
    for note, count in summary.notes.items():
        lines.append(f"{note} ({count} {'binary' if count == 1 else 'binaries'}).")
    if summary.worst:
        lines.append("Worst offenders: " + " | ".join(o.describe() for o in summary.worst) + ".")
    lines.append(
        "Compiler hardening is supporting evidence for a secure development process (5.6-9) and for "
        f"exploit mitigation (CRA Annex I 2(k)), not proof either way. {BUILD_FLAGS}"
    )
    return " ".join(lines)

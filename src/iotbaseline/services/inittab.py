"""`/etc/inittab` in its two dialects. BusyBox (and OpenWrt's procd): `tty::action:process`, the
first field is the terminal the process runs on. SysV init: `id:runlevels:action:process`, with an
`initdefault` line naming the runlevel the system boots into."""

import shlex
from dataclasses import dataclass

# Actions that run a process while the system boots or runs (not at shutdown or on a key press).
BOOT_ACTIONS = frozenset(
    {
        "sysinit",
        "wait",
        "once",
        "respawn",
        "askfirst",
        "askconsole",
        "askconsolelate",
        "respawnlate",
        "boot",
        "bootwait",
    }
)
# SysV actions that ignore the runlevel field.
ANY_RUNLEVEL = frozenset({"sysinit", "boot", "bootwait"})


@dataclass(frozen=True)
class InittabEntry:
    line: int
    text: str
    first: str
    """BusyBox: the terminal ('' is the console); SysV: the entry's id."""
    runlevels: str
    action: str
    process: str


@dataclass(frozen=True)
class Inittab:
    entries: tuple[InittabEntry, ...]
    default_runlevel: str | None
    """SysV only: the `initdefault` runlevel; None for BusyBox's dialect."""

    @property
    def sysv(self) -> bool:
        return self.default_runlevel is not None


def parse_inittab(text: str) -> Inittab:
    entries: list[InittabEntry] = []
    default: str | None = None
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = stripped.split(":", 3)
        if len(fields) < 4:
            continue
        first, runlevels, action, process = (f.strip() for f in fields)
        if action == "initdefault":
            default = runlevels[:1] or None
            continue
        entries.append(InittabEntry(number, stripped, first, runlevels, action, process.split("#", 1)[0].strip()))
    return Inittab(tuple(entries), default)


def runs_at_boot(entry: InittabEntry, inittab: Inittab) -> str | None:
    """None when the entry runs while the system boots or runs; else why it does not."""
    if entry.action == "off":
        return f"action 'off' at line {entry.line}"
    if entry.action not in BOOT_ACTIONS:
        return f"action '{entry.action}' runs only on shutdown, restart or a key press"
    if not entry.process:
        return "no process given"
    level = inittab.default_runlevel
    if level is not None and entry.action not in ANY_RUNLEVEL and entry.runlevels and level not in entry.runlevels:
        return f"runlevels '{entry.runlevels}' do not include the default runlevel {level}"
    return None


def process_words(entry: InittabEntry) -> tuple[list[str], bool]:
    """The process as words, and whether it was marked as a login shell (a leading `-`, BusyBox)."""
    process = entry.process
    login = process.startswith("-")
    if login:
        process = process[1:]
    try:
        return shlex.split(process), login
    except ValueError:
        return process.split(), login


def terminal(entry: InittabEntry, inittab: Inittab, words: list[str]) -> str:
    """The terminal the process runs on: the first field for BusyBox, a getty's tty argument for SysV."""
    if not inittab.sysv:
        return entry.first
    ttys = [w for w in words[1:] if w.startswith(("tty", "console", "/dev/"))]
    return ttys[0] if ttys else ""

"""What the boot model produces: one BootService per program the init system would start (or would
have started, had it not been disabled), with where that was decided."""

from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath


class How(StrEnum):
    """The mechanism that starts the program."""

    INITTAB = "inittab"
    RCS = "rcS"
    SYSV = "sysv"
    PROCD = "procd"
    SYSTEMD = "systemd"
    INETD = "inetd"
    CRON = "cron"


@dataclass(frozen=True)
class BootService:
    name: str
    """What the program is known as: the BusyBox applet or the file name (`telnetd`, `dropbear`)."""
    program: str
    """Its device path when found in the root filesystem (`/usr/sbin/telnetd`), else the word as written."""
    argv: tuple[str, ...]
    """The command line as far as static reading can tell: variables set in the script are expanded,
    unknown ones stay as written (`$args`)."""
    source: str
    """Device path of the file that starts it (`/etc/init.d/rcS`, `/etc/inittab`, a unit file)."""
    line: int | None
    how: How
    enabled: bool
    why_disabled: str | None = None
    conditional: bool = False
    """Started only when a condition the static reading cannot decide holds (`[ -f x ] && telnetd`)."""
    text: str = ""
    """The line as written in `source`, for evidence."""
    via: tuple[str, ...] = ()
    """The chain that leads to `source` (`/etc/inittab:3`, `/etc/init.d/rcS:14`), outermost first."""
    assignments: tuple[tuple[str, str, str, int], ...] = ()
    """Variables used to expand argv: (name, value, device path, line), for evidence."""
    tty: str = ""
    """For inittab entries: the terminal the process runs on ('' is the console)."""

    @property
    def words(self) -> tuple[str, ...]:
        """The arguments after the program name."""
        return self.argv[1:]

    @property
    def basename(self) -> str:
        return PurePosixPath(self.program).name or self.name


@dataclass(frozen=True)
class StartRequest:
    """A command line an init mechanism runs, before it is resolved into a program (or a script to
    read in turn)."""

    argv: tuple[str, ...]
    source: str
    line: int | None
    text: str
    how: How
    enabled: bool = True
    why_disabled: str | None = None
    conditional: bool = False
    via: tuple[str, ...] = ()
    tty: str = ""
    assignments: tuple[tuple[str, str, str, int], ...] = ()

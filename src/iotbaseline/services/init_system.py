"""Which init program the device runs as PID 1, from where /sbin/init leads: it decides which boot
configuration counts (systemd does not read /etc/inittab; BusyBox init does not read units)."""

import posixpath
from dataclasses import dataclass
from enum import StrEnum

from iotbaseline.services.device_files import DeviceFiles

MAX_HOPS = 16


class InitKind(StrEnum):
    BUSYBOX = "BusyBox init"
    SYSVINIT = "SysV init"
    PROCD = "OpenWrt procd"
    SYSTEMD = "systemd"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class InitSystem:
    kind: InitKind
    evidence: str


def detect_init(files: DeviceFiles) -> InitSystem:
    chain = _link_chain(files, "/sbin/init")
    final = chain[-1]
    shown = " -> ".join(chain)
    if "systemd" in final:
        return InitSystem(InitKind.SYSTEMD, shown)
    if posixpath.basename(final) == "busybox":
        return InitSystem(InitKind.BUSYBOX, shown)
    if files.exists("/sbin/procd"):
        return InitSystem(InitKind.PROCD, "/sbin/procd is present")
    inittab = files.read_text("/etc/inittab")
    if files.file("/sbin/init") is not None and inittab is not None:
        sysv = any(":initdefault:" in line for line in inittab.split("\n") if not line.lstrip().startswith("#"))
        if sysv:
            return InitSystem(InitKind.SYSVINIT, "/etc/inittab names an initdefault runlevel")
    if files.file("/sbin/init") is None and files.file("/lib/systemd/systemd") is not None:
        return InitSystem(InitKind.SYSTEMD, "/lib/systemd/systemd is present and /sbin/init is not")
    return InitSystem(InitKind.UNKNOWN, f"{shown} does not say which init it is")


def _link_chain(files: DeviceFiles, path: str) -> list[str]:
    chain = [path]
    for _ in range(MAX_HOPS):
        target = files.link_target(chain[-1])
        if target is None:
            break
        if not target.startswith("/"):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(chain[-1]), target))
        chain.append(target)
    real = files.real_path(chain[-1])
    if real is not None and real != chain[-1]:
        chain.append(real)  # a folder on the way was a link (/sbin -> usr/sbin)
    return chain

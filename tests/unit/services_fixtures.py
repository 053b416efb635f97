"""Tiny root filesystems for the service tests, indexed the way an extraction indexes them
(secure_walk + indexer), so links, modes and device paths behave as in a real image."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from iotbaseline.checks.base import Check, Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.firmware.extract import ExtractionResult
from iotbaseline.firmware.indexer import build_tree
from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.secure_walk import walk_output
from iotbaseline.firmware.tree import FirmwareTree
from iotbaseline.model import Finding, Outcome
from iotbaseline.services.boot import BootReading, read_boot
from tests.corpus.model import Feature

ROOTFS = "fw.bin_extract"
BUSYBOX_APPLETS = ("bin/sh", "bin/ash", "sbin/init", "sbin/getty", "usr/sbin/telnetd", "usr/sbin/httpd", "sbin/syslogd")


@dataclass(frozen=True)
class Link:
    target: str
    """As on the device: absolute (`/dev/null`) or relative (`../init.d/x`)."""


Content = str | bytes | Link


def make_tree(tmp_path: Path, files: Mapping[str, Content], modes: Mapping[str, int] | None = None) -> FirmwareTree:
    """A BusyBox root filesystem holding `files` (device paths without the leading /)."""
    out = tmp_path / "out"
    root = out / ROOTFS
    base: dict[str, Content] = {
        "bin/busybox": b"\x7fELF\x01\x01\x01" + bytes(64),
        "etc/passwd": "root:x:0:0::/root:/bin/sh\n",
    }
    base.update({applet: Link("/bin/busybox") for applet in BUSYBOX_APPLETS})
    base.update(files)
    for name, content in base.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            path.symlink_to(_relative_target(name, content.target))
            continue
        data = content.encode() if isinstance(content, str) else content
        path.write_bytes(data)
        default = 0o755 if data.startswith((b"#!", b"\x7fELF")) or name.startswith("etc/init.d/") else 0o644
        path.chmod((modes or {}).get(name, default))
    walk = walk_output(out)
    return build_tree(out, walk.entries, [], tmp_path / "fw.bin")


def _relative_target(name: str, target: str) -> str:
    """Absolute targets are stored relative to the root filesystem, as unblob rewrites them."""
    if not target.startswith("/"):
        return target
    depth = len(PurePosixPath(name).parts) - 1
    return "/".join([".."] * depth + [target.lstrip("/")]) if depth else target.lstrip("/")


def rootfs(tree: FirmwareTree) -> RootFilesystem:
    [found] = [r for r in tree.rootfs if r.path == ROOTFS]
    return found


def boot(tmp_path: Path, files: Mapping[str, Content], modes: Mapping[str, int] | None = None) -> BootReading:
    tree = make_tree(tmp_path, files, modes)
    return read_boot(tree, rootfs(tree))


def scan(check: Check, tmp_path: Path, files: Mapping[str, Content]) -> list[Finding]:
    """All findings of `check` on the tree, run as a scan runs it."""
    tree = make_tree(tmp_path, files)
    result = ExtractionResult(tmp_path / "fw.bin", 1, "00", tmp_path / "out", tree, [], [], [], 0.1, 0, 1)
    findings, runs = run_checks([check], [ScannedImage("fw.bin", result)], frozenset({Need.FIRMWARE}))
    assert [run.status for run in runs] == ["ran"], runs
    return findings


def fails(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.outcome is Outcome.FAIL]


INITTAB = "::sysinit:/etc/init.d/rcS\nttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100\n::shutdown:/bin/umount -a -r\n"
RCS_LOOP = '#!/bin/sh\nmount -a\nfor i in /etc/init.d/S??*; do\n    [ -x "$i" ] || continue\n    "$i" start\ndone\n'


SKEL = Path(__file__).resolve().parents[1] / "corpus" / "skel"


def skel(path: str) -> str:
    """A file of the corpus skeleton (`base/etc/inittab`), as the corpus images carry it."""
    return (SKEL / path).read_text()


def template(feature: Feature, index: int = 0) -> str:
    """The text a corpus feature writes (its template from skel/extras)."""
    return (SKEL / "extras" / feature.edits[index].template).read_text()

"""ext2/3/4 handler: unblob's detection and debugfs `rdump`, with the modes read from the inodes.

`rdump` sets each file's mode from the inode's 0777 bits only: `/bin/busybox` 04755 becomes
0755, and the hardening check could not see a set-user-ID program. After the dump, the same
debugfs lists every folder the dump wrote (`ls -p`: inode, mode, owner and name, separated by
slashes, which an ext name cannot contain) in one run, commands on standard input, and the
modes it gives are returned as the declared modes (see declared_modes).

debugfs echoes each command before its output; a name with a line break could forge an echo or
an entry line, so a dump holding such a name is not listed (and that is reported).
"""

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

from unblob.handlers.filesystem import extfs
from unblob.models import Handler
from unblob.report import Report

from iotbaseline.firmware.declared_modes import DeclaredModesReport, ModeListingExtractor, modes_not_listed

DEBUGFS = "debugfs"
LIST_TIMEOUT_SECONDS = 300.0
_ECHO = b"debugfs: "
_STDERR_EXCERPT = 300


def list_modes(image: Path, outdir: Path) -> list[Report]:
    """The inode modes of everything `rdump` wrote to `outdir`, by path relative to it."""
    folders = _dumped_folders(outdir)
    if folders is None:
        return [modes_not_listed("a name in the file system holds a line break")]
    commands = [b'ls -p "/' + os.fsencode(folder).replace(b'"', b'""') + b'"' for folder in folders]
    try:
        done = subprocess.run(
            [DEBUGFS, "-f", "-", str(image)],
            input=b"\n".join(commands) + b"\n",
            capture_output=True,
            timeout=LIST_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return [modes_not_listed(f"{DEBUGFS}: {error}")]
    if done.returncode != 0:
        return [modes_not_listed(f"{DEBUGFS} exited with {done.returncode}")]
    modes, listed = parse_listing(done.stdout, commands, folders)
    if "" not in listed:  # debugfs exits 0 even when it cannot open the image
        tail = done.stderr.decode(errors="replace").strip()[-_STDERR_EXCERPT:]
        return [modes_not_listed(f"{DEBUGFS} listed nothing: {tail}")]
    return [DeclaredModesReport(folder=str(outdir), modes=modes)]


def _dumped_folders(outdir: Path) -> list[str] | None:
    """Every folder under `outdir` ('' for itself), relative to it; None if any name there holds a
    line break."""
    folders = [""]
    pending = [(outdir, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as scanner:
                children = list(scanner)
        except OSError:
            continue
        for child in children:
            if "\n" in child.name:
                return None
            if child.is_dir(follow_symlinks=False):
                folders.append(prefix + child.name)
                pending.append((Path(child.path), prefix + child.name + "/"))
    return folders


def parse_listing(stdout: bytes, commands: list[bytes], folders: list[str]) -> tuple[dict[str, int], set[str]]:
    """The modes of `ls -p` lines (`/inode/mode/uid/gid/name/size/`) under the echo of the command
    that listed their folder, folders left out; and the folders whose listing came (it holds `.`).
    Lines before the first echo are ignored, and so is everything from an unexpected echo on."""
    modes: dict[str, int] = {}
    listed: set[str] = set()
    expected = iter(zip(commands, folders, strict=True))
    folder: str | None = None
    for line in stdout.split(b"\n"):
        if line.startswith(_ECHO):
            command, name = next(expected, (None, None))
            folder = name if line[len(_ECHO) :] == command else None
            if folder is None:
                break
            continue
        fields = line.split(b"/")
        if folder is None or len(fields) != 8 or fields[0] or fields[7]:
            continue
        try:
            mode = int(fields[2], 8)
        except ValueError:
            continue
        if fields[5] == b".":
            listed.add(folder)
        if stat.S_ISDIR(mode):
            continue
        name = os.fsdecode(fields[5])
        modes[f"{folder}/{name}" if folder else name] = mode
    return modes, listed


class EXTHandler(extfs.EXTHandler):
    EXTRACTOR = ModeListingExtractor(extfs.EXTHandler.EXTRACTOR, list_modes)  # type: ignore[assignment]


HANDLERS: tuple[type[Handler[Any]], ...] = (EXTHandler,)

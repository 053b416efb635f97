"""romfs handler: unblob's detection and extraction, with the modes the Linux kernel gives.

romfs stores a file's type and one executable flag, no permission bits: the kernel shows a
regular file as 0644, or 0755 when the flag is set (`romfs_modemap` in fs/romfs/super.c; genromfs
sets the flag when any executable bit was set). unblob's extractor writes every file 0644, so
programs lose that flag; ours walks the same headers and returns the kernel's modes as the
declared modes (see declared_modes).
"""

import os
import stat
from pathlib import Path
from typing import Any

from unblob.file_utils import File, FileSystem
from unblob.handlers.filesystem import romfs
from unblob.models import ExtractResult, Handler

from iotbaseline.firmware.declared_modes import DeclaredModesReport

# fs/romfs/super.c: the mode of each romfs type; the executable flag adds 0111 to folders and files.
_KERNEL_MODES = {
    romfs.FSType.DIRECTORY: stat.S_IFDIR | 0o644,
    romfs.FSType.FILE: stat.S_IFREG | 0o644,
    romfs.FSType.SYMLINK: stat.S_IFLNK | 0o777,
    romfs.FSType.BLOCK_DEV: stat.S_IFBLK | 0o600,
    romfs.FSType.CHAR_DEV: stat.S_IFCHR | 0o600,
    romfs.FSType.SOCKET: stat.S_IFSOCK | 0o644,
    romfs.FSType.FIFO: stat.S_IFIFO | 0o644,
}
_EXECUTABLE_TYPES = (romfs.FSType.DIRECTORY, romfs.FSType.FILE)


class RomfsExtractor(romfs.RomfsExtractor):
    def extract(self, inpath: Path, outdir: Path) -> ExtractResult:
        fs = FileSystem(outdir)
        with File.from_path(inpath) as file:
            header = romfs.RomFSHeader(file, fs)
            header.validate()
            header.recursive_walk(header.header_end_offset, None)
            header.dump_fs()
            modes = kernel_modes(header.inodes)
        return ExtractResult(reports=[*fs.problems, DeclaredModesReport(folder=str(outdir), modes=modes)])


def kernel_modes(inodes: dict[int, Any]) -> dict[str, int]:
    """The mode of every header by its path; a hard link has its target's (the kernel follows it)."""
    modes: dict[str, int] = {}
    for inode in inodes.values():
        target = inodes.get(inode.spec_info) if inode.fs_type == romfs.FSType.HARD_LINK else inode
        if target is None or target.fs_type not in _KERNEL_MODES:
            continue
        mode = _KERNEL_MODES[target.fs_type]
        if target.executable and target.fs_type in _EXECUTABLE_TYPES:
            mode |= 0o111
        try:
            modes[os.path.normpath(inode.path.as_posix())] = mode
        except UnicodeDecodeError:  # unblob names such a file the same way and fails on it
            continue
    return modes


class RomFSFSHandler(romfs.RomFSFSHandler):
    EXTRACTOR = RomfsExtractor()


HANDLERS: tuple[type[Handler[Any]], ...] = (RomFSFSHandler,)

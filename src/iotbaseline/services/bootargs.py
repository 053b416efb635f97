"""Kernel command lines visible in the image (U-Boot environments, device-tree `bootargs`, a
kernel's built-in command line, /boot/cmdline.txt): one that makes a shell the init process gives
a root shell on the console without any login."""

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import FirmwareTree, OutsideTreeError, TreeFile

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_READ = 16 * 1024 * 1024
_KINDS = frozenset({FileKind.DATA, FileKind.TEXT, FileKind.FIRMWARE_HEADER, FileKind.ELF, FileKind.EMPTY})
_BOOT_NAMES = re.compile(r"(?:^|/)(?:boot/|uEnv\.txt$|cmdline\.txt$|u-?boot[^/]*env[^/]*$|[^/]*\.env$)", re.IGNORECASE)
_PRINTABLE_AFTER = re.compile(rb"[\x20-\x7e]{0,512}")
MAX_HITS = 4096
_INIT = re.compile(r"(?:^|[\s;\"'=])((?:rd)?init)=(\S+)")


@dataclass(frozen=True)
class InitShell:
    file: TreeFile
    offset: int
    parameter: str
    """`init=/bin/sh`"""
    command_line: str


def candidate_files(tree: FirmwareTree) -> Iterator[TreeFile]:
    """Files outside root filesystems (kernels, device trees, environments) and boot files inside them."""
    for file in tree.files:
        if file.type.kind not in _KINDS or file.size > MAX_FILE_BYTES or file.size == 0:
            continue
        if file.device_path is None or _BOOT_NAMES.search(file.device_path):
            yield file


def init_shells(tree: FirmwareTree, file: TreeFile, shells: frozenset[str]) -> Iterator[InitShell]:
    try:
        data = tree.read_bytes(file.path, limit=MAX_READ)
    except (OSError, OutsideTreeError):
        return
    position, seen = data.find(b"init="), 0
    while position >= 0 and seen < MAX_HITS:
        seen += 1
        start = _printable_start(data, position)
        after = _PRINTABLE_AFTER.match(data, position)
        end = after.end() if after is not None else position
        text = data[start:end].decode("ascii")
        for parameter in _INIT.finditer(text):
            program = parameter.group(2).strip("\"'")
            if posixpath.basename(program) in shells:
                offset = start + parameter.start(1)
                yield InitShell(file, offset, f"{parameter.group(1)}={program}", text.strip()[:400])
        position = data.find(b"init=", max(end, position + 5))


def _printable_start(data: bytes, position: int) -> int:
    start, limit = position, max(0, position - 512)
    while start > limit and 0x20 <= data[start - 1] <= 0x7E:
        start -= 1
    return start

"""The one way the corpus builder runs an external program: argv, no shell, a timeout, captured output."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

# Every build pins the clock so that the packing tools write the same bytes twice.
SOURCE_DATE_EPOCH = 1704067200  # 2024-01-01T00:00:00Z


class CorpusError(Exception):
    """A corpus image cannot be built; the message says what to install or fix."""


# Debian package that provides each program, for the "not found" message.
_PROVIDERS = {
    "mksquashfs": "squashfs-tools",
    "mkfs.jffs2": "mtd-utils",
    "mkfs.ubifs": "mtd-utils",
    "ubinize": "mtd-utils",
    "mkimage": "u-boot-tools",
    "dtc": "device-tree-compiler",
    "mke2fs": "e2fsprogs",
    "mkfs.cramfs": "util-linux-extra",
    "genromfs": "genromfs",
    "7z": "7zip",
    "lz4": "lz4",
    "zstd": "zstd",
    "dpkg-deb": "dpkg",
    "apt-get": "apt",
    "mkpasswd": "whois",
    "openssl": "openssl",
}


def run(
    argv: Sequence[str | Path],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 600,
) -> bytes:
    """Run a program and return its stdout; raise CorpusError with its stderr when it fails."""
    args = [str(a) for a in argv]
    if shutil.which(args[0]) is None:
        package = _PROVIDERS.get(args[0], args[0])
        raise CorpusError(f"{args[0]} not found: install the Debian package {package}")
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": str(SOURCE_DATE_EPOCH), "LC_ALL": "C", **(env or {})}
    try:
        done = subprocess.run(
            args, cwd=cwd, env=full_env, input=stdin, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise CorpusError(f"{args[0]} timed out after {timeout:.0f}s") from exc
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip() or done.stdout.decode(errors="replace").strip()
        raise CorpusError(f"{' '.join(args[:3])}... failed ({done.returncode}): {detail[-2000:]}")
    return done.stdout

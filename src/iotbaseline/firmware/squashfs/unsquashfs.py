"""Debian's unsquashfs as the fast path for standard 4.x little-endian images."""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from unblob.report import ExtractionProblem, Report, SpecialFileExtractionProblem

EXECUTABLE = "unsquashfs"
# 4.5 fixed path traversal through crafted names (CVE-2021-40153) and symlinks (CVE-2021-41072).
MINIMUM_VERSION = (4, 5)
DEFAULT_TIMEOUT_SECONDS = 20 * 60
# Exit status 2: non-fatal errors, e.g. device nodes that a non-root user cannot create.
_NON_FATAL = 2
_STDERR_EXCERPT = 2000


@dataclass
class NativeOutcome:
    succeeded: bool
    reports: list[Report] = field(default_factory=list)


@dataclass(frozen=True)
class Unsquashfs:
    executable: str = EXECUTABLE
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    # None: unsquashfs uses every core, fastest for the usual single large root filesystem; 1 avoids
    # oversubscribing when unblob runs one worker per core on many images at once.
    processors: int | None = None

    def argv(self, inpath: Path, outdir: Path) -> list[str]:
        threads = [] if self.processors is None else ["-processors", str(self.processors)]
        return [
            self.executable,
            "-d",
            str(outdir),
            "-f",
            "-no-xattrs",
            "-no-progress",
            "-quiet",
            *threads,
            str(inpath),
        ]

    def available(self) -> bool:
        version = installed_version(self.executable)
        return version is not None and version >= MINIMUM_VERSION

    def extract(self, inpath: Path, outdir: Path) -> NativeOutcome:
        """Run unsquashfs into `outdir`; on failure `outdir` is emptied again for the fallback."""
        command = self.argv(inpath, outdir)
        try:
            result = subprocess.run(command, capture_output=True, timeout=self.timeout_seconds, check=False)
        except FileNotFoundError:
            return NativeOutcome(False, [_problem(f"{self.executable} not found")])
        except subprocess.TimeoutExpired:
            empty_directory(outdir)
            return NativeOutcome(False, [_problem(f"{self.executable} timed out after {self.timeout_seconds} s")])
        stderr = result.stderr.decode(errors="replace")[-_STDERR_EXCERPT:].strip()
        if result.returncode not in (0, _NON_FATAL):
            empty_directory(outdir)
            return NativeOutcome(
                False,
                [_problem(f"`{shlex.join(command)}` failed with exit code {result.returncode}: {stderr}")],
            )
        reports: list[Report] = []
        if result.returncode == _NON_FATAL:
            reports.append(
                ExtractionProblem(
                    problem=f"{self.executable} reported non-fatal errors: {stderr}", resolution="Ignored."
                )
            )
        reports.extend(remove_special_files(outdir))
        return NativeOutcome(True, reports)


def _problem(message: str) -> ExtractionProblem:
    return ExtractionProblem(problem=message, resolution="Extracted with the Python reader instead.")


@functools.cache
def installed_version(executable: str) -> tuple[int, int] | None:
    try:
        result = subprocess.run([executable, "-version"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(rb"version (\d+)\.(\d+)", result.stdout + result.stderr)
    return (int(match[1]), int(match[2])) if match else None


def remove_special_files(root: Path) -> list[Report]:
    """Remove device nodes and fifos unsquashfs made (as root): reading them would hang or read the host."""
    reports: list[Report] = []
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            entries = os.scandir(directory)
        except OSError as error:
            reports.append(ExtractionProblem(problem=f"could not scan {directory}: {error}", resolution="Ignored."))
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                elif not entry.is_file(follow_symlinks=False) and not entry.is_symlink():
                    mode = entry.stat(follow_symlinks=False).st_mode
                    reports.append(
                        SpecialFileExtractionProblem(
                            problem="special file recorded, not kept on the host",
                            resolution="Removed.",
                            path=str(Path(entry.path).relative_to(root)),
                            mode=mode,
                            device=entry.stat(follow_symlinks=False).st_rdev,
                        )
                    )
                    Path(entry.path).unlink()
    return reports


def empty_directory(directory: Path) -> None:
    """Remove what a failed run left, including read-only directories, without following symlinks."""

    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            child.chmod(stat.S_IRWXU)
            shutil.rmtree(child, onerror=_make_writable_and_retry)
        else:
            child.unlink()


def _make_writable_and_retry(function: Callable[[str], object], path: str, _excinfo: object) -> None:
    Path(path).parent.chmod(stat.S_IRWXU)
    function(path)

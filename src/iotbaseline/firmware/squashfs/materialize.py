"""Writing a SquashFS image's tree to disk, only through unblob's path-safe FileSystem."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path, PurePosixPath

from unblob.file_utils import FileSystem
from unblob.report import ExtractionProblem, SpecialFileExtractionProblem

from iotbaseline.firmware.squashfs.file_data import Hole
from iotbaseline.firmware.squashfs.model import (
    Attributes,
    DirectoryInode,
    FileInode,
    InodeKind,
    InodeRef,
    SpecialInode,
    SymlinkInode,
)
from iotbaseline.firmware.squashfs.reader import SquashfsImage

_FILE_TYPE_BITS = {
    InodeKind.BLOCK_DEVICE: stat.S_IFBLK,
    InodeKind.CHAR_DEVICE: stat.S_IFCHR,
    InodeKind.FIFO: stat.S_IFIFO,
    InodeKind.SOCKET: stat.S_IFSOCK,
}


class TreeWriter:
    """Recreates files, directories, symlinks and hard links; records special files instead of creating them.

    Symlinks go through FileSystem.create_symlink, which rewrites an absolute target such as
    /bin/busybox into the equivalent relative one (../bin/busybox) so the tree stays relocatable, and
    refuses (records a problem for) any target that would leave the output directory.
    """

    def __init__(self, image: SquashfsImage, fs: FileSystem) -> None:
        self._image = image
        self._fs = fs
        self._budget = image.limits.max_output_bytes
        self._budget_exhausted = False
        self._first_path_of: dict[InodeRef, Path] = {}
        self._directories: list[tuple[Path, Attributes]] = []

    def write_all(self) -> None:
        for entry in self._image.entries():
            path = Path(entry.path)
            try:
                match entry.inode:
                    case DirectoryInode() as directory:
                        self._directory(path, directory)
                    case FileInode() as file:
                        self._file_or_hard_link(path, entry.ref, file)
                    case SymlinkInode() as symlink:
                        self._symlink(path, symlink)
                    case SpecialInode() as special:
                        self._special(path, special)
            except OSError as error:
                self._problem(f"could not write: {error.strerror or error}", path)
        # Deepest first, so a read-only parent does not block its children's metadata.
        for path, attributes in reversed(self._directories):
            self._apply_attributes(path, attributes)
        for problem in self._image.problems.snapshot():
            self._problem(problem.message, Path(problem.path) if problem.path else None)

    def _directory(self, path: Path, directory: DirectoryInode) -> None:
        if path != Path(PurePosixPath(".")):
            self._fs.mkdir(path, mode=directory.attributes.permissions, parents=True, exist_ok=True)
        self._directories.append((path, directory.attributes))

    def _file_or_hard_link(self, path: Path, ref: InodeRef, file: FileInode) -> None:
        first = self._first_path_of.get(ref)
        if first is not None:
            self._fs.create_hardlink(src=first, dst=path)
            return
        self._first_path_of[ref] = path
        self._file(path, file)

    def _file(self, path: Path, file: FileInode) -> None:
        errors: list[str] = []
        with self._fs.open(path, "wb+") as out:
            if not self._budget_exhausted:
                self._write_content(out, path, file, errors)
            out.flush()
            # Through the open descriptor: no second path resolution, and no race with the path.
            # After the writes: the kernel clears set-ID bits on a write by a process without
            # CAP_FSETID (any non-root user), and the index takes modes from these files.
            os.fchmod(out.fileno(), file.attributes.permissions)
            os.utime(out.fileno(), (file.attributes.mtime, file.attributes.mtime))
        for error in errors:
            self._problem(f"file content partly unreadable: {error}", path, resolution="Zeros written instead.")

    def _write_content(self, out: io.BufferedRandom, path: Path, file: FileInode, errors: list[str]) -> None:
        for chunk in self._image.file_chunks(file, errors):
            if isinstance(chunk, Hole):
                out.seek(chunk.length, io.SEEK_CUR)
                continue
            if len(chunk) > self._budget:
                self._budget_exhausted = True
                self._problem("output size limit reached; this and later file contents not written", path)
                break
            self._budget -= len(chunk)
            out.write(chunk)
        # Sets the size when the file ends in a hole.
        out.truncate()

    def _symlink(self, path: Path, symlink: SymlinkInode) -> None:
        if not symlink.target or b"\x00" in symlink.target:
            self._problem(f"symlink with unusable target {symlink.target!r} skipped", path)
            return
        self._fs.create_symlink(src=Path(os.fsdecode(symlink.target)), dst=path)

    def _special(self, path: Path, special: SpecialInode) -> None:
        self._fs.record_problem(
            SpecialFileExtractionProblem(
                problem=f"{special.kind.value} recorded, not created on the host",
                resolution="Skipped.",
                path=str(path),
                mode=_FILE_TYPE_BITS[special.kind] | special.attributes.permissions,
                device=os.makedev(special.major, special.minor),
            )
        )

    def _apply_attributes(self, path: Path, attributes: Attributes) -> None:
        self._fs.chmod(path, attributes.permissions)
        self._fs.utime(path, (attributes.mtime, attributes.mtime))

    def _problem(self, message: str, path: Path | None, resolution: str = "Skipped.") -> None:
        self._fs.record_problem(
            ExtractionProblem(problem=message, resolution=resolution, path=str(path) if path else None)
        )

"""Builds the FirmwareTree from the secured output folder and unblob's journal."""

import hashlib
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from iotbaseline.firmware.filetype import HEAD_SIZE, FileType, classify
from iotbaseline.firmware.journal import TaskRecord
from iotbaseline.firmware.origin import OriginIndex
from iotbaseline.firmware.rootfs import RootFilesystem, find_root_filesystems
from iotbaseline.firmware.secure_walk import Entry, EntryKind
from iotbaseline.firmware.tree import FirmwareTree, TreeFile, TreeLink, TreeSpecial

EXTRACT_SUFFIX = "_extract"
_HASH_BLOCK = 1024 * 1024


def build_tree(root: Path, entries: Iterable[Entry], records: list[TaskRecord], image: Path) -> FirmwareTree:
    root = root.resolve()
    entries = list(entries)
    relative = {r.path: _relative_to(r.path, root) for r in records}
    relative[str(image.resolve())] = image.name
    origins = OriginIndex(records, relative)
    known_hashes = {relative[r.path]: r.sha256 for r in records if r.sha256}

    layer_of = {e.path: _extraction_folder(e.path) for e in entries if e.kind is EntryKind.DIRECTORY}
    rootfs = find_root_filesystems(entries, layer_of)

    regular = [e for e in entries if e.kind is EntryKind.FILE]
    with ThreadPoolExecutor(max_workers=max(2, len(os.sched_getaffinity(0)))) as pool:
        examined = list(pool.map(lambda e: _examine(root / e.path, known_hashes.get(e.path)), regular))

    files = []
    for entry, (sha256, file_type) in zip(regular, examined, strict=True):
        owner = _owning_rootfs(entry.path, rootfs)
        files.append(
            TreeFile(
                path=entry.path,
                size=entry.size,
                sha256=sha256,
                type=file_type,
                mode=entry.mode,
                origin=origins.chain(entry.path),
                rootfs=owner.path if owner else None,
                device_path=_device_path(entry.path, owner),
            )
        )
    links = []
    for entry in entries:
        if entry.kind is EntryKind.SYMLINK and entry.link_text is not None:
            owner = _owning_rootfs(entry.path, rootfs)
            links.append(
                TreeLink(
                    path=entry.path,
                    target=_device_link_target(entry.path, entry.link_text, owner),
                    rootfs=owner.path if owner else None,
                    device_path=_device_path(entry.path, owner),
                )
            )
    special = tuple(
        TreeSpecial(
            path=e.path,
            kind=e.kind,
            device=e.device,
            mode=e.mode,
            device_path=_device_path(e.path, _owning_rootfs(e.path, rootfs)),
        )
        for e in entries
        if e.kind not in (EntryKind.FILE, EntryKind.DIRECTORY, EntryKind.SYMLINK)
    )
    directories = frozenset(e.path for e in entries if e.kind is EntryKind.DIRECTORY)
    return FirmwareTree(root, tuple(files), tuple(links), special, directories, rootfs)


def _examine(path: Path, known_sha256: str | None) -> tuple[str, FileType]:
    """One read of the file: its head for the type, and the whole only when unblob did not
    already hash it (files past the depth limit, or left by an interrupted extraction)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_SIZE)
            size = os.fstat(stream.fileno()).st_size
            if known_sha256:
                return known_sha256, classify(head, size)
            digest = hashlib.sha256(head)
            while block := stream.read(_HASH_BLOCK):
                digest.update(block)
            return digest.hexdigest(), classify(head, size)
    except OSError:
        return "", classify(b"", 0)


def _relative_to(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def _extraction_folder(path: str) -> str:
    """The nearest ancestor folder (or the folder itself) made by one extraction."""
    for candidate in (PurePosixPath(path), *PurePosixPath(path).parents):
        if candidate.name.endswith(EXTRACT_SUFFIX):
            return str(candidate)
    return ""


def _owning_rootfs(path: str, rootfs: tuple[RootFilesystem, ...]) -> RootFilesystem | None:
    """The innermost root filesystem holding `path`."""
    best: RootFilesystem | None = None
    for candidate in rootfs:
        if PurePosixPath(candidate.path) in PurePosixPath(path).parents and (
            best is None or len(candidate.path) > len(best.path)
        ):
            best = candidate
    return best


def _device_path(path: str, owner: RootFilesystem | None) -> str | None:
    if owner is None:
        return None
    return "/" + PurePosixPath(path).relative_to(owner.path).as_posix()


def _device_link_target(path: str, text: str, owner: RootFilesystem | None) -> str:
    """unblob stores an absolute link `/bin/busybox` as a relative one to the same place within
    its extraction folder; when such a link lands outside the rootfs but inside that extraction
    folder, the device's view is the absolute path within the extraction folder."""
    if owner is None or PurePosixPath(text).is_absolute():
        return text
    landing = PurePosixPath(os.path.normpath(PurePosixPath(path).parent / text))
    if PurePosixPath(owner.path) in landing.parents or str(landing) == owner.path:
        return text
    extraction = _extraction_folder(owner.path)
    if extraction and PurePosixPath(extraction) in landing.parents:
        return "/" + landing.relative_to(extraction).as_posix()
    return text

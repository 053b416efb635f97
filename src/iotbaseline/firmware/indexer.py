"""Builds the FirmwareTree from the secured output folder and unblob's journal."""

import dataclasses
import hashlib
import os
import stat
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from iotbaseline.firmware.filetype import HEAD_SIZE, FileType, classify
from iotbaseline.firmware.journal import TaskRecord
from iotbaseline.firmware.origin import OriginIndex
from iotbaseline.firmware.rootfs import RootFilesystem, find_root_filesystems
from iotbaseline.firmware.secure_walk import Entry, EntryKind, special_kind
from iotbaseline.firmware.tree import FirmwareTree, TreeFile, TreeLink, TreeSpecial

EXTRACT_SUFFIX = "_extract"
_HASH_BLOCK = 1024 * 1024


def build_tree(root: Path, entries: Iterable[Entry], records: list[TaskRecord], image: Path) -> FirmwareTree:
    root = root.resolve()
    relative = {r.path: _relative_to(r.path, root) for r in records}
    entries = _with_declared_modes(list(entries), records, root)
    entries = _with_recorded_specials(entries, records, relative)
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


def _with_declared_modes(entries: list[Entry], records: list[TaskRecord], root: Path) -> list[Entry]:
    """Files with the mode their image declares, where an extraction recorded it before unblob's
    clean-up (or the walk) changed it on disk; the file type must agree with what is on disk."""
    declared: dict[str, int] = {}
    for record in records:
        for chunk in record.chunks:
            if chunk.modes is not None:
                folder = _relative_to(chunk.modes.folder, root)
                declared.update((f"{folder}/{path}", mode) for path, mode in chunk.modes.modes)
    if not declared:
        return entries
    return [_declared(entry, declared.get(entry.path)) for entry in entries]


def _declared(entry: Entry, mode: int | None) -> Entry:
    if mode is None or _kind_of(mode) is not entry.kind:
        return entry
    return dataclasses.replace(entry, mode=stat.S_IMODE(mode))


def _kind_of(mode: int) -> EntryKind | None:
    if stat.S_ISREG(mode):
        return EntryKind.FILE
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return special_kind(mode)
    return None


def _with_recorded_specials(entries: list[Entry], records: list[TaskRecord], relative: dict[str, str]) -> list[Entry]:
    """Device nodes and FIFOs that extractors recorded instead of creating, placed at their path
    in the extraction folder of the chunk that held them."""
    folder_of_chunk: dict[str, str] = {}
    for record in records:
        if record.is_dir and record.blob_id:
            folder = relative[record.path]
            if len(folder) < len(folder_of_chunk.get(record.blob_id, folder + "-")):
                folder_of_chunk[record.blob_id] = folder
    present = {entry.path for entry in entries}
    for record in records:
        for chunk in record.chunks:
            chunk_folder = folder_of_chunk.get(chunk.id)
            if chunk_folder is None:
                continue
            for special in chunk.specials:
                path = f"{chunk_folder}/{special.path.lstrip('/')}"
                if path not in present:
                    present.add(path)
                    entries.append(
                        Entry(
                            path,
                            special_kind(special.mode),
                            0,
                            stat.S_IMODE(special.mode),
                            device=(os.major(special.device), os.minor(special.device)) if special.device else None,
                        )
                    )
    return entries


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
    """The link target as an absolute path on the device.

    Extractors store an absolute link `/proc/mounts` relative to their extraction folder
    (`../proc/mounts`), so the stored text no longer tells absolute from relative; the absolute
    path the link leads to on the device is the same either way and is what evidence needs. A
    link that lands outside the rootfs but inside its extraction folder was rewritten relative to
    that folder; one that leads elsewhere keeps its text."""
    if owner is None or PurePosixPath(text).is_absolute():
        return text
    landing = PurePosixPath(os.path.normpath(PurePosixPath(path).parent / text))
    rootfs = PurePosixPath(owner.path)
    if rootfs in landing.parents or landing == rootfs:
        return "/" + landing.relative_to(rootfs).as_posix().removeprefix(".")
    extraction = _extraction_folder(owner.path)
    if extraction and PurePosixPath(extraction) in landing.parents:
        return "/" + landing.relative_to(extraction).as_posix()
    return text

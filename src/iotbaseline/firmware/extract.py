"""extract_firmware: an image in, a FirmwareTree and an account of what was left out.

Orchestration only: the worker unpacks under supervision, the secure walk makes the output safe
and lists it, the indexer builds the tree, and the journal tells what was cut and where.
"""

import hashlib
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iotbaseline.errors import InputError, OutputError
from iotbaseline.firmware.filetype import CONTAINER_KINDS, HEAD_SIZE, STRONG_MAGIC_FORMATS, FileType, classify
from iotbaseline.firmware.incomplete import Incomplete, IncompleteKind
from iotbaseline.firmware.indexer import EXTRACT_SUFFIX, build_tree
from iotbaseline.firmware.journal import TaskRecord, read_journal
from iotbaseline.firmware.limits import ExtractionLimits
from iotbaseline.firmware.secure_walk import walk_output
from iotbaseline.firmware.supervisor import ProgressCallback, run_supervised
from iotbaseline.firmware.tree import FirmwareTree
from iotbaseline.firmware.worker import WorkerJob

WORK_FOLDER = ".iotbaseline"


@dataclass(frozen=True)
class FormatSeen:
    format: str
    container: str
    offset: int
    end: int


@dataclass(frozen=True)
class UnknownRange:
    container: str
    offset: int
    end: int


@dataclass
class ExtractionResult:
    image: Path
    image_size: int
    image_sha256: str
    output: Path
    tree: FirmwareTree
    formats: list[FormatSeen]
    unknown: list[UnknownRange]
    incomplete: list[Incomplete]
    seconds: float
    peak_output_bytes: int
    budget: int
    limits: ExtractionLimits = field(default_factory=ExtractionLimits)

    def format_counts(self) -> Counter[str]:
        return Counter(f.format for f in self.formats)

    def to_dict(self) -> dict[str, Any]:
        """The `--json` document. `files`, `rootfs` and `incomplete` are a stable interface."""
        tree = self.tree
        return {
            "image": {"path": str(self.image), "size": self.image_size, "sha256": self.image_sha256},
            "output": str(self.output),
            "files": [
                {
                    "path": f.path,
                    "size": f.size,
                    "sha256": f.sha256,
                    "type": f.type.kind.value,
                    "type_detail": f.type.detail,
                    "mode": f"{f.mode:04o}",
                    "rootfs": f.rootfs,
                    "device_path": f.device_path,
                    "origin": [layer.to_dict() for layer in f.origin],
                }
                for f in tree.files
            ],
            "links": [
                {
                    "path": link.path,
                    "target": link.target,
                    "rootfs": link.rootfs,
                    "device_path": link.device_path,
                }
                for link in tree.links
            ],
            "special": [
                {
                    "path": s.path,
                    "kind": s.kind.value,
                    "device": list(s.device) if s.device else None,
                    "mode": f"{s.mode:04o}",
                    "device_path": s.device_path,
                }
                for s in tree.special
            ],
            "rootfs": [r.path for r in tree.rootfs],
            "rootfs_evidence": {r.path: list(r.marks) for r in tree.rootfs},
            "formats": [f.__dict__ for f in self.formats],
            "unknown": [u.__dict__ for u in self.unknown],
            "incomplete": [i.to_dict() for i in self.incomplete],
            "stats": {
                "seconds": round(self.seconds, 3),
                "files": len(tree.files),
                "bytes": sum(f.size for f in tree.files),
                "peak_output_bytes": self.peak_output_bytes,
                "budget_bytes": self.budget,
                "max_depth": self.limits.max_depth,
            },
        }


def extract_firmware(
    image: Path,
    output: Path,
    limits: ExtractionLimits | None = None,
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> ExtractionResult:
    limits = limits or ExtractionLimits()
    started = time.monotonic()
    image_size, image_sha256 = _check_image(image)
    output = output.resolve()
    extract_dir = output / (image.name + EXTRACT_SUFFIX)
    work = output / WORK_FOLDER
    _prepare_output(output, extract_dir, work, force=force)

    budget = limits.output_budget(image_size)
    job = WorkerJob(
        image=image.resolve(),
        extract_root=output,
        journal=work / "journal.jsonl",
        log=work / "unblob.log",
        limits=limits,
        single_file_cap=limits.single_file_cap(image_size),
    )
    outcome = run_supervised(job, budget, progress)
    records = list(read_journal(job.journal))
    walk = walk_output(output, start=extract_dir)
    tree = build_tree(output, walk.entries, records, image)
    incomplete = [
        *outcome.cut,
        *_journal_problems(records, output, image),
        *walk.incomplete,
        *_depth_cuts(records, tree, output, limits),
        *_unopened_containers(records, tree, image, output, limits),
        *_unfinished(records, output, stopped_by=outcome.cut[0].what if outcome.cut else None),
    ]
    return ExtractionResult(
        image=image,
        image_size=image_size,
        image_sha256=image_sha256,
        output=output,
        tree=tree,
        formats=_formats(records, output, image),
        unknown=_unknown(records, output, image),
        incomplete=incomplete,
        seconds=time.monotonic() - started,
        peak_output_bytes=outcome.peak_bytes,
        budget=budget,
        limits=limits,
    )


def _check_image(image: Path) -> tuple[int, str]:
    if not image.exists():
        raise InputError(f"{image}: no such file")
    if not image.is_file():
        raise InputError(f"{image}: not a regular file")
    digest = hashlib.sha256()
    try:
        with image.open("rb") as stream:
            while block := stream.read(1024 * 1024):
                digest.update(block)
    except OSError as error:
        raise InputError(f"{image}: cannot read it ({error.strerror})") from error
    return image.stat().st_size, digest.hexdigest()


def _prepare_output(output: Path, extract_dir: Path, work: Path, *, force: bool) -> None:
    try:
        output.mkdir(parents=True, exist_ok=True)
        if extract_dir.exists() or extract_dir.is_symlink():
            if not force:
                raise OutputError(f"{extract_dir} exists already; remove it or pass --force")
            if extract_dir.is_symlink() or not extract_dir.is_dir():
                extract_dir.unlink()
            else:
                shutil.rmtree(extract_dir)
        if work.exists():
            shutil.rmtree(work)
        work.mkdir()
    except OSError as error:
        raise OutputError(f"{output}: cannot write there ({error.strerror})") from error


def _where(path: str, output: Path, image: Path) -> str:
    if path == str(image.resolve()):
        return image.name
    try:
        return Path(path).relative_to(output).as_posix()
    except ValueError:
        return path


def _journal_problems(records: list[TaskRecord], output: Path, image: Path) -> list[Incomplete]:
    found: list[Incomplete] = []
    for record in records:
        where = _where(record.path, output, image)
        for problem in record.problems:
            found.append(Incomplete(problem.kind, problem.path or where, problem.message))
        for chunk in record.chunks:
            for problem in chunk.problems:
                place = f"{where} @ {chunk.start:#x}-{chunk.end:#x} ({chunk.handler})"
                found.append(Incomplete(problem.kind, problem.path or place, problem.message))
    return found


def _depth_cuts(
    records: list[TaskRecord], tree: FirmwareTree, output: Path, limits: ExtractionLimits
) -> list[Incomplete]:
    """unblob stops silently at the depth limit (a folder there is not even walked); every
    container left unopened below such a point is reported."""
    cut_points = [
        Path(r.path).relative_to(output).as_posix()
        for r in records
        if r.depth >= limits.max_depth and Path(r.path).is_relative_to(output)
    ]
    if not cut_points:
        return []
    cuts = []
    for indexed in tree.files:
        if indexed.type.kind not in CONTAINER_KINDS:
            continue
        if any(indexed.path == point or indexed.path.startswith(point + "/") for point in cut_points):
            cuts.append(
                Incomplete(
                    IncompleteKind.DEPTH,
                    indexed.path,
                    f"nesting depth {limits.max_depth} reached; this {indexed.type.kind.value} "
                    "was not unpacked (--max-depth)",
                )
            )
    return cuts


def _unopened_containers(
    records: list[TaskRecord], tree: FirmwareTree, image: Path, output: Path, limits: ExtractionLimits
) -> list[Incomplete]:
    """Files that begin with a distinctive container magic but that no handler opened at offset 0:
    truncated or damaged filesystems and archives. unblob passes over them in silence (a
    SquashFS whose declared size runs past the end of the file is simply not a chunk)."""
    opened = {r.path for r in records for c in r.chunks if c.start == 0}
    # only what unblob examined (it computes libmagic first): files the visit policy passed over
    # were never offered to a handler, and files an interrupted run never reached are reported
    # as not examined
    examined = {r.path for r in records if r.magic is not None}
    depth_of = {r.path: r.depth for r in records}
    candidates: list[tuple[str, str, FileType]] = []
    with image.open("rb") as stream:
        candidates.append((str(image.resolve()), image.name, classify(stream.read(HEAD_SIZE), image.stat().st_size)))
    candidates.extend((str(output / f.path), f.path, f.type) for f in tree.files)
    found = []
    for absolute, where, file_type in candidates:
        name = str(file_type.detail.get("format", ""))
        if name not in STRONG_MAGIC_FORMATS or absolute in opened or absolute not in examined:
            continue
        if depth_of.get(absolute, 0) >= limits.max_depth:
            continue  # reported as a depth cut
        found.append(
            Incomplete(
                IncompleteKind.CORRUPT,
                where,
                f"starts like {name} but could not be unpacked: truncated or damaged",
            )
        )
    return found


def _unfinished(records: list[TaskRecord], output: Path, *, stopped_by: IncompleteKind | None) -> list[Incomplete]:
    """Paths queued but never examined because the extraction was stopped."""
    if stopped_by is None:
        return []
    done = {r.path for r in records}
    pending = sorted({path for r in records for path, _ in r.subtasks} - done)
    if not pending:
        return []
    first = Path(pending[0]).relative_to(output).as_posix()
    return [
        Incomplete(
            stopped_by,
            first,
            f"{len(pending)} extracted paths were not examined further because extraction was stopped",
        )
    ]


def _formats(records: list[TaskRecord], output: Path, image: Path) -> list[FormatSeen]:
    return [
        FormatSeen(chunk.handler, _where(r.path, output, image), chunk.start, chunk.end)
        for r in records
        for chunk in r.chunks
    ]


def _unknown(records: list[TaskRecord], output: Path, image: Path) -> list[UnknownRange]:
    return [UnknownRange(_where(r.path, output, image), start, end) for r in records for start, end in r.unknown]

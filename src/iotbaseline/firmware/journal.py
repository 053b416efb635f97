"""The extraction journal: unblob's task results, appended as JSON lines as each task finishes.

The worker process writes it through unblob's progress-reporter hook; the supervisor reads it
afterwards. Because every finished task is on disk at once, a worker killed for its budget or its
time still leaves everything it had done readable.
"""

import json
import signal
from collections.abc import Iterator
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TextIO

from unblob import report as unblob_report
from unblob.models import Task, TaskResult

from iotbaseline.firmware.declared_modes import MODES_NOT_LISTED, DeclaredModesReport
from iotbaseline.firmware.incomplete import IncompleteKind

# unblob's report classes, most specific first, and the kind of incompleteness each one means.
_REPORT_KINDS: tuple[tuple[type[Any], IncompleteKind], ...] = (
    (unblob_report.PathTraversalProblem, IncompleteKind.PATH_TRAVERSAL),
    (unblob_report.LinkExtractionProblem, IncompleteKind.LINK_ESCAPE),
    (unblob_report.MaliciousSymlinkRemoved, IncompleteKind.LINK_ESCAPE),
    (unblob_report.ExtractorTimedOut, IncompleteKind.COMMAND_TIMEOUT),
    (unblob_report.ExtractorDependencyNotFoundReport, IncompleteKind.MISSING_DEPENDENCY),
    (unblob_report.ExtractCommandFailedReport, IncompleteKind.EXTRACTOR_FAILED),
    (unblob_report.ExtractionProblem, IncompleteKind.CORRUPT),
    (unblob_report.ErrorReport, IncompleteKind.INTERNAL_ERROR),
)
# A candidate chunk that failed to parse is not something cut short: random bytes often look
# like a magic number. It stays out of the user's `incomplete` list.
_IGNORED_REPORTS: tuple[type[Any], ...] = (
    unblob_report.CalculateChunkExceptionReport,
    unblob_report.CalculateMultiFileExceptionReport,
)


@dataclass(frozen=True)
class Problem:
    kind: IncompleteKind
    message: str
    path: str | None = None


@dataclass(frozen=True)
class SpecialFile:
    """A device node, FIFO or socket an extractor recorded instead of creating it."""

    path: str
    """Relative to the chunk's extraction folder."""
    mode: int
    device: int


@dataclass(frozen=True)
class DeclaredModes:
    """The modes of the files one extraction wrote, as the image declares them (see declared_modes)."""

    folder: str
    """The extraction folder, absolute like `TaskRecord.path`."""
    modes: tuple[tuple[str, int], ...]
    """(path relative to `folder`, st_mode with the file type bits)."""


@dataclass(frozen=True)
class Chunk:
    id: str
    handler: str
    start: int
    end: int
    problems: tuple[Problem, ...] = ()
    specials: tuple[SpecialFile, ...] = ()
    modes: DeclaredModes | None = None


@dataclass(frozen=True)
class TaskRecord:
    """What unblob learnt about one path: a file it looked into or a directory it walked."""

    path: str
    blob_id: str
    depth: int
    is_dir: bool
    is_file: bool
    size: int
    sha256: str | None
    magic: str | None
    chunks: tuple[Chunk, ...] = ()
    problems: tuple[Problem, ...] = ()
    subtasks: tuple[tuple[str, int], ...] = field(default=())
    unknown: tuple[tuple[int, int], ...] = ()
    """Byte ranges no handler recognised (padding, encrypted or unsupported data)."""


# unblob's extractors record many situations as a plain ExtractionProblem; its `problem` text
# tells them apart. None: a normal situation handled correctly (absolute symlinks are how
# firmware links its BusyBox applets), not something cut short.
_PROBLEM_TEXT_KINDS: tuple[tuple[str, IncompleteKind | None], ...] = (
    (MODES_NOT_LISTED, IncompleteKind.EXTRACTOR_FAILED),
    ("Absolute path as link target", None),
    ("single-file cap", IncompleteKind.BUDGET),
    ("Absolute path conversion to extraction relative failed", IncompleteKind.LINK_ESCAPE),
    ("Traversal attempt through link", IncompleteKind.LINK_ESCAPE),
    ("Traversal attempt", IncompleteKind.PATH_TRAVERSAL),
    ("Absolute path", IncompleteKind.ABSOLUTE_PATH),
    ("Duplicate", IncompleteKind.DUPLICATE_ENTRY),
    ("device creation", None),
)


def problem_from_report(report: Any) -> Problem | None:
    """The incompleteness a report means, or None when it means none. A special file an
    extractor declined to create is content (indexed from `Chunk.specials`), not a loss."""
    if isinstance(report, (*_IGNORED_REPORTS, unblob_report.SpecialFileExtractionProblem, DeclaredModesReport)):
        return None
    if type(report) is unblob_report.ExtractionProblem:
        for text, text_kind in _PROBLEM_TEXT_KINDS:
            if text in report.problem:
                if text_kind is None:
                    return None
                return Problem(kind=text_kind, message=_describe(report), path=report.path)
    if isinstance(report, unblob_report.ExtractCommandFailedReport):
        return Problem(kind=_command_kind(report), message=_describe(report))
    for report_type, kind in _REPORT_KINDS:
        if isinstance(report, report_type):
            return Problem(kind=kind, message=_describe(report), path=getattr(report, "path", None))
    return None


def _describe(report: Any) -> str:
    if isinstance(report, unblob_report.ExtractionProblem):
        return f"{report.problem} {report.resolution}".strip()
    if isinstance(report, unblob_report.ExtractCommandFailedReport):
        return _describe_failed_command(report.command, report.exit_code, report.stderr)
    if isinstance(report, unblob_report.ExtractorTimedOut):
        return f"{report.cmd} did not finish within {report.timeout:.0f} s"
    if isinstance(report, unblob_report.ExtractorDependencyNotFoundReport):
        return "missing external extractor: " + ", ".join(report.dependencies)
    if isinstance(report, unblob_report.MaliciousSymlinkRemoved):
        return f"symlink {report.link} -> {report.target} points outside the output folder; removed"
    if isinstance(report, unblob_report.UnknownError):
        return f"extractor error: {report.exception}"
    return type(report).__name__


def _describe_failed_command(command: str, exit_code: int, stderr: bytes) -> str:
    if exit_code == -signal.SIGXFSZ:
        return f"{command}: stopped when a file it wrote reached the single-file cap (half the output budget)"
    if exit_code < 0:
        return f"{command}: killed by {signal.Signals(-exit_code).name}"
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    tail = f": {lines[-1]}" if lines else ""
    return f"{command}: exited with {exit_code}{tail}"


def _command_kind(report: Any) -> IncompleteKind:
    if report.exit_code == -signal.SIGXFSZ:
        return IncompleteKind.BUDGET
    return IncompleteKind.EXTRACTOR_FAILED


def record_from_result(result: TaskResult) -> TaskRecord:
    stat: Any = None
    sha256 = magic = None
    chunks: list[Chunk] = []
    unknown: list[tuple[int, int]] = []
    problems: list[Problem] = []
    for report in result.reports:
        if isinstance(report, unblob_report.StatReport):
            stat = report
        elif isinstance(report, unblob_report.HashReport):
            sha256 = report.sha256
        elif isinstance(report, unblob_report.FileMagicReport):
            magic = report.magic
        elif isinstance(report, unblob_report.ChunkReport | unblob_report.MultiFileReport):
            chunks.append(_chunk(report))
        elif isinstance(report, unblob_report.UnknownChunkReport):
            unknown.append((report.start_offset, report.end_offset))
        elif (problem := problem_from_report(report)) is not None:
            problems.append(problem)
    return TaskRecord(
        path=str(result.task.path),
        blob_id=result.task.blob_id,
        depth=result.task.depth,
        is_dir=bool(stat and stat.is_dir),
        is_file=bool(stat and stat.is_file),
        size=int(stat.size) if stat else 0,
        sha256=sha256,
        magic=magic,
        chunks=tuple(chunks),
        problems=tuple(problems),
        subtasks=tuple((str(task.path), task.depth) for task in result.subtasks),
        unknown=tuple(unknown),
    )


def _chunk(report: Any) -> Chunk:
    found = (problem_from_report(r) for r in report.extraction_reports)
    problems = tuple(p for p in found if p is not None)
    specials = tuple(
        SpecialFile(path=r.path or "", mode=r.mode, device=r.device)
        for r in report.extraction_reports
        if isinstance(r, unblob_report.SpecialFileExtractionProblem)
    )
    modes = _declared_modes(report.extraction_reports)
    if isinstance(report, unblob_report.MultiFileReport):
        return Chunk(report.id, report.handler_name, 0, 0, problems, specials, modes)
    return Chunk(report.id, report.handler_name, report.start_offset, report.end_offset, problems, specials, modes)


def _declared_modes(reports: list[Any]) -> DeclaredModes | None:
    for report in reports:
        if isinstance(report, DeclaredModesReport):
            return DeclaredModes(folder=report.folder, modes=tuple(report.modes.items()))
    return None


def _encode(record: TaskRecord) -> str:
    def problem(p: Problem) -> list[str | None]:
        return [p.kind.value, p.message, p.path]

    return json.dumps(
        {
            "path": record.path,
            "blob": record.blob_id,
            "depth": record.depth,
            "dir": record.is_dir,
            "file": record.is_file,
            "size": record.size,
            "sha256": record.sha256,
            "magic": record.magic,
            "chunks": [
                [
                    c.id,
                    c.handler,
                    c.start,
                    c.end,
                    [problem(p) for p in c.problems],
                    [astuple(x) for x in c.specials],
                    [c.modes.folder, dict(c.modes.modes)] if c.modes else None,
                ]
                for c in record.chunks
            ],
            "problems": [problem(p) for p in record.problems],
            "subtasks": record.subtasks,
            "unknown": record.unknown,
        }
    )


def _decode(line: str) -> TaskRecord:
    raw = json.loads(line)

    def problem(item: list[Any]) -> Problem:
        return Problem(kind=IncompleteKind(item[0]), message=item[1], path=item[2])

    return TaskRecord(
        path=raw["path"],
        blob_id=raw["blob"],
        depth=raw["depth"],
        is_dir=raw["dir"],
        is_file=raw["file"],
        size=raw["size"],
        sha256=raw["sha256"],
        magic=raw["magic"],
        chunks=tuple(
            Chunk(
                id=c[0],
                handler=c[1],
                start=c[2],
                end=c[3],
                problems=tuple(problem(p) for p in c[4]),
                specials=tuple(SpecialFile(*x) for x in c[5]),
                modes=DeclaredModes(c[6][0], tuple(c[6][1].items())) if len(c) > 6 and c[6] else None,
            )
            for c in raw["chunks"]
        ),
        problems=tuple(problem(p) for p in raw["problems"]),
        subtasks=tuple((path, depth) for path, depth in raw["subtasks"]),
        unknown=tuple((start, end) for start, end in raw["unknown"]),
    )


class JournalReporter:
    """unblob progress reporter that appends each finished task to the journal file.

    unblob instantiates the reporter class itself, without arguments, so the worker sets
    `journal_path` on the class before extraction starts (one extraction per worker process).
    """

    journal_path: ClassVar[Path | None] = None

    def __init__(self) -> None:
        self._out: TextIO | None = None

    def __enter__(self) -> "JournalReporter":
        if self.journal_path is not None:
            self._out = self.journal_path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._out is not None:
            self._out.close()

    def passed_over(self, task: Task) -> None:
        """A path the visit policy kept from unblob: extracted, but not examined for chunks."""
        if self._out is None:
            return
        try:
            size = Path(task.path).lstat().st_size
        except OSError:
            size = 0
        record = TaskRecord(str(task.path), task.blob_id, task.depth, False, True, size, None, None)
        self._out.write(_encode(record) + "\n")

    def update(self, result: TaskResult) -> None:
        if self._out is None:
            return
        try:
            line = _encode(record_from_result(result))
        except Exception as error:  # a report we cannot read must not stop the extraction
            line = _encode(_unreadable(result, error))
        self._out.write(line + "\n")
        self._out.flush()


def _unreadable(result: TaskResult, error: Exception) -> TaskRecord:
    problem = Problem(IncompleteKind.INTERNAL_ERROR, f"unreadable extraction report: {error!r}")
    task = result.task
    return TaskRecord(str(task.path), task.blob_id, task.depth, False, False, 0, None, None, problems=(problem,))


def read_journal(path: Path) -> Iterator[TaskRecord]:
    """Records in the order tasks finished; a last line cut by a kill is skipped."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.endswith("\n"):
                break
            yield _decode(line)

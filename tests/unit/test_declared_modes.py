"""The general mechanism: modes taken the moment an extraction returns, carried through the
journal, and preferred by the indexer to what is left on disk."""

import stat
from pathlib import Path

import pytest
from unblob import report as unblob_report
from unblob.file_utils import File
from unblob.models import ExtractError, Extractor, ExtractResult, Handler, Task, TaskResult, ValidChunk
from unblob.report import Report

from iotbaseline.firmware.declared_modes import (
    DeclaredModesReport,
    ModeListingExtractor,
    modes_not_listed,
    recording_modes,
    take_modes,
)
from iotbaseline.firmware.incomplete import IncompleteKind
from iotbaseline.firmware.indexer import build_tree
from iotbaseline.firmware.journal import (
    Chunk,
    DeclaredModes,
    JournalReporter,
    TaskRecord,
    problem_from_report,
    read_journal,
)
from iotbaseline.firmware.secure_walk import walk_output
from iotbaseline.firmware.unblob_setup import selected_directory_handlers, selected_handlers

FILES = {"bin/busybox": 0o4755, "usr/bin/wall": 0o2755, "etc/shadow": 0o600, "etc/passwd": 0o644}


def write_files(folder: Path, modes: dict[str, int]) -> None:
    for name, mode in modes.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode())
        path.chmod(mode)


def test_taken_modes_keep_private_and_set_id_bits_and_clear_set_id_on_disk(tmp_path: Path) -> None:
    write_files(tmp_path, FILES)
    (tmp_path / "bin/sh").symlink_to("busybox")

    modes = take_modes(tmp_path)

    assert modes == {name: stat.S_IFREG | mode for name, mode in FILES.items()}
    assert stat.S_IMODE((tmp_path / "bin/busybox").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "usr/bin/wall").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "etc/shadow").stat().st_mode) == 0o600


def test_a_container_mode_wins_only_where_its_file_type_matches_the_disk(tmp_path: Path) -> None:
    write_files(tmp_path, {"bin/busybox": 0o644, "dev/console": 0o644})
    declared = {"bin/busybox": stat.S_IFREG | 0o4755, "dev/console": stat.S_IFCHR | 0o600, "gone": 0o100600}

    modes = take_modes(tmp_path, declared)

    assert modes == {"bin/busybox": stat.S_IFREG | 0o4755, "dev/console": stat.S_IFREG | 0o644}


def test_no_folder_no_modes(tmp_path: Path) -> None:
    assert take_modes(tmp_path / "missing") == {}
    (tmp_path / "link").symlink_to(tmp_path)
    assert take_modes(tmp_path / "link") == {}


class WritingExtractor(Extractor):
    """Writes FILES, then fails the way it is told to."""

    def __init__(self, failure: Exception | None = None, reports: list[Report] | None = None) -> None:
        self.failure = failure
        self.reports = reports or []

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult:
        write_files(outdir, FILES)
        if self.failure is not None:
            raise self.failure
        return ExtractResult(reports=self.reports)


class WritingHandler(Handler[WritingExtractor]):
    NAME = "writing"
    PATTERNS = ()  # type: ignore[assignment]  # never searched for
    EXTRACTOR = WritingExtractor()
    DOC = None

    def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
        return None


def handler_with(extractor: WritingExtractor) -> Handler[WritingExtractor]:
    writer: type[WritingHandler] = type("Writer", (WritingHandler,), {"EXTRACTOR": extractor})
    return recording_modes(writer)()


def declared_in(reports: list[Report] | tuple[Report, ...]) -> dict[str, int]:
    (report,) = [r for r in reports if isinstance(r, DeclaredModesReport)]
    return {path: stat.S_IMODE(mode) for path, mode in report.modes.items()}


def test_a_wrapped_handler_reports_the_modes_it_wrote_before_unblob_fixes_them(tmp_path: Path) -> None:
    kept = unblob_report.ExtractionProblem(problem="Duplicate entry", resolution="Overwritten.")
    handler = handler_with(WritingExtractor(reports=[kept]))

    result = handler.extract(tmp_path / "in", tmp_path / "out")

    assert result is not None
    assert kept in result.reports
    assert declared_in(result.reports) == FILES
    (report,) = [r for r in result.reports if isinstance(r, DeclaredModesReport)]
    assert report.folder == str(tmp_path / "out")
    assert not (tmp_path / "out/bin/busybox").stat().st_mode & stat.S_ISUID


def test_a_failed_extraction_still_reports_the_modes_of_what_it_wrote(tmp_path: Path) -> None:
    failed = unblob_report.ExtractCommandFailedReport(command="x", stdout=b"", stderr=b"", exit_code=1)
    handler = handler_with(WritingExtractor(failure=ExtractError(failed)))

    with pytest.raises(ExtractError) as raised:
        handler.extract(tmp_path / "in", tmp_path / "out")

    assert raised.value.reports[0] is failed
    assert declared_in(raised.value.reports) == FILES


def test_an_extractor_crash_becomes_unblobs_unknown_error_with_the_modes(tmp_path: Path) -> None:
    handler = handler_with(WritingExtractor(failure=RuntimeError("boom")))

    with pytest.raises(ExtractError) as raised:
        handler.extract(tmp_path / "in", tmp_path / "out")

    assert isinstance(raised.value.reports[0], unblob_report.UnknownError)
    assert "boom" in str(raised.value.reports[0].exception)
    assert declared_in(raised.value.reports) == FILES


def test_a_listing_extractor_adds_the_container_modes_even_after_a_failure(tmp_path: Path) -> None:
    def listing(_image: Path, outdir: Path) -> list[Report]:
        return [DeclaredModesReport(folder=str(outdir), modes={"bin/busybox": stat.S_IFREG | 0o4755})]

    inner = WritingExtractor(failure=ExtractError())
    with pytest.raises(ExtractError) as raised:
        ModeListingExtractor(inner, listing).extract(tmp_path / "in", tmp_path / "out")
    assert declared_in(raised.value.reports) == {"bin/busybox": 0o4755}

    result = ModeListingExtractor(WritingExtractor(), listing).extract(tmp_path / "in", tmp_path / "out2")
    assert declared_in(result.reports) == {"bin/busybox": 0o4755}


def test_every_selected_handler_records_modes_and_keeps_its_name() -> None:
    handlers = selected_handlers()
    names = {handler.NAME for handler in handlers}

    assert {"extfs", "ubifs", "romfs", "cpio_portable_ascii", "tar", "jffs2_new"} <= names
    for handler in (*handlers, *selected_directory_handlers()):
        assert "extract" in vars(handler), handler
        assert handler.__name__ == handler.__mro__[1].__name__


def test_journal_carries_the_modes_and_a_failed_listing_is_an_extractor_failure(tmp_path: Path) -> None:
    result = TaskResult(task=Task(path=tmp_path / "fw.bin", depth=0, blob_id=""))
    modes = DeclaredModesReport(folder="/out/x_extract", modes={"bin/busybox": 0o104755, "b\udcff": 0o100600})
    result.add_report(
        unblob_report.ChunkReport(
            id="c1",
            handler_name="extfs",
            start_offset=0,
            end_offset=4096,
            size=4096,
            is_encrypted=False,
            extraction_reports=[modes, modes_not_listed("debugfs exited with 1")],
        )
    )
    journal = tmp_path / "journal.jsonl"
    JournalReporter.journal_path = journal
    try:
        with JournalReporter() as reporter:
            reporter.update(result)
    finally:
        JournalReporter.journal_path = None

    ((chunk,),) = [record.chunks for record in read_journal(journal)]

    assert chunk.modes == DeclaredModes("/out/x_extract", (("bin/busybox", 0o104755), ("b\udcff", 0o100600)))
    assert [p.kind for p in chunk.problems] == [IncompleteKind.EXTRACTOR_FAILED]
    assert problem_from_report(modes) is None


def test_the_index_prefers_the_declared_mode_when_the_file_type_agrees(tmp_path: Path) -> None:
    out = tmp_path / "out"
    folder = out / "fw.bin_extract/0-100.extfs_extract"
    write_files(folder, {"bin/busybox": 0o755, "etc/shadow": 0o644, "etc/passwd": 0o644, "etc/fifo": 0o644})
    declared = DeclaredModes(
        str(folder),
        (("bin/busybox", 0o104755), ("etc/shadow", 0o100600), ("etc/fifo", stat.S_IFIFO | 0o600)),
    )
    record = TaskRecord(
        str(out / "fw.bin"), "", 0, False, True, 100, None, None, (Chunk("c1", "extfs", 0, 100, modes=declared),)
    )

    tree = build_tree(out, walk_output(out).entries, [record], tmp_path / "fw.bin")

    modes = {f.device_path: f.mode for f in tree.files}
    assert modes == {"/bin/busybox": 0o4755, "/etc/shadow": 0o600, "/etc/passwd": 0o644, "/etc/fifo": 0o644}

from pathlib import Path

from unblob import report as unblob_report
from unblob.models import Task, TaskResult

from iotbaseline.firmware.incomplete import IncompleteKind
from iotbaseline.firmware.journal import (
    Chunk,
    JournalReporter,
    TaskRecord,
    problem_from_report,
    read_journal,
)
from iotbaseline.firmware.origin import Layer, OriginIndex


def test_journal_round_trip_keeps_chunks_hashes_and_problems(tmp_path: Path) -> None:
    result = TaskResult(task=Task(path=tmp_path / "fw.bin", depth=0, blob_id=""))
    result.add_report(
        unblob_report.StatReport(
            path=tmp_path / "fw.bin", size=10, is_dir=False, is_file=True, is_link=False, link_target=None
        )
    )
    result.add_report(unblob_report.HashReport(md5="0", sha1="0", sha256="ab" * 32))
    result.add_report(
        unblob_report.ChunkReport(
            id="c1",
            handler_name="squashfs_v4_le",
            start_offset=64,
            end_offset=4096,
            size=4032,
            is_encrypted=False,
            extraction_reports=[
                unblob_report.PathTraversalProblem(
                    problem="Path traversal attempt",
                    resolution="Redirected.",
                    path="../x",
                    extraction_path="x",
                )
            ],
        )
    )
    journal = tmp_path / "journal.jsonl"
    JournalReporter.journal_path = journal
    with JournalReporter() as reporter:
        reporter.update(result)
    with journal.open("a") as out:
        out.write('{"path": "cut by a kill')  # a last line without its newline is ignored

    (record,) = list(read_journal(journal))

    assert record.sha256 == "ab" * 32 and record.size == 10 and record.is_file
    (chunk,) = record.chunks
    assert (chunk.handler, chunk.start, chunk.end) == ("squashfs_v4_le", 64, 4096)
    assert chunk.problems[0].kind is IncompleteKind.PATH_TRAVERSAL


def test_absolute_symlink_conversion_is_normal_but_an_absolute_entry_name_is_reported() -> None:
    converted_link = unblob_report.ExtractionProblem(
        problem="Absolute path as link target.",
        resolution="Converted to extraction relative path.",
        path="bin/sh",
    )
    absolute_name = unblob_report.ExtractionProblem(
        problem="Absolute path.", resolution="Converted to extraction relative path.", path="/tmp/x"
    )
    assert problem_from_report(converted_link) is None
    absolute = problem_from_report(absolute_name)
    assert absolute is not None and absolute.kind is IncompleteKind.ABSOLUTE_PATH


def test_extractor_killed_for_file_size_is_a_budget_cut() -> None:
    failed = unblob_report.ExtractCommandFailedReport(command="7z x", stdout=b"", stderr=b"", exit_code=-25)
    problem = problem_from_report(failed)
    assert problem is not None and problem.kind is IncompleteKind.BUDGET


def record(path: str, blob: str, chunks: tuple[Chunk, ...] = ()) -> TaskRecord:
    return TaskRecord(path, blob, 0, False, True, 1, None, None, chunks)


def test_origin_chain_follows_chunk_ids_up_to_the_image() -> None:
    records = [
        record("/abs/fw.trx", "", (Chunk("trx", "trx_v1", 0, 9000),)),
        record("out/fw.trx_extract/part1", "trx", (Chunk("sq", "squashfs_v4_le", 0, 8000),)),
        record("out/fw.trx_extract/part1_extract/etc", "sq"),
    ]
    origins = OriginIndex(records, {"/abs/fw.trx": "fw.trx"})

    chain = origins.chain("out/fw.trx_extract/part1_extract/etc/passwd")

    assert chain == (
        Layer("fw.trx", "trx_v1", 0, 9000),
        Layer("out/fw.trx_extract/part1", "squashfs_v4_le", 0, 8000),
    )

"""Tables of the store as CSV or JSON, one row per record, streamed (a store of thousands of scans does not
have to fit in memory).

CSV cells that hold lists or objects (provisions, evidence) are JSON text. Text from firmware that a
spreadsheet would read as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`: an exported report
must not run code when a test lab opens it.
"""

import csv
import json
from collections.abc import Iterator
from enum import StrEnum
from typing import Any, TextIO

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from iotbaseline.store.errors import StoreError
from iotbaseline.store.queries import with_image
from iotbaseline.store.schema import (
    CheckRunRow,
    ComponentRow,
    FindingRow,
    ImageRow,
    ProductRow,
    ScanRow,
    VerdictRow,
    VulnerabilityRow,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_FETCH = 1000


class Table(StrEnum):
    SCANS = "scans"
    FINDINGS = "findings"
    VERDICTS = "verdicts"
    CHECKS = "checks"
    COMPONENTS = "components"
    VULNERABILITIES = "vulnerabilities"


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


IMAGE = {
    "scan": ScanRow.id,
    "image_sha256": ImageRow.sha256,
    "vendor": ProductRow.vendor,
    "model": ProductRow.model,
    "firmware_version": ImageRow.firmware_version,
}
COLUMNS: dict[Table, dict[str, Any]] = {
    Table.SCANS: {
        **IMAGE,
        "image_path": ScanRow.image_path,
        "status": ScanRow.status,
        "started": ScanRow.started,
        "finished": ScanRow.finished,
        "tool_version": ScanRow.tool_version,
        "output": ScanRow.output,
        "error": ScanRow.error,
    },
    Table.FINDINGS: {
        **IMAGE,
        "finding": FindingRow.finding_id,
        "check": FindingRow.check_id,
        "check_version": FindingRow.check_version,
        "outcome": FindingRow.outcome,
        "severity": FindingRow.severity,
        "title": FindingRow.title,
        "provisions": FindingRow.provisions,
        "path": FindingRow.path,
        "line": FindingRow.line,
        "offset": FindingRow.byte_offset,
        "host": FindingRow.host,
        "port": FindingRow.port,
        "url": FindingRow.url,
        "secret_fingerprint": FindingRow.secret_fingerprint,
        "evidence": FindingRow.evidence,
    },
    Table.VERDICTS: {
        **IMAGE,
        "standard": VerdictRow.standard,
        "provision": VerdictRow.provision,
        "verdict": VerdictRow.verdict,
        "reason": VerdictRow.reason,
    },
    Table.CHECKS: {
        **IMAGE,
        "check": CheckRunRow.check_id,
        "version": CheckRunRow.version,
        "status": CheckRunRow.status,
        "seconds": CheckRunRow.seconds,
        "note": CheckRunRow.note,
    },
    Table.COMPONENTS: {
        **IMAGE,
        "image_name": ComponentRow.image_name,
        "name": ComponentRow.name,
        "version": ComponentRow.version,
        "distro_version": ComponentRow.distro_version,
        "purl": ComponentRow.purl,
        "cpe": ComponentRow.cpe,
        "confidence": ComponentRow.confidence,
    },
    Table.VULNERABILITIES: {
        **IMAGE,
        "cve": VulnerabilityRow.cve,
        "component": VulnerabilityRow.component_name,
        "version": VulnerabilityRow.component_version,
        "status": VulnerabilityRow.status,
        "kev": VulnerabilityRow.kev,
        "severity": VulnerabilityRow.severity,
        "score": VulnerabilityRow.score,
        "not_affected": VulnerabilityRow.not_affected,
    },
}
SOURCE: dict[Table, Any] = {
    Table.FINDINGS: FindingRow,
    Table.VERDICTS: VerdictRow,
    Table.CHECKS: CheckRunRow,
    Table.COMPONENTS: ComponentRow,
    Table.VULNERABILITIES: VulnerabilityRow,
}


def export_query(table: Table, latest_only: bool = True) -> Select[Any]:
    """The rows of `table`: for each image's latest finished scan, or (`latest_only` False) for every scan."""
    columns = [column.label(name) for name, column in COLUMNS[table].items()]
    source = SOURCE.get(table)
    if source is None:
        query = select(*columns).select_from(ScanRow)
    else:
        query = select(*columns).select_from(source).join(ScanRow, source.scan_id == ScanRow.id)
    query = with_image(query, latest_only=latest_only)
    order = [ScanRow.id] if source is None else [ScanRow.id, source.id]
    return query.order_by(*order)


def export(engine: Engine, table: Table, form: Format, out: TextIO, latest_only: bool = True) -> int:
    """Writes the table to `out`; returns the number of rows."""
    names = list(COLUMNS[table])
    rows = _rows(engine, export_query(table, latest_only))
    if form is Format.CSV:
        return _write_csv(names, rows, out)
    return _write_json(names, rows, out)


def _rows(engine: Engine, query: Select[Any]) -> Iterator[tuple[Any, ...]]:
    try:
        with Session(engine) as session:
            for row in session.execute(query.execution_options(yield_per=ROWS_PER_FETCH)):
                yield tuple(row)
    except SQLAlchemyError as error:
        raise StoreError(f"cannot read the results database: {error.__cause__ or error}") from None


def _write_csv(names: list[str], rows: Iterator[tuple[Any, ...]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        count += 1
    return count


def csv_cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _write_json(names: list[str], rows: Iterator[tuple[Any, ...]], out: TextIO) -> int:
    out.write("[")
    count = 0
    for row in rows:
        out.write(",\n " if count else "\n ")
        out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count

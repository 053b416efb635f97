"""Streams NVD CVE JSON 2.0 (API pages, 2.0 feed files, gzipped or not) and the CISA KEV catalogue into the database.

Files are read with ijson, one `vulnerabilities` item at a time, so a 100 MB yearly feed never sits in memory.
"""

import enum
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import ijson

from iotbaseline.vulndb.errors import VulnDbError
from iotbaseline.vulndb.nvd_format import parse_cve, parse_kev
from iotbaseline.vulndb.store import UpsertCounts, VulnDatabase

_GZIP_MAGIC = b"\x1f\x8b"
_KEV_KEYS = frozenset({"catalogVersion", "dateReleased"})
_NVD_KEYS = frozenset({"resultsPerPage", "totalResults", "format"})


class SourceKind(enum.StrEnum):
    NVD = "nvd"
    KEV = "kev"


@dataclass(frozen=True)
class ImportResult:
    kind: SourceKind
    source: str
    counts: UpsertCounts
    header: dict[str, str]  # top-level facts of the file (timestamp, catalogVersion, totalResults...)


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def open_json(path: Path) -> IO[bytes]:
    """The file's JSON bytes, decompressing gzip (detected by content, not by name)."""
    try:
        raw = path.open("rb")
    except OSError as error:
        raise VulnDbError(f"cannot read {path}: {error.strerror}") from None
    if raw.read(2) == _GZIP_MAGIC:
        raw.seek(0)
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    raw.seek(0)
    return raw


def _header(stream: IO[bytes]) -> tuple[dict[str, str], SourceKind | None]:
    """Top-level scalar fields up to `vulnerabilities`, and the kind they reveal (None if they do not)."""
    header: dict[str, str] = {}
    for prefix, event, value in ijson.parse(stream):
        if prefix == "" and event == "map_key" and value == "vulnerabilities":
            break
        if "." not in prefix and prefix and event in ("string", "number", "integer", "double"):
            header[prefix] = str(value)
    keys = set(header)
    if keys & _KEV_KEYS:
        return header, SourceKind.KEV
    if header.get("format") == "NVD_CVE" or keys & _NVD_KEYS:
        return header, SourceKind.NVD
    return header, None


def _first_item_kind(stream: IO[bytes]) -> SourceKind | None:
    for item in ijson.items(stream, "vulnerabilities.item"):
        if "cve" in item:
            return SourceKind.NVD
        if "cveID" in item:
            return SourceKind.KEV
        return None
    return None


def _items(stream: IO[bytes]) -> Iterator[Any]:
    yield from ijson.items(stream, "vulnerabilities.item", use_float=True)


def import_stream(db: VulnDatabase, opener: "StreamOpener", source: str) -> ImportResult:
    """Imports a JSON document that `opener` can open twice (once to detect its kind, once to read it)."""
    try:
        with opener() as stream:
            header, kind = _header(stream)
        if kind is None:
            with opener() as stream:
                kind = _first_item_kind(stream)
        if kind is None:
            raise VulnDbError(f"{source}: neither NVD CVE JSON 2.0 nor a CISA KEV catalogue (no 'vulnerabilities')")
        with opener() as stream:
            if kind is SourceKind.NVD:
                counts = db.upsert_cves(parse_cve(item) for item in _items(stream))
            else:
                counts = db.upsert_kev(parse_kev(item) for item in _items(stream))
    except ijson.JSONError as error:
        raise VulnDbError(f"{source}: not valid JSON ({error})") from None
    except (OSError, EOFError) as error:
        raise VulnDbError(f"{source}: cannot be read ({error})") from None
    _record_import(db, kind, source, header)
    return ImportResult(kind, source, counts, header)


def _record_import(db: VulnDatabase, kind: SourceKind, source: str, header: dict[str, str]) -> None:
    facts = {f"{kind}.source": source, f"{kind}.updated_at": now_utc()}
    if kind is SourceKind.KEV:
        facts |= {f"kev.{k}": header[k] for k in ("catalogVersion", "dateReleased") if k in header}
    elif "timestamp" in header:
        facts["nvd.timestamp"] = header["timestamp"]
    db.set_meta(facts)


class StreamOpener:
    """Opens the same document again on each call (a file, or bytes already downloaded)."""

    def __init__(self, path: Path | None = None, data: bytes | None = None) -> None:
        self._path = path
        self._data = data

    def __call__(self) -> IO[bytes]:
        if self._path is not None:
            return open_json(self._path)
        data = self._data or b""
        if data[:2] == _GZIP_MAGIC:
            return cast(IO[bytes], gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb"))
        return io.BytesIO(data)


def import_file(db: VulnDatabase, path: Path) -> ImportResult:
    """Imports an NVD 2.0 file (API page or feed, `.gz` or not) or a KEV catalogue, recognised by its content."""
    if not path.is_file():
        raise VulnDbError(f"{path}: no such file")
    return import_stream(db, StreamOpener(path=path), str(path))

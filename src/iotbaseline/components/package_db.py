"""Package databases and release files: the best evidence of what an image holds, read as text.

Each reader takes a file's device path and content and returns the packages it records. Nothing is
executed and no package tool is called: dpkg and opkg status files are RFC 822 stanzas, Yocto and
Buildroot manifests are lines and CSV, release files are shell assignments.
"""

import csv
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

MAX_CHANGELOG_HEAD = 4096
"""Bytes of a compressed Debian changelog inflated: only its first entry is read."""


@dataclass(frozen=True)
class PackageRecord:
    name: str
    version: str
    """As the database writes it (`1:2.90-4~deb12u1`)."""
    source: str | None
    """The source package, when the database names it (dpkg's `Source:`, a changelog's heading)."""
    offset: int
    matched: str
    """The line that states the version."""
    database: str
    """dpkg, opkg, yocto-manifest, buildroot-manifest, debian-changelog, openwrt_release, os-release."""
    os_name: str | None = None
    """For release files: the distribution's own name (`Homevolt Hub OS`)."""


Reader = Callable[[str, bytes], list[PackageRecord]]


def reader_for(device_path: str) -> Reader | None:
    """The reader for a file at `device_path`, or None when it is no package database we know."""
    path = PurePosixPath(device_path)
    text = str(path)
    if text.endswith("/var/lib/dpkg/status") or path.parent.match("*/var/lib/dpkg/status.d"):
        return _stanzas("dpkg")
    if path.name == "status" and path.parent.name in ("opkg", "ipkg"):
        return _stanzas("opkg")
    if path.suffix == ".control" and path.parent.name == "info" and path.parent.parent.name in ("opkg", "ipkg"):
        return _stanzas("opkg")
    if path.name.startswith("changelog.Debian") and path.name.endswith(".gz") and "/usr/share/doc/" in text:
        return _debian_changelog
    if path.name == "openwrt_release":
        return _openwrt_release
    if path.name == "os-release" and path.parent.name in ("etc", "lib"):
        return _os_release
    if path.name == "manifest.csv":
        return _buildroot_manifest
    if path.suffix == ".manifest":
        return _yocto_manifest
    return None


def _stanzas(database: str) -> Reader:
    def read(device_path: str, content: bytes) -> list[PackageRecord]:
        return [record for stanza, offset in _split_stanzas(content) if (record := _package(stanza, offset, database))]

    return read


def _split_stanzas(content: bytes) -> Iterator[tuple[dict[str, tuple[str, int]], int]]:
    """Field -> (value, offset of its line), per stanza; continuation lines are dropped (we need none)."""
    fields: dict[str, tuple[str, int]] = {}
    start = 0
    offset = 0
    for raw in content.splitlines(keepends=True):
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line.strip():
            if fields:
                yield fields, start
            fields = {}
        elif not line[0].isspace() and ":" in line:
            if not fields:
                start = offset
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = (value.strip(), offset)
        offset += len(raw)
    if fields:
        yield fields, start


def _package(stanza: dict[str, tuple[str, int]], start: int, database: str) -> PackageRecord | None:
    if "package" not in stanza or "version" not in stanza:
        return None
    status = stanza.get("status", ("installed", 0))[0].split()
    if status and status[-1] in ("not-installed", "config-files"):
        return None
    version, version_offset = stanza["version"]
    source = stanza.get("source", ("", 0))[0].split(" ")[0] or None
    return PackageRecord(
        name=stanza["package"][0],
        version=version,
        source=source,
        offset=version_offset,
        matched=f"Package: {stanza['package'][0]} / Version: {version}",
        database=database,
    )


_CHANGELOG_HEADING = re.compile(rb"^([a-z0-9][a-z0-9+.-]+) \(([^()\s]+)\) ")


def _debian_changelog(device_path: str, content: bytes) -> list[PackageRecord]:
    """The first heading of `/usr/share/doc/PKG/changelog.Debian.gz`: the source and its version."""
    head = _gunzip_head(content)
    match = _CHANGELOG_HEADING.match(head)
    if match is None:
        return []
    package = PurePosixPath(device_path).parent.name
    source, version = match.group(1).decode(), match.group(2).decode()
    line = head.split(b"\n", 1)[0].decode("utf-8", "replace")
    return [PackageRecord(package, version, source, 0, line, "debian-changelog")]


def _gunzip_head(content: bytes) -> bytes:
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return inflater.decompress(content, MAX_CHANGELOG_HEAD)
    except zlib.error:
        return b""


def _assignments(content: bytes) -> dict[str, tuple[str, int, str]]:
    """KEY=value lines of a shell-style release file: key -> (unquoted value, offset, line)."""
    found: dict[str, tuple[str, int, str]] = {}
    offset = 0
    for raw in content.splitlines(keepends=True):
        line = raw.decode("utf-8", "replace").strip()
        key, sep, value = line.partition("=")
        if sep and key.replace("_", "").isalnum():
            found[key] = (value.strip().strip("'\""), offset, line)
        offset += len(raw)
    return found


def _openwrt_release(device_path: str, content: bytes) -> list[PackageRecord]:
    values = _assignments(content)
    if "DISTRIB_RELEASE" not in values:
        return []
    release, offset, line = values["DISTRIB_RELEASE"]
    revision = values.get("DISTRIB_REVISION", ("", 0, ""))[0]
    name = values.get("DISTRIB_ID", ("OpenWrt", 0, ""))[0].lower()
    return [PackageRecord(name, release, revision or None, offset, line, "openwrt_release")]


def _os_release(device_path: str, content: bytes) -> list[PackageRecord]:
    values = _assignments(content)
    if "ID" not in values or "VERSION_ID" not in values:
        return []
    version, offset, line = values["VERSION_ID"]
    os_name = values.get("NAME", (values["ID"][0], 0, ""))[0]
    return [PackageRecord(values["ID"][0].lower(), version, None, offset, line, "os-release", os_name=os_name)]


def _buildroot_manifest(device_path: str, content: bytes) -> list[PackageRecord]:
    """Buildroot's `legal-info/manifest.csv`: "PACKAGE","VERSION","LICENSE",..."""
    rows = csv.reader(io.StringIO(content.decode("utf-8", "replace")))
    header = [cell.strip().upper() for cell in next(rows, [])]
    if "PACKAGE" not in header or "VERSION" not in header:
        return []
    name_at, version_at = header.index("PACKAGE"), header.index("VERSION")
    records = []
    for row in rows:
        if len(row) > max(name_at, version_at) and row[name_at] and row[version_at]:
            line = ",".join(row)[:200]
            records.append(PackageRecord(row[name_at], row[version_at], None, 0, line, "buildroot-manifest"))
    return records


def _yocto_manifest(device_path: str, content: bytes) -> list[PackageRecord]:
    """A Yocto image manifest: `name architecture version` per line."""
    records = []
    offset = 0
    for raw in content.splitlines(keepends=True):
        parts = raw.decode("utf-8", "replace").split()
        if len(parts) == 3 and parts[2][:1].isdigit():
            records.append(PackageRecord(parts[0], parts[2], None, offset, " ".join(parts), "yocto-manifest"))
        offset += len(raw)
    return records

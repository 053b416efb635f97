"""Identification: which components an image holds, with which versions, and why we think so.

`ComponentCollector` sees files one at a time (the checks runner's single pass feeds it), reads
package databases by path and runs every signature's anchor over binaries in one engine pass.
`identify_components` drives it over a whole tree for callers outside a scan.

Bounded work: a file is scanned in its first `HEAD_BYTES` and, when larger, its last `TAIL_BYTES`
(version banners sit in .rodata, near either end of big kernels and monolithic binaries); the middle
of files larger than 32 MiB is not scanned. Nothing from the image is ever executed.
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from iotbaseline.components.catalogue import ComponentCatalogue, DebugTool, Signature, load_catalogue
from iotbaseline.components.engine import AnchorScanner
from iotbaseline.components.identifiers import cpe23, purl
from iotbaseline.components.model import (
    CONFIDENCE,
    PRESENCE_ONLY_CONFIDENCE,
    Component,
    Evidence,
    Method,
)
from iotbaseline.components.package_db import PackageRecord, reader_for
from iotbaseline.components.versions import upstream_version
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import FirmwareTree, TreeFile

MIB = 1024 * 1024
HEAD_BYTES = 24 * MIB
TAIL_BYTES = 8 * MIB
SIGNATURE_KINDS = frozenset({FileKind.ELF, FileKind.DATA, FileKind.SCRIPT})
"""Binaries, libraries, kernels, boot loaders and scripts; other text only as package databases."""
PACKAGE_DB_KINDS = frozenset({FileKind.TEXT, FileKind.SCRIPT, FileKind.COMPRESSED, FileKind.DATA})
MAX_REGEX_SPAN = 512
"""Bytes a version regex may read past its anchor."""
MAX_EVIDENCE = 32
"""Evidence kept per component (a kernel's vermagic is in each of hundreds of modules)."""
MATCHED_TEXT_LIMIT = 160


@dataclass(frozen=True)
class DebugToolSighting:
    tool: str
    path: str
    sha256: str
    matched: str
    offset: int | None = None


@dataclass(frozen=True)
class _Sighting:
    key: str
    version: str | None
    evidence: Evidence


class ComponentCollector:
    """Accumulates components over one image's files; `components()` gives the merged result."""

    def __init__(self, catalogue: ComponentCatalogue | None = None) -> None:
        self.catalogue = catalogue or load_catalogue()
        debug_anchors = [(tool, anchor) for tool in self.catalogue.debug_tools for anchor in tool.anchors]
        self._targets: list[Signature | DebugTool] = [*self.catalogue.signatures, *(t for t, _ in debug_anchors)]
        anchors = [s.anchor for s in self.catalogue.signatures] + [a for _, a in debug_anchors]
        self._scanner = AnchorScanner(anchors)
        self._debug_by_file = {name: tool for tool in self.catalogue.debug_tools for name in tool.files}
        self._sightings: list[_Sighting] = []
        self._os_names: dict[str, str] = {}
        self.debug_tools: list[DebugToolSighting] = []
        self.files_scanned = 0
        self.files_truncated: list[str] = []
        """Files larger than HEAD_BYTES + TAIL_BYTES, whose middle was not scanned."""

    @staticmethod
    def wants(file: TreeFile) -> bool:
        """Whether `visit` would look at this file (lets callers skip reading the others)."""
        if file.type.kind in SIGNATURE_KINDS:
            return True
        return file.type.kind in PACKAGE_DB_KINDS and reader_for(shown_path(file)) is not None

    def visit(self, file: TreeFile, head: bytes, tail: bytes = b"") -> None:
        """`head`: the file's first bytes; `tail`: its last bytes when the file is larger than `head`."""
        path = shown_path(file)
        reader = reader_for(path) if file.type.kind in PACKAGE_DB_KINDS else None
        if reader is not None:
            for record in reader(path, head):
                self._add_package(record, path, file.sha256)
        if file.type.kind not in SIGNATURE_KINDS:
            return
        self.files_scanned += 1
        if file.size > len(head) + len(tail):
            self.files_truncated.append(path)
        if file.type.kind is FileKind.ELF:
            self._by_file_name(file, path)
        seen: dict[tuple[str, str | None], int] = {}
        """(component or tool, version) -> index of its sighting from this file: one per file."""
        self._scan(file, path, head, 0, seen)
        if tail:
            self._scan(file, path, tail, file.size - len(tail), seen)

    def components(self) -> list[Component]:
        return merge(self._sightings, self.catalogue, self._os_names)

    def _scan(self, file: TreeFile, path: str, data: bytes, base: int, seen: dict[tuple[str, str | None], int]) -> None:
        for index, offset in self._scanner.scan(data):
            target = self._targets[index]
            if isinstance(target, DebugTool):
                if (target.name, None) not in seen:
                    seen[(target.name, None)] = -1
                    text = printable_around(data, offset, offset)
                    self.debug_tools.append(DebugToolSighting(target.name, path, file.sha256, text, base + offset))
                continue
            if target.in_files is not None and not target.in_files.search(PurePosixPath(path).name):
                continue
            found = read_version(target, data, offset)
            if found is None:
                continue
            version, distro, at, text = found
            confidence = CONFIDENCE[Method.SIGNATURE] if version else PRESENCE_ONLY_CONFIDENCE
            evidence = Evidence(Method.SIGNATURE, path, text, base + at, file.sha256, distro, None, confidence)
            sighting = _Sighting(target.component, version, evidence)
            earlier = seen.get((target.component, version))
            if earlier is None:
                seen[(target.component, version)] = len(self._sightings)
                self._sightings.append(sighting)
            elif distro and not self._sightings[earlier].evidence.distro_version:
                # "BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1)" says more than "syslogd started: BusyBox v1.35.0"
                self._sightings[earlier] = sighting

    def _by_file_name(self, file: TreeFile, path: str) -> None:
        name = PurePosixPath(path).name
        tool = self._debug_by_file.get(name)
        if tool is not None:
            self.debug_tools.append(DebugToolSighting(tool.name, path, file.sha256, name))
        for rule in self.catalogue.file_names:
            match = rule.pattern.match(name)
            if match is None:
                continue
            soname = match.group("soname")
            version = soname if rule.versions is None else rule.versions.get(soname)
            confidence = CONFIDENCE[Method.FILE_NAME] if version else PRESENCE_ONLY_CONFIDENCE
            evidence = Evidence(Method.FILE_NAME, path, name, None, file.sha256, None, None, confidence)
            self._sightings.append(_Sighting(rule.component, version, evidence))

    def _add_package(self, record: PackageRecord, path: str, sha256: str) -> None:
        by_package = self.catalogue.by_package
        key = by_package.get(record.name.lower()) or by_package.get((record.source or "").lower())
        if key is None and record.name in self.catalogue.components:
            key = record.name
        if key is None:
            key = f"package:{record.name}"
            if record.os_name:
                self._os_names[key] = record.os_name
        version = upstream_version(record.version) if record.database not in _RELEASE_FILES else record.version
        distro = record.version if version != record.version else None
        evidence = Evidence(
            Method.PACKAGE_DB,
            path,
            record.matched,
            record.offset,
            sha256,
            distro,
            record.name,
            CONFIDENCE[Method.PACKAGE_DB],
        )
        self._sightings.append(_Sighting(key, version, evidence))


_RELEASE_FILES = frozenset({"openwrt_release", "os-release"})


def identify_components(tree: FirmwareTree) -> list[Component]:
    """Every component of an extracted image, merged, best evidence first; no scan or checks needed."""
    collector = ComponentCollector()
    for file in tree.files:
        if not collector.wants(file):
            continue
        try:
            head, tail = read_bounded(tree, file)
        except OSError:
            continue
        collector.visit(file, head, tail)
    return collector.components()


def read_bounded(tree: FirmwareTree, file: TreeFile, head_bytes: int = HEAD_BYTES) -> tuple[bytes, bytes]:
    """The first `head_bytes` of a file and, when it is larger, its last `TAIL_BYTES` (never overlapping)."""
    with tree.open(file.path) as stream:
        head = stream.read(head_bytes)
        if file.size <= len(head):
            return head, b""
        return head, read_tail(stream, file.size, len(head))


def read_tail(stream: BinaryIO, size: int, head_length: int) -> bytes:
    start = max(head_length, size - TAIL_BYTES)
    stream.seek(start)
    return stream.read(size - start)


def read_version(signature: Signature, data: bytes, offset: int) -> tuple[str | None, str | None, int, str] | None:
    """(version, distro version, offset of the match, the text around it) at an anchor, or None."""
    if signature.version is None:
        return None, None, offset, printable_around(data, offset, offset + len(signature.anchor))
    if signature.window is None:
        match = signature.version.match(data, offset, min(len(data), offset + MAX_REGEX_SPAN))
    else:
        low = max(0, offset + signature.window[0])
        high = min(len(data), offset + len(signature.anchor) + signature.window[1])
        candidates = list(signature.version.finditer(data, low, high))
        match = min(candidates, key=lambda m: abs(m.start("version") - offset), default=None)
    if match is None:
        return None
    version = match.group("version").decode("ascii", "replace")
    distro = match.groupdict().get("distro")
    text = printable_around(data, match.start("version"), match.end("version"))
    return version, distro.decode("ascii", "replace") if distro else None, match.start("version"), text


def printable_around(data: bytes, start: int, end: int) -> str:
    """The printable string that contains data[start:end], as `strings` would show it (bounded)."""
    low = start
    while low > 0 and start - low < MATCHED_TEXT_LIMIT and 0x20 <= data[low - 1] < 0x7F:
        low -= 1
    high = end
    while high < len(data) and high - end < MATCHED_TEXT_LIMIT and 0x20 <= data[high] < 0x7F:
        high += 1
    return data[low:high].decode("ascii", "replace")


def shown_path(file: TreeFile) -> str:
    """The path a report shows: the device's when the file lies in a root filesystem."""
    return file.device_path if file.device_path is not None else "/" + file.path


def merge(sightings: list[_Sighting], catalogue: ComponentCatalogue, os_names: dict[str, str]) -> list[Component]:
    """One component per (component, version); presence-only sightings join a versioned one of the
    same component when there is one. Evidence best first: package databases, signatures, file names."""
    grouped: dict[tuple[str, str | None], list[Evidence]] = defaultdict(list)
    for sighting in sightings:
        grouped[(sighting.key, sighting.version)].append(sighting.evidence)
    versioned = defaultdict(list)
    for key, version in grouped:
        if version is not None:
            versioned[key].append(version)
    for (key, version), evidence in list(grouped.items()):
        if version is None and versioned.get(key):
            grouped[(key, versioned[key][0])].extend(evidence)
            del grouped[(key, version)]
    components = [
        _component(key, version, evidence, catalogue, os_names) for (key, version), evidence in grouped.items()
    ]
    return sorted(components, key=lambda c: (c.name, c.version or ""))


_METHOD_RANK = {Method.PACKAGE_DB: 0, Method.SIGNATURE: 1, Method.FILE_NAME: 2}


def _component(
    key: str, version: str | None, evidence: list[Evidence], catalogue: ComponentCatalogue, os_names: dict[str, str]
) -> Component:
    ranked = sorted(set(evidence), key=lambda e: (_METHOD_RANK[e.method], -e.confidence, e.path, e.offset or 0))
    spec = catalogue.components.get(key)
    if spec is None:
        name = os_names.get(key, key.removeprefix("package:"))
        kind = "operating-system" if key in os_names else "application"
        package_purl = _package_purl(ranked, name, version)
        return Component(
            key, name, version, kind, package_purl, None, ranked[0].confidence, tuple(ranked[:MAX_EVIDENCE])
        )
    cpe = cpe23(spec.cpe_part, spec.cpe_vendor, spec.cpe_product, version)
    component_purl = purl(spec.purl_type, spec.name, version)
    confidence = max(e.confidence for e in ranked) if version else PRESENCE_ONLY_CONFIDENCE
    return Component(key, spec.name, version, spec.type, component_purl, cpe, confidence, tuple(ranked[:MAX_EVIDENCE]))


def _package_purl(evidence: list[Evidence], name: str, version: str | None) -> str:
    best = evidence[0]
    if best.method is Method.PACKAGE_DB and best.distro_version and best.package:
        return purl("deb" if "/dpkg/" in best.path else "generic", best.package, best.distro_version)
    return purl("generic", name, version)

"""The component inventory check: identifies components in the scan's single pass over the files
and records them in the image's facts for the SBOM and for vulnerability matching.

Its findings: one INFO finding per image with the inventory; debug tools left in production
(EN 303 645 5.6-6); TLS libraries past their end of life (5.5-2), only where the version says so
beyond doubt.
"""

from collections.abc import Iterable
from typing import ClassVar

from iotbaseline.checks.base import MIB, Check, CheckSettings, ScannedImage
from iotbaseline.components.identify import HEAD_BYTES, ComponentCollector, DebugToolSighting, read_tail
from iotbaseline.components.model import Component
from iotbaseline.components.versions import older_than
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity

DEBUG_TOOLS = "EN303645:5.6-6"
REVIEWED_CRYPTO = "EN303645:5.5-2"


class ComponentInventoryCheck(Check):
    id: ClassVar[str] = "firmware.components.inventory"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Software components"
    provisions: ClassVar[tuple[str, ...]] = (DEBUG_TOOLS, REVIEWED_CRYPTO)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset(
        {FileKind.ELF, FileKind.DATA, FileKind.SCRIPT, FileKind.TEXT, FileKind.COMPRESSED}
    )
    max_file_bytes: ClassVar[int] = HEAD_BYTES
    time_budget: ClassVar[float] = 600.0

    def __init__(self, settings: CheckSettings | None = None) -> None:
        super().__init__(settings)
        self._collectors: dict[str, ComponentCollector] = {}

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._collectors[image.name] = ComponentCollector()
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        collector = self._collectors.setdefault(image.name, ComponentCollector())
        if not collector.wants(file):
            return ()
        tail = b""
        if file.size > len(content) and len(content) >= HEAD_BYTES:
            with image.tree.open(file.path) as stream:
                tail = read_tail(stream, file.size, len(content))
        collector.visit(file, content, tail)
        return ()

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        collector = self._collectors.pop(image.name, ComponentCollector())
        components = collector.components()
        image.facts.components = components
        yield self._inventory(image, collector, components)
        yield from (self._debug_tool(image, sighting) for sighting in _one_per_path(collector.debug_tools))
        yield from self._outdated_tls(image, collector, components)

    def _inventory(self, image: ScannedImage, collector: ComponentCollector, components: list[Component]) -> Finding:
        versioned = sum(1 for c in components if c.version)
        detail = (
            f"{len(components)} components identified ({versioned} with their version) in "
            f"{collector.files_scanned} binaries and package databases"
        )
        if collector.files_truncated:
            detail += (
                f"; {len(collector.files_truncated)} files over {(HEAD_BYTES + 8 * MIB) // MIB} MiB scanned in "
                "their first and last parts only"
            )
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.INFO,
            provisions=(),
            severity=Severity.INFO,
            title="Software component inventory",
            detail=detail,
            location=Location(image=image.name),
            evidence={
                "count": len(components),
                "components": [
                    {"name": c.name, "version": c.version, "purl": c.purl, "cpe": c.cpe, "confidence": c.confidence}
                    for c in components
                ],
                "truncated_files": collector.files_truncated[:50],
            },
            discriminator="inventory",
        )

    def _debug_tool(self, image: ScannedImage, sighting: DebugToolSighting) -> Finding:
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.FAIL,
            provisions=(DEBUG_TOOLS,),
            severity=Severity.LOW,
            title=f"Debug tool in production firmware: {sighting.tool}",
            detail=(
                f"{sighting.path} is {sighting.tool}, a development tool a consumer device does not need; "
                "it helps an attacker who gets a shell. Remove it from release builds."
            ),
            location=Location(image=image.name, path=sighting.path, offset=sighting.offset),
            evidence={"tool": sighting.tool, "matched": sighting.matched, "sha256": sighting.sha256},
            discriminator=sighting.tool,
        )

    def _outdated_tls(
        self, image: ScannedImage, collector: ComponentCollector, components: list[Component]
    ) -> Iterable[Finding]:
        for component in components:
            spec = collector.catalogue.components.get(component.key)
            if spec is None or spec.tls is None or component.version is None:
                continue
            if not older_than(component.version, spec.tls.outdated_before):
                continue
            best = component.evidence[0]
            yield Finding(
                check=self.id,
                check_version=self.version,
                outcome=Outcome.FAIL,
                provisions=(REVIEWED_CRYPTO,),
                severity=Severity.MEDIUM,
                title=f"Outdated TLS library: {component.name} {component.version}",
                detail=spec.tls.why,
                location=Location(image=image.name, path=best.path, offset=best.offset),
                evidence={"component": component.to_dict()},
                discriminator=f"{component.name}@{component.version}",
            )


def _one_per_path(sightings: list[DebugToolSighting]) -> list[DebugToolSighting]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for sighting in sightings:
        if (sighting.tool, sighting.path) not in seen:
            seen.add((sighting.tool, sighting.path))
            kept.append(sighting)
    return kept

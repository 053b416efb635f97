"""A manufacturer's "not affected" statements (CycloneDX VEX JSON, or a short YAML list) applied to matches.

Statements mark a match; they never remove it, so a report can show the CVE, the match and the justification.
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from iotbaseline.vulndb.errors import VulnDbError
from iotbaseline.vulndb.match import NotAffected, VulnerabilityMatch

_NOT_AFFECTED_STATES = frozenset({"not_affected", "false_positive"})


@dataclass(frozen=True)
class VexStatement:
    cve_id: str
    component: str | None  # a name, a purl, or None for every component
    justification: str
    detail: str
    source: str

    def applies_to(self, match: VulnerabilityMatch) -> bool:
        if self.cve_id.upper() != match.cve_id.upper():
            return False
        if self.component is None:
            return True
        name, version = _component_name(self.component)
        if name != match.component.lower():
            return False
        return version is None or version == match.component_version


def _component_name(reference: str) -> tuple[str, str | None]:
    """(name, version or None) from a name or a purl such as `pkg:deb/debian/dnsmasq@2.90?arch=mipsel`."""
    if not reference.startswith("pkg:"):
        return reference.strip().lower(), None
    path = reference.split("?", 1)[0].split("#", 1)[0]
    name, _, version = path.rsplit("/", 1)[-1].partition("@")
    return name.lower(), version or None


def _target(component: Mapping[str, Any]) -> str:
    """The component a statement is about, as matching names it: the name and the version a CVE is matched
    on (a Debian purl carries `2.90-4~deb12u2` where NVD knows `2.90`), else the purl, else the name."""
    name, version = component.get("name"), component.get("version")
    if name and version:
        return f"pkg:generic/{name}@{version}"
    return str(component.get("purl") or name or "")


def _cyclonedx(document: Mapping[str, Any], source: str) -> list[VexStatement]:
    refs: dict[str, str] = {}
    for component in document.get("components") or ():
        if "bom-ref" in component:
            refs[str(component["bom-ref"])] = _target(component)
    statements = []
    for index, vulnerability in enumerate(document.get("vulnerabilities") or ()):
        analysis: Mapping[str, Any] = vulnerability.get("analysis") or {}
        if analysis.get("state") not in _NOT_AFFECTED_STATES:
            continue
        cve_id = vulnerability.get("id")
        if not isinstance(cve_id, str):
            raise VulnDbError(f"{source}: vulnerabilities[{index}] has no 'id'")
        justification = str(analysis.get("justification") or analysis.get("state"))
        detail = str(analysis.get("detail") or "")
        affects: Sequence[Mapping[str, Any]] = vulnerability.get("affects") or ()
        targets: list[str | None] = [refs.get(str(a.get("ref")), str(a.get("ref"))) for a in affects] or [None]
        statements += [VexStatement(cve_id, t, justification, detail, source) for t in targets]
    return statements


def _yaml_list(entries: Any, source: str) -> list[VexStatement]:
    if isinstance(entries, Mapping):
        entries = entries.get("not_affected")
    if not isinstance(entries, list):
        raise VulnDbError(f"{source}: expected a list of {{cve, component, justification}} entries")
    statements = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not entry.get("cve") or not entry.get("justification"):
            raise VulnDbError(f"{source}: entry {index + 1} needs at least 'cve' and 'justification'")
        component = entry.get("component")
        statements.append(
            VexStatement(
                str(entry["cve"]),
                str(component) if component else None,
                str(entry["justification"]),
                str(entry.get("detail") or ""),
                source,
            )
        )
    return statements


def load_vex(path: Path) -> list[VexStatement]:
    """Reads CycloneDX VEX JSON (recognised by `bomFormat`) or the YAML list form."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise VulnDbError(f"cannot read the VEX file {path}: {error}") from None
    try:
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise VulnDbError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {error}") from None
    if isinstance(document, Mapping) and document.get("bomFormat") == "CycloneDX":
        return _cyclonedx(document, str(path))
    return _yaml_list(document, str(path))


def apply_vex(matches: Iterable[VulnerabilityMatch], statements: Sequence[VexStatement]) -> list[VulnerabilityMatch]:
    """The matches, those a statement covers marked not affected with its justification (first statement wins)."""
    result = []
    for match in matches:
        statement = next((s for s in statements if s.applies_to(match)), None)
        if statement is not None:
            match = replace(
                match, not_affected=NotAffected(statement.justification, statement.detail, statement.source)
            )
        result.append(match)
    return result

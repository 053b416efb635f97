"""Where a release's component list comes from: the scan itself, the CycloneDX SBOM a scan wrote, or the
inventory finding every report carries (all a stored scan's assessment has).

Reports and SBOMs may come from anywhere: malformed entries are skipped, never a traceback.
"""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from iotbaseline.components.model import Component
from iotbaseline.diff.model import ComponentRef
from iotbaseline.errors import InputError
from iotbaseline.model import Assessment, JSONValue

INVENTORY_CHECK = "firmware.components.inventory"
INVENTORY_DISCRIMINATOR = "inventory"
KEY_PROPERTY = "iotbaseline:key"
MAX_SBOM_BYTES = 256 * 1024 * 1024

KeyReader = Callable[[dict[str, JSONValue]], str | None]


def from_components(components: Mapping[str, Sequence[Component]]) -> tuple[ComponentRef, ...]:
    """A scan's components, image by image."""
    return tuple(ComponentRef(c.name, c.version, c.key, c.purl) for per_image in components.values() for c in per_image)


def from_inventory(assessment: Assessment) -> tuple[ComponentRef, ...] | None:
    """The inventory findings' components; None when the assessment has no inventory finding."""
    inventories = [
        f for f in assessment.findings if f.check == INVENTORY_CHECK and f.discriminator == INVENTORY_DISCRIMINATOR
    ]
    if not inventories:
        return None
    return tuple(ref for finding in inventories for ref in _refs(finding.evidence.get("components")))


def from_cyclonedx(paths: Iterable[Path]) -> tuple[ComponentRef, ...] | None:
    """The components of CycloneDX JSON SBOMs (the firmware itself, the root component, is not one of them);
    None when one of them has no component list (not an SBOM this tool wrote)."""
    refs: list[ComponentRef] = []
    for path in paths:
        document = _read_json(path)
        listed = document.get("components", []) if isinstance(document, dict) else None
        if not isinstance(listed, list):
            return None
        refs.extend(_refs(listed, key_of=_cyclonedx_key))
    return tuple(refs)


def _refs(listed: JSONValue, key_of: KeyReader | None = None) -> list[ComponentRef]:
    if not isinstance(listed, list):
        return []
    refs = []
    for item in listed:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            continue
        version, purl = item.get("version"), item.get("purl")
        refs.append(
            ComponentRef(
                name=item["name"],
                version=version if isinstance(version, str) and version else None,
                key=key_of(item) if key_of is not None else None,
                purl=purl if isinstance(purl, str) else None,
            )
        )
    return refs


def _cyclonedx_key(item: dict[str, JSONValue]) -> str | None:
    properties = item.get("properties")
    if not isinstance(properties, list):
        return None
    for prop in properties:
        if isinstance(prop, dict) and prop.get("name") == KEY_PROPERTY and isinstance(prop.get("value"), str):
            value: str = prop["value"]
            return value
    return None


def _read_json(path: Path) -> JSONValue:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_SBOM_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from error
    if len(data) > MAX_SBOM_BYTES:
        raise InputError(f"{path}: larger than {MAX_SBOM_BYTES // (1024 * 1024)} MiB; not an SBOM this tool wrote")
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{path}: not JSON ({error})") from error

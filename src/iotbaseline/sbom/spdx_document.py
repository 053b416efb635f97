"""SPDX 2.3 JSON, written to the specification (spdx.github.io/spdx-spec/v2.3): the firmware is the
package the document describes and CONTAINS each component; purl and CPE 2.3 are external
references; the evidence is the package's sourceInfo. Files are not listed (SPDX requires a SHA-1
of each, which we do not compute); their SHA-256 is in sourceInfo and in the CycloneDX document."""

import json
import re
import uuid
from datetime import UTC, datetime

from iotbaseline import __version__
from iotbaseline.components.model import Component
from iotbaseline.model import JSONValue
from iotbaseline.sbom.image import ImageInfo

NAMESPACE_BASE = "https://spdx.org/spdxdocs/iotbaseline"
_PURPOSE = {"library": "LIBRARY", "application": "APPLICATION", "operating-system": "OPERATING-SYSTEM"}
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
NOASSERTION = "NOASSERTION"


def spdx_json(components: list[Component], image: ImageInfo, created: datetime | None = None) -> str:
    when = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    root_id = "SPDXRef-firmware"
    packages: list[JSONValue] = [_firmware(image, root_id)]
    relationships: list[JSONValue] = [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": root_id}
    ]
    for index, component in enumerate(components):
        spdx_id = f"SPDXRef-Package-{index}-{_ID_UNSAFE.sub('-', component.name)}"
        packages.append(_package(component, spdx_id))
        relationships.append({"spdxElementId": root_id, "relationshipType": "CONTAINS", "relatedSpdxElement": spdx_id})
    document = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"SBOM of {image.name}",
        "documentNamespace": f"{NAMESPACE_BASE}/{_ID_UNSAFE.sub('-', image.name)}-{image.sha256[:16]}-{uuid.uuid4()}",
        "creationInfo": {"created": when, "creators": [f"Tool: iotbaseline-{__version__}"]},
        "documentDescribes": [root_id],
        "packages": packages,
        "relationships": relationships,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _firmware(image: ImageInfo, spdx_id: str) -> dict[str, JSONValue]:
    package: dict[str, JSONValue] = {
        "SPDXID": spdx_id,
        "name": image.name,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "checksums": [{"algorithm": "SHA256", "checksumValue": image.sha256}],
        "primaryPackagePurpose": "FIRMWARE",
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
    }
    if image.version:
        package["versionInfo"] = image.version
    return package


def _package(component: Component, spdx_id: str) -> dict[str, JSONValue]:
    references: list[JSONValue] = [
        {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": component.purl}
    ]
    if component.cpe:
        references.append(
            {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": component.cpe}
        )
    package: dict[str, JSONValue] = {
        "SPDXID": spdx_id,
        "name": component.name,
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": False,
        "externalRefs": references,
        "primaryPackagePurpose": _PURPOSE.get(component.type, "FIRMWARE" if component.type == "firmware" else "OTHER"),
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "sourceInfo": _source_info(component),
    }
    if component.version:
        package["versionInfo"] = component.version
    return package


def _source_info(component: Component) -> str:
    lines = [f"identified with confidence {component.confidence}"]
    for evidence in component.evidence[:8]:
        where = evidence.path + (f" at offset {evidence.offset}" if evidence.offset is not None else "")
        line = f"{evidence.method.value}: {where}: {evidence.matched[:120]!r}"
        if evidence.sha256:
            line += f" (file sha256 {evidence.sha256})"
        if evidence.distro_version:
            line += f" (distribution version {evidence.distro_version})"
        lines.append(line)
    return "\n".join(lines)

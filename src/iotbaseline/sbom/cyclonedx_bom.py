"""CycloneDX 1.6 JSON through cyclonedx-python-lib: the firmware as metadata.component, each
component with purl, CPE 2.3 and its evidence (identity with the method and confidence, and an
occurrence per file with offset, the matched text and the file's SHA-256)."""

from collections.abc import Sequence
from decimal import Decimal

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component as CdxComponent
from cyclonedx.model.component import ComponentType
from cyclonedx.model.component_evidence import (
    AnalysisTechnique,
    ComponentEvidence,
    Identity,
    IdentityField,
    Occurrence,
)
from cyclonedx.model.component_evidence import Method as CdxMethod
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from iotbaseline import __version__
from iotbaseline.components.model import Component, Evidence, Method
from iotbaseline.sbom.image import ImageInfo

_TECHNIQUE = {
    Method.PACKAGE_DB: AnalysisTechnique.MANIFEST_ANALYSIS,
    Method.SIGNATURE: AnalysisTechnique.BINARY_ANALYSIS,
    Method.FILE_NAME: AnalysisTechnique.FILENAME,
}
_TYPE = {
    "library": ComponentType.LIBRARY,
    "application": ComponentType.APPLICATION,
    "operating-system": ComponentType.OPERATING_SYSTEM,
    "firmware": ComponentType.FIRMWARE,
}


def cyclonedx_json(components: Sequence[Component], image: ImageInfo) -> str:
    bom = firmware_bom(image)
    built = cyclonedx_components(components)
    for item in built:
        bom.components.add(item)
    if bom.metadata.component is not None:
        bom.register_dependency(bom.metadata.component, built)
    return JsonV1Dot6(bom).output_as_string(indent=2)


def firmware_bom(image: ImageInfo) -> Bom:
    """A BOM naming our tool, with the firmware as metadata.component: what every document we write starts from."""
    bom = Bom()
    bom.metadata.tools.components.add(CdxComponent(name="iotbaseline", version=__version__))
    bom.metadata.component = CdxComponent(
        name=image.name,
        version=image.version,
        type=ComponentType.FIRMWARE,
        bom_ref=f"firmware:{image.sha256}",
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=image.sha256)],
        properties=[Property(name="iotbaseline:image:size", value=str(image.size))],
    )
    return bom


def cyclonedx_components(components: Sequence[Component]) -> list[CdxComponent]:
    """One CycloneDX component per identified component, in order. The bom-ref holds the component's position
    in the image's inventory, so every document built from the same inventory (SBOM, VEX) uses the same refs."""
    return [_component(component, index) for index, component in enumerate(components)]


def _component(component: Component, index: int) -> CdxComponent:
    properties = [Property(name="iotbaseline:key", value=component.key)]
    if component.distro_version:
        properties.append(Property(name="iotbaseline:distro_version", value=component.distro_version))
    return CdxComponent(
        name=component.name,
        version=component.version,
        type=_TYPE.get(component.type, ComponentType.APPLICATION),
        bom_ref=f"component-{index}:{component.purl}",
        purl=PackageURL.from_string(component.purl),
        cpe=component.cpe,
        evidence=_evidence(component),
        properties=properties,
    )


def _evidence(component: Component) -> ComponentEvidence:
    methods = [
        CdxMethod(technique=_TECHNIQUE[e.method], confidence=Decimal(str(e.confidence)), value=e.matched[:200])
        for e in _one_per_method(component.evidence)
    ]
    identity = Identity(
        field=IdentityField.VERSION if component.version else IdentityField.NAME,
        confidence=Decimal(str(component.confidence)),
        concluded_value=component.version or component.name,
        methods=methods,
    )
    return ComponentEvidence(identity=[identity], occurrences=[_occurrence(e) for e in component.evidence])


def _one_per_method(evidence: tuple[Evidence, ...]) -> list[Evidence]:
    best: dict[Method, Evidence] = {}
    for item in evidence:
        best.setdefault(item.method, item)
    return list(best.values())


def _occurrence(evidence: Evidence) -> Occurrence:
    context = f"{evidence.method.value}: {evidence.matched[:200]}"
    if evidence.sha256:
        context += f" (file sha256 {evidence.sha256})"
    if evidence.distro_version:
        context += f" (distribution version {evidence.distro_version})"
    return Occurrence(location=evidence.path, offset=evidence.offset, additional_context=context)

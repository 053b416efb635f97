"""Identification on every corpus image: each planted component found with its exact upstream
version and evidence in one of its files; the SBOMs of each image validate; the inventory check
gives the same components in the scan's single pass."""

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from iotbaseline.checks.base import Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.components import Component, identify_components
from iotbaseline.components.check import ComponentInventoryCheck
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.model import Outcome
from iotbaseline.sbom import ImageInfo, write_sbom
from tests.corpus import IMAGES, build_image, ground_truth

pytestmark = pytest.mark.e2e

NO_VERSION_IN_IMAGE = {
    "libxcrypt": "every libxcrypt 4.x is libcrypt.so.1.1.0 with no version text; no package database in the image",
    "net-snmp": "snmpd links libnetsnmp (where the version lives), which the image does not ship",
}
"""Components whose version the image does not state anywhere: found by name, version unknown,
unless a package record (a Debian changelog, a status file) in the same image gives it."""


@cache
def scanned(name: str, output: Path) -> ScannedImage:
    return ScannedImage(name, extract_firmware(build_image(name), output / name))


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("components")


def planted(name: str) -> set[tuple[str, str]]:
    return {(c["name"], c["version"]) for c in ground_truth(name)["components"]}


def evidence_in_planted_files(component: Component, truth: dict[str, Any]) -> bool:
    files = {p for c in truth["components"] if c["name"] == component.name for p in c["paths"]}
    return any(e.path.lstrip("/") in files and e.matched for e in component.evidence)


@pytest.mark.parametrize("name", IMAGES)
def test_every_planted_component_is_found_with_its_exact_upstream_version_and_evidence(name: str, output: Path) -> None:
    truth = ground_truth(name)
    components = identify_components(scanned(name, output).extraction.tree)
    by_name: dict[str, list[Component]] = {}
    for component in components:
        by_name.setdefault(component.name, []).append(component)
    for component_name, version in sorted(planted(name)):
        found = by_name.get(component_name, [])
        assert found, f"{component_name} not identified"
        exact = [c for c in found if c.version == version]
        if not exact and component_name in NO_VERSION_IN_IMAGE:
            assert [c.version for c in found] == [None], NO_VERSION_IN_IMAGE[component_name]
            continue
        assert exact, f"{component_name}: expected {version}, found {[c.version for c in found]}"
        [component] = exact
        assert evidence_in_planted_files(component, truth), component.evidence
        assert all(e.sha256 and (e.offset is not None or e.method != "signature") for e in component.evidence)


@pytest.mark.parametrize("name", [n for n in IMAGES if ground_truth(n)["kernel"]])
def test_the_kernel_version_is_read_from_its_banner(name: str, output: Path) -> None:
    components = identify_components(scanned(name, output).extraction.tree)
    assert ("linux", ground_truth(name)["kernel"]["version"]) in {(c.name, c.version) for c in components}


def test_the_debian_revision_is_kept_as_evidence(output: Path) -> None:
    components = identify_components(scanned("router-mipsel-trx-squashfs-xz", output).extraction.tree)
    distro = {c.name: c.distro_version for c in components}
    assert distro["busybox"] == "1:1.35.0-4+deb12u1+b1"
    assert distro["glibc"] == "2.36-9+deb12u14"


def test_the_inventory_check_gives_the_same_components_in_the_single_pass_and_the_sboms_validate(
    output: Path, tmp_path: Path
) -> None:
    name = "hub-arm64-ext4"
    image = scanned(name, output)
    check = ComponentInventoryCheck()
    findings, runs = run_checks([check], [image], frozenset({Need.FIRMWARE}))
    assert [run.status for run in runs] == ["ran"]
    components = image.facts.components
    assert components == identify_components(image.extraction.tree)
    [inventory] = [f for f in findings if f.discriminator == "inventory"]
    assert inventory.outcome is Outcome.INFO and inventory.evidence["count"] == len(components)
    assert not [f for f in findings if f.outcome is Outcome.FAIL]  # no debug tools, OpenSSL 3.0
    info = ImageInfo(name, image.extraction.image_sha256, image.extraction.image_size)
    cdx, _ = write_sbom(components, info, tmp_path)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx.read_text()) is None

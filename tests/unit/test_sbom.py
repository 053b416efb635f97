"""The SBOMs: CycloneDX 1.6 valid by cyclonedx-python-lib's strict JSON validator, SPDX 2.3 valid by
the SPDX project's spdx-tools; the firmware is the root with its SHA-256; purl, CPE and evidence."""

import json
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from iotbaseline.components.model import Component, Evidence, Method
from iotbaseline.sbom import ImageInfo, write_sbom

IMAGE = ImageInfo("router.bin", "ab" * 32, 4096)
DNSMASQ = Component(
    key="dnsmasq",
    name="dnsmasq",
    version="2.90",
    type="application",
    purl="pkg:generic/dnsmasq@2.90",
    cpe="cpe:2.3:a:thekelleys:dnsmasq:2.90:*:*:*:*:*:*:*",
    confidence=0.95,
    evidence=(
        Evidence(
            Method.PACKAGE_DB,
            "/var/lib/dpkg/status",
            "Version: 2.90-4~deb12u2",
            40,
            "cd" * 32,
            "2.90-4~deb12u2",
            "dnsmasq-base",
            0.95,
        ),
        Evidence(Method.SIGNATURE, "/usr/sbin/dnsmasq", "dnsmasq-2.90", 448372, "ef" * 32, None, None, 0.8),
    ),
)
XCRYPT = Component("libxcrypt", "libxcrypt", None, "library", "pkg:generic/libxcrypt", None, 0.3, (
    Evidence(Method.SIGNATURE, "/lib/libcrypt.so.1.1.0", "XCRYPT_2.0", 2548, "01" * 32, None, None, 0.3),
))  # fmt: skip


def test_cyclonedx_16_validates_and_has_the_firmware_as_root_and_evidence_per_file(tmp_path: Path) -> None:
    cdx_path, _ = write_sbom([DNSMASQ, XCRYPT], IMAGE, tmp_path)
    text = cdx_path.read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.6"
    root = bom["metadata"]["component"]
    assert (root["type"], root["name"], root["hashes"]) == (
        "firmware",
        "router.bin",
        [{"alg": "SHA-256", "content": "ab" * 32}],
    )
    [dnsmasq, xcrypt] = bom["components"]
    assert (dnsmasq["purl"], dnsmasq["cpe"], dnsmasq["version"]) == (DNSMASQ.purl, DNSMASQ.cpe, "2.90")
    occurrences = dnsmasq["evidence"]["occurrences"]
    assert {o["location"] for o in occurrences} == {"/var/lib/dpkg/status", "/usr/sbin/dnsmasq"}
    [binary] = [o for o in occurrences if o["location"] == "/usr/sbin/dnsmasq"]
    assert binary["offset"] == 448372 and "ef" * 32 in binary["additionalContext"]
    assert {"name": "iotbaseline:distro_version", "value": "2.90-4~deb12u2"} in dnsmasq["properties"]
    assert "version" not in xcrypt
    [dependency] = [d for d in bom["dependencies"] if d["ref"] == root["bom-ref"]]
    assert set(dependency["dependsOn"]) == {dnsmasq["bom-ref"], xcrypt["bom-ref"]}


def test_spdx_23_validates_and_the_firmware_contains_each_component(tmp_path: Path) -> None:
    _, spdx_path = write_sbom([DNSMASQ, XCRYPT], IMAGE, tmp_path)
    assert spdx_path.name == "sbom.spdx.json"
    assert validate_full_spdx_document(parse_file(str(spdx_path))) == []
    document = json.loads(spdx_path.read_text())
    assert (document["spdxVersion"], document["dataLicense"]) == ("SPDX-2.3", "CC0-1.0")
    firmware, dnsmasq, xcrypt = document["packages"]
    assert document["documentDescribes"] == [firmware["SPDXID"]]
    assert firmware["checksums"] == [{"algorithm": "SHA256", "checksumValue": "ab" * 32}]
    assert firmware["primaryPackagePurpose"] == "FIRMWARE"
    assert {r["referenceType"]: r["referenceLocator"] for r in dnsmasq["externalRefs"]} == {
        "purl": DNSMASQ.purl,
        "cpe23Type": DNSMASQ.cpe,
    }
    assert "/usr/sbin/dnsmasq at offset 448372" in dnsmasq["sourceInfo"]
    assert "versionInfo" not in xcrypt
    contained = {r["relatedSpdxElement"] for r in document["relationships"] if r["relationshipType"] == "CONTAINS"}
    assert contained == {dnsmasq["SPDXID"], xcrypt["SPDXID"]}


def test_an_image_without_components_still_gives_valid_documents(tmp_path: Path) -> None:
    cdx_path, spdx_path = write_sbom([], IMAGE, tmp_path)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx_path.read_text()) is None
    assert validate_full_spdx_document(parse_file(str(spdx_path))) == []

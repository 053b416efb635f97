"""scan end to end on corpus images: extraction, checks, verdicts in one Assessment."""

from pathlib import Path

import pytest

from iotbaseline.catalogue import default_catalogue
from iotbaseline.model import VerdictValue
from iotbaseline.scan import scan
from tests.corpus import build_image

pytestmark = pytest.mark.e2e


def test_scan_of_two_images_judges_every_provision_and_records_both_inputs(tmp_path: Path) -> None:
    images = [build_image("sample-camera-mipsel"), build_image("camera-armel-squashfs-gzip")]

    assessment = scan(images, tmp_path / "out").assessment

    catalogue = default_catalogue()
    expected = sum(len(catalogue.provisions(s)) for s in catalogue.standards())
    assert len(assessment.verdicts) == expected
    assert [i.path for i in assessment.inputs] == [str(p) for p in images]
    assert all(len(i.sha256) == 64 for i in assessment.inputs)
    assert (tmp_path / "out/images/sample-camera-mipsel.trx").is_dir()
    verdicts = {v.provision: v for v in assessment.verdicts_for("PSTI")}
    # both images ship a known default root password: PSTI's first requirement fails, with evidence
    assert verdicts["1"].verdict is VerdictValue.FAIL
    deciding = [f for f in assessment.findings if f.id in verdicts["1"].findings]
    assert any(f.location.path == "/etc/shadow" and f.location.line for f in deciding)
    # the other two are about published documents, which this scan did not have
    assert verdicts["2"].verdict is VerdictValue.INCONCLUSIVE and verdicts["2"].missing_evidence
    # the white-label pair share one private key: on every unit of both brands
    shared = [f for f in assessment.findings if "EN303645:5.4-4" in f.provisions and f.outcome.value == "fail"]
    assert shared and set(shared[0].evidence["images"]) == {images[0].name, images[1].name}


def test_images_with_the_same_file_name_are_kept_apart(tmp_path: Path) -> None:
    image = build_image("plug-armel-cramfs")
    copy = tmp_path / "copy" / image.name
    copy.parent.mkdir()
    copy.write_bytes(image.read_bytes())

    assessment = scan([image, copy], tmp_path / "out").assessment

    assert len(assessment.inputs) == 2
    assert (tmp_path / "out/images" / image.name).is_dir()
    assert (tmp_path / "out/images" / f"{image.name}.2").is_dir()

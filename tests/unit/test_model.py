import json

from iotbaseline.model import (
    Assessment,
    CheckRun,
    Finding,
    Input,
    Location,
    Outcome,
    Severity,
    Verdict,
    VerdictValue,
)


def weak_password(image: str, extracted_path: str) -> Finding:
    return Finding(
        check="firmware.accounts.weak-password",
        outcome=Outcome.FAIL,
        provisions=("EN303645:5.1-1", "PSTI:1"),
        severity=Severity.CRITICAL,
        title="root password is 'admin'",
        location=Location(image=image, path="/etc/shadow", extracted_path=extracted_path, line=1),
        evidence={"account": "root", "scheme": "md5crypt"},
        discriminator="root",
    )


def test_finding_id_is_stable_across_scans_and_output_folders() -> None:
    first = weak_password("camera-1.0.bin", "out-a/images/x/etc/shadow")
    second = weak_password("camera-1.0.bin", "elsewhere/etc/shadow")
    assert first.id == second.id and len(first.id) == 16
    other_account = Finding(**{**first.__dict__, "discriminator": "admin"})
    assert other_account.id != first.id


def test_finding_id_survives_undecodable_file_names() -> None:
    hostile = Finding(**{**weak_password("fw.bin", "x").__dict__, "location": Location(path="/etc/\udcff")})
    assert len(hostile.id) == 16


def test_assessment_round_trips_through_json() -> None:
    assessment = Assessment(
        tool_version="0.1.0",
        created="2026-11-26T08:00:00+00:00",
        product={"model_designation": "Cam 2"},
        inputs=(Input("firmware", "cam.bin", "ab" * 32, 1024, ({"what": "budget", "where": "x", "reason": "y"},)),),
        findings=(weak_password("cam.bin", "images/cam.bin/x"),),
        verdicts=(
            Verdict("EN303645", "5.1-1", VerdictValue.FAIL, "root password is 'admin'", ("0123456789abcdef",)),
            Verdict("PSTI", "3", VerdictValue.INCONCLUSIVE, "open", (), ("a support period",), "Where is it?"),
        ),
        checks=(CheckRun("firmware.accounts.weak-password", "1", ("EN303645:5.1-1",), "ran", 0.25),),
    )

    document = json.loads(json.dumps(assessment.to_dict()))

    assert Assessment.from_dict(document) == assessment

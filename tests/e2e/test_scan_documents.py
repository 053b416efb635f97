"""A scan with a profile fetches the documents it names and judges PSTI 2 and 3 from them, quoting them."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from iotbaseline.model import Outcome, VerdictValue
from iotbaseline.profile.loader import load_profile
from iotbaseline.scan import ScanOptions, scan
from tests.conftest import StartHttpsServer
from tests.corpus import build_image
from tests.https_server import Route

FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def profile_file(tmp_path: Path, site: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(
        "product:\n  model_designation: ACME Cam 200\n"
        "features:\n  preinstalled_passwords: no\n"
        f"vulnerability_disclosure:\n  policy_url: {site}/security/disclosure\n"
        f"support_period:\n  statement_url: {site}/support\n  end_date: 2028-12-31\n"
    )
    return path


def test_the_psti_disclosure_and_support_requirements_rest_on_the_fetched_documents(
    tmp_path: Path, https_server: StartHttpsServer
) -> None:
    expires = f"{datetime.now(UTC) + timedelta(days=90):%Y-%m-%dT%H:%M:%S}Z"
    server = https_server(
        {
            "/security/disclosure": Route(headers=HTML, body=(FIXTURES / "vdp_with_timelines.html").read_bytes()),
            "/support": Route(headers=HTML, body=(FIXTURES / "support_dated.html").read_bytes()),
            "/.well-known/security.txt": Route(
                body=f"Contact: mailto:psirt@acme.example\nExpires: {expires}\n".encode()
            ),
        }
    )
    profile = load_profile(profile_file(tmp_path, server.url("").rstrip("/")))
    outcome = scan([build_image("hub-arm64-ext4")], tmp_path / "out", profile)
    verdicts = {(v.standard, v.provision): v for v in outcome.assessment.verdicts}
    assert verdicts[("EN303645", "5.2-1")].verdict is VerdictValue.PASS
    assert verdicts[("EN303645", "5.3-13")].verdict is VerdictValue.PASS
    assert verdicts[("PSTI", "2")].verdict is VerdictValue.PASS
    assert verdicts[("PSTI", "3")].verdict is VerdictValue.PASS
    findings = {f.check: f for f in outcome.assessment.findings if f.outcome is Outcome.PASS}
    assert "31 December 2028" in str(findings["documents.support-period"].evidence)
    assert findings["documents.disclosure-policy"].location.url == server.url("/security/disclosure")
    security_txt = next(f for f in outcome.assessment.findings if f.check == "documents.security-txt")
    assert "psirt@acme.example" in security_txt.title
    assert sorted(server.paths()) == ["/.well-known/security.txt", "/security/disclosure", "/support"]


def test_offline_nothing_is_fetched_and_the_document_checks_are_skipped(
    tmp_path: Path, https_server: StartHttpsServer
) -> None:
    server = https_server({})
    profile = load_profile(profile_file(tmp_path, server.url("").rstrip("/")))
    options = ScanOptions(fetch_documents=False)
    outcome = scan([build_image("hub-arm64-ext4")], tmp_path / "out", profile, options=options)
    skipped = {r.check for r in outcome.assessment.checks if r.status == "skipped"}
    assert {"documents.disclosure-policy", "documents.support-period", "documents.security-txt"} <= skipped
    assert server.paths() == []
    assert {v.provision: v.verdict for v in outcome.assessment.verdicts_for("PSTI")}["2"] is VerdictValue.INCONCLUSIVE

"""The security.txt check in a scan: looked up on the disclosure policy's site, a hint for 5.2-1, never a verdict."""

from datetime import UTC, datetime, timedelta

from iotbaseline.checks.base import Need, ScanEvidence
from iotbaseline.checks.runner import run_checks
from iotbaseline.documents.fetch import HttpsFetcher
from iotbaseline.documents.security_txt_check import SecurityTxtCheck, security_txt_site
from iotbaseline.model import Outcome, Severity
from iotbaseline.profile.model import ProductProfile, VulnerabilityDisclosure
from tests.conftest import StartHttpsServer
from tests.https_server import Route

NOW = datetime.now(UTC)
NEEDS = frozenset({Need.DOCUMENTS, Need.PROFILE})


def profile(policy_url: str | None, contact: str | None = None) -> ProductProfile:
    return ProductProfile(vulnerability_disclosure=VulnerabilityDisclosure(policy_url=policy_url, contact=contact))


def test_the_site_is_the_policy_pages_else_a_web_contact_and_never_plain_http() -> None:
    assert security_txt_site(profile("https://vendor.example/security/policy")) == "https://vendor.example/"
    assert security_txt_site(profile(None, "https://vendor.example/report")) == "https://vendor.example/"
    assert security_txt_site(profile("http://vendor.example/policy", "security@vendor.example")) is None


def test_a_valid_file_is_a_hint_with_its_contact_and_an_expired_one_names_the_problem(
    https_server: StartHttpsServer,
) -> None:
    expires = f"{NOW + timedelta(days=100):%Y-%m-%dT%H:%M:%S}Z"
    good = https_server(
        {
            "/.well-known/security.txt": Route(
                body=f"Contact: mailto:psirt@vendor.example\nExpires: {expires}\n".encode()
            )
        }
    )
    evidence = ScanEvidence(profile(good.url("/security/policy")), HttpsFetcher())
    [finding], runs = run_checks([SecurityTxtCheck(clock=lambda: NOW)], [], NEEDS, evidence)
    assert runs[0].status == "ran"
    assert finding.outcome is Outcome.INFO and finding.provisions == ("EN303645:5.2-1",)
    assert "mailto:psirt@vendor.example" in finding.title
    assert finding.location.url == good.url("/.well-known/security.txt")

    expired = https_server(
        {"/.well-known/security.txt": Route(body=b"Contact: mailto:a@b.example\nExpires: 2020-01-01T00:00:00Z\n")}
    )
    evidence = ScanEvidence(profile(expired.url("/policy")), HttpsFetcher())
    [finding], _ = run_checks([SecurityTxtCheck(clock=lambda: NOW)], [], NEEDS, evidence)
    assert finding.outcome is Outcome.INFO and finding.severity is Severity.LOW
    assert "expired" in finding.title and finding.evidence["errors"]


def test_no_security_txt_is_reported_as_not_published(https_server: StartHttpsServer) -> None:
    server = https_server({})
    evidence = ScanEvidence(profile(server.url("/policy")), HttpsFetcher())
    [finding], _ = run_checks([SecurityTxtCheck(clock=lambda: NOW)], [], NEEDS, evidence)
    assert "not published" in finding.title and finding.outcome is Outcome.INFO


def test_offline_or_without_an_https_address_nothing_is_fetched() -> None:
    findings, runs = run_checks([SecurityTxtCheck()], [], NEEDS, ScanEvidence(profile("https://vendor.example/p")))
    assert findings == [] and runs[0].status == "ran"

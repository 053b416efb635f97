"""The document checks end to end: the profile's URL, a document source, findings, and the verdicts they give."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from iotbaseline.assess import assess
from iotbaseline.catalogue import default_catalogue
from iotbaseline.checks.base import Check, Need, ScanEvidence
from iotbaseline.checks.runner import run_checks
from iotbaseline.documents.fetch import CertificateError, HttpStatusError, InsecureRedirectError
from iotbaseline.documents.model import DocumentFetchError, FetchedDocument
from iotbaseline.documents.policy_check import DisclosurePolicyCheck
from iotbaseline.documents.support_period_check import SupportPeriodCheck
from iotbaseline.model import Finding, Outcome, Verdict, VerdictValue
from iotbaseline.profile.model import Product, ProductProfile, SupportPeriod, VulnerabilityDisclosure

FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents"
SITE = "https://acme.example/"
TODAY = date(2026, 1, 1)
TYPES = {"html": "text/html", "pdf": "application/pdf", "txt": "text/plain"}


@dataclass
class FakeDocuments:
    """A DocumentSource serving fixture files by name, or the error a real fetch would raise."""

    errors: Mapping[str, DocumentFetchError] = field(default_factory=dict)
    served: Mapping[str, FetchedDocument] = field(default_factory=dict)
    """Documents made in the test rather than read from a fixture file."""
    asked: list[str] = field(default_factory=list)

    def get(self, url: str) -> FetchedDocument:
        self.asked.append(url)
        if url in self.errors:
            raise self.errors[url]
        if url in self.served:
            return self.served[url]
        name = url.removeprefix(SITE)
        body = (FIXTURES / name).read_bytes()
        return FetchedDocument(url, url, 200, TYPES[name.rsplit(".", 1)[1]], None, body)


def served(
    body: bytes, content_type: str = "text/html", *, truncated: bool = False, name: str = "vdp.html"
) -> FetchedDocument:
    return FetchedDocument(SITE + name, SITE + name, 200, content_type, None, body, truncated=truncated)


def policy_profile(name: str | None, **declared: str) -> ProductProfile:
    url = SITE + name if name else None
    return ProductProfile(vulnerability_disclosure=VulnerabilityDisclosure(policy_url=url, **declared))


def support_profile(name: str | None, model: str = "ACME Cam 200", end: date | None = None) -> ProductProfile:
    return ProductProfile(
        product=Product(model_designation=model),
        support_period=SupportPeriod(statement_url=SITE + name if name else None, end_date=end),
    )


def examine(check: Check, profile: ProductProfile, documents: FakeDocuments | None = None) -> list[Finding]:
    return list(check.examine(ScanEvidence(profile, documents if documents is not None else FakeDocuments())))


def outcomes(findings: Iterable[Finding]) -> list[tuple[Outcome, tuple[str, ...]]]:
    return [(f.outcome, f.provisions) for f in findings]


# --- the vulnerability disclosure policy -------------------------------------------------------------------------


def test_a_policy_with_timelines_passes_5_2_1_with_the_quoted_sentences() -> None:
    [passed] = examine(DisclosurePolicyCheck(), policy_profile("vdp_with_timelines.html"))
    assert (passed.outcome, passed.provisions) == (Outcome.PASS, ("EN303645:5.2-1",))
    assert passed.location.url == SITE + "vdp_with_timelines.html" and passed.location.line == 5
    assert "security@acme.example" in passed.title and "5 working days" in passed.title and "30 days" in passed.title
    assert "We will acknowledge receipt of your report within 5 working days." in passed.detail
    required = passed.evidence["policy"]["required"]
    assert [e["found"] for e in required] == ["yes", "yes", "yes"]
    assert required[1]["quotes"][0]["text"] == "We will acknowledge receipt of your report within 5 working days."


def test_a_policy_without_timelines_fails_5_2_1_and_psti_naming_what_is_missing() -> None:
    [failed] = examine(DisclosurePolicyCheck(), policy_profile("vdp_without_timelines.html"))
    assert (failed.outcome, failed.provisions) == (Outcome.FAIL, ("EN303645:5.2-1", "PSTI:2"))
    assert "acknowledgement" in failed.title and "status updates" in failed.title
    assert "contact" not in failed.title
    assert "how soon does a reporter hear back?" in failed.detail


def test_a_vague_policy_gives_hints_with_questions_and_neither_passes_nor_fails() -> None:
    findings = examine(DisclosurePolicyCheck(), policy_profile("vdp_vague.html"))
    assert outcomes(findings) == [(Outcome.INFO, ("EN303645:5.2-1",))] * 2
    assert [f.location.line for f in findings] == [4, 5]
    assert "within how many days" in findings[0].detail


def test_a_policy_behind_a_login_fails() -> None:
    [failed] = examine(DisclosurePolicyCheck(), policy_profile("vdp_login_wall.html"))
    assert failed.outcome is Outcome.FAIL and "behind a login" in failed.title
    assert failed.provisions == ("EN303645:5.2-1", "PSTI:2")


def test_a_pdf_policy_passes_and_a_different_declared_time_is_noted_without_blocking() -> None:
    profile = policy_profile("vdp_policy.pdf", acknowledgement_time="5 working days")
    findings = examine(DisclosurePolicyCheck(), profile)
    assert [f.outcome for f in findings] == [Outcome.INFO, Outcome.PASS]
    assert "three business days" in findings[0].title and findings[0].evidence["contradiction"]["weaker"] is False


def test_a_policy_slower_than_declared_is_a_contradiction_and_no_pass() -> None:
    profile = policy_profile("vdp_with_timelines.html", acknowledgement_time="2 days")
    [contradiction] = examine(DisclosurePolicyCheck(), profile)
    assert contradiction.outcome is Outcome.INFO and contradiction.evidence["contradiction"]["weaker"] is True
    assert contradiction.location.line == 8


def test_no_policy_url_asks_for_the_profile_field() -> None:
    [hint] = examine(DisclosurePolicyCheck(), policy_profile(None))
    assert hint.outcome is Outcome.INFO and "vulnerability_disclosure.policy_url" in hint.title


def test_an_offline_scan_says_the_policy_was_not_fetched() -> None:
    check = DisclosurePolicyCheck()
    [hint] = check.examine(ScanEvidence(policy_profile("vdp_with_timelines.html"), None))
    assert hint.outcome is Outcome.INFO and "offline" in hint.title


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (HttpStatusError(SITE + "p", "HTTP 404 Not Found", 404), Outcome.FAIL),
        (HttpStatusError(SITE + "p", "HTTP 410 Gone", 410), Outcome.FAIL),
        (HttpStatusError(SITE + "p", "HTTP 401 Unauthorized", 401), Outcome.FAIL),
        (HttpStatusError(SITE + "p", "HTTP 403 Forbidden", 403), Outcome.INFO),
        (HttpStatusError(SITE + "p", "HTTP 503 Service Unavailable", 503), Outcome.INFO),
        (InsecureRedirectError(SITE + "p", "redirected to http://acme.example/p"), Outcome.INFO),
        (CertificateError(SITE + "p", "certificate has expired"), Outcome.INFO),
        (DocumentFetchError(SITE + "p", "no answer for 10 s"), Outcome.ERROR),
        (DocumentFetchError(SITE + "p", "host name not found"), Outcome.ERROR),
    ],
)
def test_what_a_failed_fetch_means_depends_on_whose_failure_it_is(error: DocumentFetchError, outcome: Outcome) -> None:
    documents = FakeDocuments(errors={SITE + "p": error})
    [finding] = examine(DisclosurePolicyCheck(), policy_profile("p"), documents)
    assert finding.outcome is outcome
    assert finding.provisions == (("EN303645:5.2-1", "PSTI:2") if outcome is Outcome.FAIL else ("EN303645:5.2-1",))


def test_a_plain_http_address_is_not_fetched_and_is_a_hint() -> None:
    profile = ProductProfile(vulnerability_disclosure=VulnerabilityDisclosure(policy_url="http://acme.example/vdp"))
    documents = FakeDocuments()
    [hint] = examine(DisclosurePolicyCheck(), profile, documents)
    assert hint.outcome is Outcome.INFO and "plain HTTP" in hint.title and documents.asked == []


def test_a_policy_in_a_language_the_data_does_not_know_is_not_failed() -> None:
    html = (FIXTURES / "vdp_without_timelines.html").read_text().replace('lang="en"', 'lang="fr"')
    source = FakeDocuments(served={SITE + "vdp.html": served(html.encode())})
    [hint] = examine(DisclosurePolicyCheck(), policy_profile("vdp.html"), source)
    assert hint.outcome is Outcome.INFO and "'fr'" in hint.title


def test_a_policy_cut_at_the_size_limit_is_not_failed_for_what_may_be_in_the_rest() -> None:
    body = (FIXTURES / "vdp_without_timelines.html").read_bytes()
    source = FakeDocuments(served={SITE + "vdp.html": served(body, truncated=True)})
    [hint] = examine(DisclosurePolicyCheck(), policy_profile("vdp.html"), source)
    assert hint.outcome is Outcome.INFO and "first part" in hint.title


# --- the support period ----------------------------------------------------------------------------------------


def test_a_dated_support_period_passes_5_3_13_with_the_quote() -> None:
    [passed] = examine(SupportPeriodCheck(today=TODAY), support_profile("support_dated.html"))
    assert (passed.outcome, passed.provisions) == (Outcome.PASS, ("EN303645:5.3-13",))
    assert "2028-12-31" in passed.title and passed.location.line == 4
    assert passed.evidence["support_period"]["end"]["quote"]["text"] == (
        "We will provide security updates for the ACME Cam 200 until 31 December 2028."
    )


def test_a_period_from_a_dated_start_passes() -> None:
    [passed] = examine(SupportPeriodCheck(today=TODAY), support_profile("support_period_from_start.txt", "SP-10"))
    assert passed.outcome is Outcome.PASS and "5 years from 2024-01-01" in passed.title


def test_an_expired_support_period_fails_both_provisions() -> None:
    [failed] = examine(SupportPeriodCheck(today=TODAY), support_profile("support_expired.html", "ACME Hub 1"))
    assert (failed.outcome, failed.provisions) == (Outcome.FAIL, ("EN303645:5.3-13", "PSTI:3"))
    assert "2022-06-30" in failed.title


def test_the_same_statement_before_its_end_passes() -> None:
    [passed] = examine(
        SupportPeriodCheck(today=date(2021, 1, 1)), support_profile("support_expired.html", "ACME Hub 1")
    )
    assert passed.outcome is Outcome.PASS


def test_only_a_lifetime_promise_fails_for_want_of_a_defined_period() -> None:
    [failed] = examine(SupportPeriodCheck(today=TODAY), support_profile("support_lifetime.html"))
    assert failed.outcome is Outcome.FAIL and failed.provisions == ("EN303645:5.3-13", "PSTI:3")
    assert failed.location.line == 2 and "lifetime of the product" in failed.detail


def test_a_period_without_an_end_date_fails_psti_and_is_a_hint_for_en_303_645() -> None:
    body = b"Security updates are provided for 5 years from the date of purchase."
    source = FakeDocuments(served={SITE + "s.txt": served(body, "text/plain", name="s.txt")})
    findings = examine(SupportPeriodCheck(today=TODAY), support_profile("s.txt"), source)
    assert outcomes(findings) == [(Outcome.FAIL, ("PSTI:3",)), (Outcome.INFO, ("EN303645:5.3-13",))]


def test_the_profiles_model_picks_its_row_among_several_products() -> None:
    [passed] = examine(SupportPeriodCheck(today=TODAY), support_profile("support_several_products.html"))
    assert passed.outcome is Outcome.PASS and "2028-12-31" in passed.title
    [hint] = examine(SupportPeriodCheck(today=TODAY), support_profile("support_several_products.html", "ACME Hub 9"))
    assert hint.outcome is Outcome.INFO and "several dates" in hint.title


def test_a_declared_end_later_than_the_published_one_is_a_contradiction_and_no_pass() -> None:
    profile = support_profile("support_dated.html", end=date(2030, 12, 31))
    findings = examine(SupportPeriodCheck(today=TODAY), profile)
    assert [f.outcome for f in findings] == [Outcome.INFO, Outcome.INFO]
    assert findings[0].evidence["contradiction"]["field"] == "support_period.end_date"
    assert "earlier than the profile declares" in findings[1].title


def test_no_statement_url_asks_for_the_profile_field() -> None:
    [hint] = examine(SupportPeriodCheck(today=TODAY), support_profile(None))
    assert hint.outcome is Outcome.INFO and "support_period.statement_url" in hint.title


# --- the verdicts ----------------------------------------------------------------------------------------------


def verdicts_for(check: Check, profile: ProductProfile) -> dict[str, Verdict]:
    findings, runs = run_checks(
        [check], [], frozenset({Need.DOCUMENTS, Need.PROFILE}), ScanEvidence(profile, FakeDocuments())
    )
    judged = assess(default_catalogue(), findings, runs)
    return {f"{v.standard}:{v.provision}": v for v in judged}


def test_a_passing_policy_makes_psti_2_deemed_compliant_through_5_2_1() -> None:
    verdicts = verdicts_for(DisclosurePolicyCheck(), policy_profile("vdp_with_timelines.html"))
    assert verdicts["EN303645:5.2-1"].verdict is VerdictValue.PASS
    assert verdicts["PSTI:2"].verdict is VerdictValue.PASS and "EN303645 5.2-1" in verdicts["PSTI:2"].reason


def test_a_policy_without_timelines_fails_psti_2_itself() -> None:
    verdicts = verdicts_for(DisclosurePolicyCheck(), policy_profile("vdp_without_timelines.html"))
    assert verdicts["EN303645:5.2-1"].verdict is VerdictValue.FAIL
    assert verdicts["PSTI:2"].verdict is VerdictValue.FAIL


def test_a_vague_policy_leaves_both_inconclusive_with_the_hints() -> None:
    verdicts = verdicts_for(DisclosurePolicyCheck(), policy_profile("vdp_vague.html"))
    assert verdicts["EN303645:5.2-1"].verdict is VerdictValue.INCONCLUSIVE
    assert "vague" in verdicts["EN303645:5.2-1"].reason
    assert verdicts["PSTI:2"].verdict is VerdictValue.INCONCLUSIVE


def test_a_dated_support_period_makes_psti_3_deemed_compliant() -> None:
    verdicts = verdicts_for(SupportPeriodCheck(today=TODAY), support_profile("support_dated.html"))
    assert verdicts["EN303645:5.3-13"].verdict is VerdictValue.PASS
    assert verdicts["PSTI:3"].verdict is VerdictValue.PASS

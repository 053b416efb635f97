"""Judging a vulnerability disclosure policy's words: contact, acknowledgement time, status-update time."""

from pathlib import Path

import pytest

from iotbaseline.documents.disclosure_policy import PolicyJudgement, judge_policy
from iotbaseline.documents.evidence import Found
from iotbaseline.documents.model import FetchedDocument
from iotbaseline.documents.phrasebook import load_data
from iotbaseline.documents.policy_phrases import default_policy_phrases, policy_phrases
from iotbaseline.documents.text import DocumentText, read_text
from iotbaseline.profile.model import VulnerabilityDisclosure

FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents"
URL = "https://acme.example/security/vdp"


def page(html: str) -> DocumentText:
    return read_text(FetchedDocument(URL, URL, 200, "text/html", "utf-8", html.encode()))


def fixture(name: str, content_type: str = "text/html") -> DocumentText:
    return read_text(FetchedDocument(URL, URL, 200, content_type, None, (FIXTURES / name).read_bytes()))


def policy(*paragraphs: str, declared: VulnerabilityDisclosure | None = None) -> PolicyJudgement:
    return judge_policy(page("<main>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</main>"), declared)


def test_a_policy_with_contact_and_both_timelines_has_every_element_quoted() -> None:
    judged = judge_policy(fixture("vdp_with_timelines.html"))
    contact, acknowledgement, status = judged.required
    assert judged.complete and not judged.missing and not judged.vague
    assert contact.values == ("security@acme.example", "https://acme.example/security/report-form")
    assert acknowledgement.values == ("5 working days",)
    assert acknowledgement.quotes[0].text == "We will acknowledge receipt of your report within 5 working days."
    assert status.values == ("30 days",)
    assert status.quotes[0].text == (
        "We will keep you informed of our progress at least every 30 days until the issue is resolved."
    )
    assert {e.element: e.found for e in judged.good_practice} == {
        "safe-harbour": Found.YES,
        "scope": Found.YES,
        "disclosure-timeline": Found.YES,
        "no-nda": Found.YES,
    }


def test_a_policy_without_timelines_misses_both_and_asks_for_them() -> None:
    judged = judge_policy(fixture("vdp_without_timelines.html"))
    assert judged.element("contact").found is Found.YES
    assert [e.element for e in judged.missing] == ["acknowledgement", "status-updates"]
    assert any("how soon does a reporter hear back" in q for q in judged.questions)
    assert not judged.complete


def test_promises_without_times_are_vague_with_the_sentence_and_a_question() -> None:
    judged = judge_policy(fixture("vdp_vague.html"))
    contact, acknowledgement, status = judged.required
    assert contact.found is Found.YES and contact.values == ("security@acme.example",)  # "[at] ... [dot]" decoded
    assert acknowledgement.found is Found.VAGUE and acknowledgement.quotes[0].text == (
        "We will acknowledge your report promptly."
    )
    assert status.found is Found.VAGUE and "until resolution" in status.question
    assert not judged.missing


def test_a_pdf_policy_is_judged_like_a_page() -> None:
    judged = judge_policy(fixture("vdp_policy.pdf", "application/pdf"))
    assert judged.complete
    assert [e.values for e in judged.required] == [("psirt@acme.example",), ("three business days",), ("14 days",)]
    assert judged.element("acknowledgement").quotes[0].page == 1


@pytest.mark.parametrize(
    ("sentence", "contact"),
    [
        ("Report vulnerabilities through https://hackerone.com/acme.", "https://hackerone.com/acme"),
        ("Our contacts are listed in https://acme.example/.well-known/security.txt.", None),
        ('Please use our <a href="/psirt/submit">reporting form</a> for security issues.', None),
        ("Write to vulnerability-report@acme.example for anything.", "vulnerability-report@acme.example"),
        ("To report a flaw, mail bugs(at)acme(dot)example now.", "bugs@acme.example"),
    ],
)
def test_contact_points_are_e_mail_addresses_forms_platforms_and_security_txt(
    sentence: str, contact: str | None
) -> None:
    judged = policy(sentence)
    assert judged.element("contact").found is Found.YES
    if contact:
        assert contact in judged.element("contact").values


def test_a_link_is_a_channel_by_its_address_or_by_being_called_a_form_not_by_standing_in_a_reporting_sentence() -> None:
    assert policy('Please submit reports through our <a href="/x1">online form</a>.').element("contact").values == (
        "https://acme.example/x1",
    )
    unrelated = policy('Report security issues as our <a href="/privacy">privacy notice</a> explains.')
    assert unrelated.element("contact").found is Found.NO


def test_an_address_that_is_not_said_to_take_security_reports_is_only_a_vague_contact() -> None:
    judged = policy("Our office answers questions at info@acme.example.")
    assert judged.element("contact").found is Found.VAGUE
    assert "info@acme.example" in judged.element("contact").question


def test_a_general_contact_without_an_address_is_a_vague_contact() -> None:
    assert policy("To report a vulnerability, contact our customer support.").element("contact").found is Found.VAGUE


def test_no_contact_at_all_is_missing() -> None:
    judged = policy("We take security seriously.", "We acknowledge reports within 2 days.")
    assert judged.element("contact").found is Found.NO


@pytest.mark.parametrize(
    ("sentence", "acknowledged", "time"),
    [
        ("You will hear from us within 72 hours.", Found.YES, "72 hours"),
        ("We reply to all reports within 24-48 hours.", Found.YES, "24-48 hours"),
        ("We confirm receipt on the next business day.", Found.YES, "next business day"),
        ("Read 24 hours a day, 7 days a week: we acknowledge every report within a week.", Found.YES, "a week"),
        ("If you have not heard from us within 3 days, please resend your report.", Found.YES, "3 days"),
        ("We will acknowledge your report as soon as possible.", Found.VAGUE, None),
        ("We cannot guarantee a response within 5 days.", Found.VAGUE, None),
        ("We will acknowledge your report and send status updates every 30 days.", Found.VAGUE, None),
    ],
)  # fmt: skip
def test_the_acknowledgement_time_is_the_duration_next_to_its_own_cue(
    sentence: str, acknowledged: Found, time: str | None
) -> None:
    element = policy(sentence).element("acknowledgement")
    assert element.found is acknowledged
    assert element.values == ((time,) if time else ())


def test_a_status_update_time_is_not_taken_from_the_acknowledgement_before_it() -> None:
    judged = policy("You will receive an acknowledgement within 2 days and a status update every 14 days.")
    assert judged.element("acknowledgement").values == ("2 days",)
    assert judged.element("status-updates").values == ("14 days",)


def test_a_negation_elsewhere_in_the_sentence_does_not_take_the_promise_back() -> None:
    judged = policy("We acknowledge reports within 3 days, and we will not take legal action against you.")
    assert judged.element("acknowledgement").found is Found.YES


@pytest.mark.parametrize(
    "sentence",
    [
        "We send weekly status updates.",
        "We will update you on our progress every two weeks.",
        "Progress reports follow monthly.",
    ],
)
def test_status_update_cadences(sentence: str) -> None:
    assert policy(sentence).element("status-updates").found is Found.YES


def test_a_profile_that_promises_a_faster_acknowledgement_than_the_page_is_contradicted() -> None:
    declared = VulnerabilityDisclosure(acknowledgement_time="5 days")
    judged = policy("Mail security@acme.example. We acknowledge reports within 10 days.", declared=declared)
    [contradiction] = judged.contradictions
    assert contradiction.field == "vulnerability_disclosure.acknowledgement_time"
    assert (contradiction.declared, contradiction.published, contradiction.weaker) == ("5 days", "10 days", True)
    assert contradiction.quote is not None and contradiction.quote.text == "We acknowledge reports within 10 days."


def test_equal_times_in_other_units_are_no_contradiction_and_a_faster_page_is_not_a_weaker_one() -> None:
    same = policy(
        "We acknowledge reports within 1 week.", declared=VulnerabilityDisclosure(acknowledgement_time="5 working days")
    )
    assert same.contradictions == ()
    faster = policy(
        "We acknowledge reports within 2 days.", declared=VulnerabilityDisclosure(acknowledgement_time="5 days")
    )
    assert [c.weaker for c in faster.contradictions] == [False]
    declared_status = VulnerabilityDisclosure(status_update_time="every 14 days")
    slower = policy("We send status updates every 30 days.", declared=declared_status)
    fields = [(c.field, c.weaker) for c in slower.contradictions]
    assert fields == [("vulnerability_disclosure.status_update_time", True)]


def test_a_published_contact_other_than_the_declared_one_is_noted() -> None:
    declared = VulnerabilityDisclosure(contact="mailto:psirt@acme.example")
    judged = policy("Report security issues to security@acme.example.", declared=declared)
    assert [(c.declared, c.published, c.weaker) for c in judged.contradictions] == [
        ("mailto:psirt@acme.example", "security@acme.example", False)
    ]
    assert policy("Report issues to PSIRT@acme.example.", declared=declared).contradictions == ()


def test_a_policy_that_requires_an_nda_is_noted_and_not_counted_as_good_practice() -> None:
    judged = policy("Reporters must sign an NDA before we look at a report.")
    assert judged.nda_required and judged.element("no-nda").found is Found.NO


def test_another_language_is_added_as_data() -> None:
    data = dict(load_data("disclosure_policy"))
    german = {
        "acknowledgement": {"cues": ["bestätigen den Eingang"], "if_silent": ["falls Sie nichts hören"]},
        "durations": {"number_words": {"fünf": 5}, "units": {"working-day": ["Werktagen"]}},
    }
    data["languages"] = {**data["languages"], "de": german}
    phrases = policy_phrases(data)
    text = page("<main><p>Wir bestätigen den Eingang Ihrer Meldung innerhalb von fünf Werktagen.</p></main>")
    element = judge_policy(text, phrases=phrases).element("acknowledgement")
    assert element.found is Found.YES and element.values == ("fünf Werktagen",)
    assert "de" in phrases.languages
    assert judge_policy(text).element("acknowledgement").found is Found.NO  # the shipped data knows no German


def test_the_shipped_phrase_data_loads() -> None:
    phrases = default_policy_phrases()
    assert "en" in phrases.languages and "security" in phrases.security_mailboxes

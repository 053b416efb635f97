"""The vulnerability disclosure policy check (EN 303 645 5.2-1; UK PSTI Schedule 1 paragraph 2, judged through
its deemed-compliance route onto 5.2-1): the page the profile's `vulnerability_disclosure.policy_url` names,
read and judged by `disclosure_policy`.

PASS: public, readable, and a contact point, an acknowledgement time and a status-update time are all stated,
each quoted; and no time is longer than the profile declares. FAIL: an element is not there at all on a page
that could be read in full, in a language the phrase data knows (a page cut at the size limit, or in another
language, gives hints instead: what is missing may be in the part not read, or in words not known). Vague
elements, differences from the profile and an NDA requirement are hints.
"""

from typing import ClassVar

from iotbaseline.documents.disclosure_policy import ElementJudgement, PolicyJudgement, judge_policy
from iotbaseline.documents.policy_phrases import default_policy_phrases
from iotbaseline.documents.published_check import PublishedDocumentCheck
from iotbaseline.documents.text import DocumentText
from iotbaseline.model import Finding, JSONValue, Outcome, Severity
from iotbaseline.profile.model import ProductProfile

DISCLOSURE_POLICY = "EN303645:5.2-1"
PSTI_REPORTING = "PSTI:2"
_NAMES = {
    "contact": "a contact point",
    "acknowledgement": "when a reporter gets an acknowledgement",
    "status-updates": "when status updates follow",
}

_VAGUE = {"contact": "its contact point", "acknowledgement": "acknowledgements", "status-updates": "status updates"}


class DisclosurePolicyCheck(PublishedDocumentCheck):
    id: ClassVar[str] = "documents.disclosure-policy"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Published vulnerability disclosure policy"
    provisions: ClassVar[tuple[str, ...]] = (DISCLOSURE_POLICY, PSTI_REPORTING)
    url_field: ClassVar[str] = "vulnerability_disclosure.policy_url"
    document: ClassVar[str] = "vulnerability disclosure policy"
    judged: ClassVar[tuple[str, ...]] = (DISCLOSURE_POLICY,)
    failed: ClassVar[tuple[str, ...]] = (DISCLOSURE_POLICY, PSTI_REPORTING)
    time_budget: ClassVar[float] = 120.0

    def address(self, profile: ProductProfile) -> str | None:
        return profile.vulnerability_disclosure.policy_url

    def judge(self, text: DocumentText, profile: ProductProfile) -> list[Finding]:
        judgement = judge_policy(text, profile.vulnerability_disclosure)
        evidence = self.document_evidence(text) | {"policy": judgement.to_dict()}
        findings = [self._vague(text, element) for element in judgement.vague]
        findings += self.disagreements(
            text,
            judgement.contradictions,
            "The profile must say what the policy promises.",
            "Reporters are told to wait longer than declared.",
        )
        if judgement.nda_required:
            quote = judgement.nda_required[0]
            findings.append(
                self.finding(
                    Outcome.INFO,
                    f"The {self.document} asks reporters to sign a non-disclosure agreement",
                    text.url,
                    line=quote.sentence,
                    severity=Severity.LOW,
                    detail=f"{quote.text!r}: good practice is not to require one before a report is accepted.",
                    evidence={"quote": quote.to_dict()},
                    discriminator="nda",
                )
            )
        if judgement.missing:
            findings.append(self._missing(text, judgement, evidence))
        elif judgement.complete and not any(c.weaker for c in judgement.contradictions):
            findings.append(self._published(text, judgement, evidence))
        return findings

    def _published(self, text: DocumentText, judgement: PolicyJudgement, evidence: dict[str, JSONValue]) -> Finding:
        contact, acknowledgement, status = judgement.required
        title = (
            f"The {self.document} names a contact ({', '.join(contact.values)}), an acknowledgement time "
            f"({acknowledgement.values[0]}) and a status-update time ({status.values[0]})"
        )
        quotes = [q for e in judgement.required for q in e.quotes[:1]]
        return self.finding(
            Outcome.PASS,
            title,
            text.url,
            line=quotes[0].sentence if quotes else None,
            detail="Quoted: " + " / ".join(f"[{q.sentence}] {q.text}" for q in quotes),
            evidence=evidence,
            discriminator="published",
        )

    def _missing(self, text: DocumentText, judgement: PolicyJudgement, evidence: dict[str, JSONValue]) -> Finding:
        missing = "; ".join(_NAMES[e.element] for e in judgement.missing)
        questions = " ".join(e.question for e in judgement.missing)
        unknown_language = bool(text.language) and text.language not in default_policy_phrases().languages
        if text.truncated or unknown_language:
            why = (
                f"the page is in {text.language!r}, whose phrasings are not in the data"
                if unknown_language
                else "only the first part of it could be read"
            )
            return self.finding(
                Outcome.INFO,
                f"The {self.document} did not show: {missing}; but {why}",
                text.url,
                severity=Severity.MEDIUM,
                detail=questions,
                evidence=evidence,
                discriminator="missing",
            )
        return self.finding(
            Outcome.FAIL,
            f"The {self.document} does not state: {missing}",
            text.url,
            severity=Severity.HIGH,
            detail=f"{questions} EN 303 645 5.2-1 and PSTI ask for a contact point and when reporters get an "
            "acknowledgement and status updates until the issue is resolved.",
            evidence=evidence,
            discriminator="missing",
        )

    def _vague(self, text: DocumentText, element: ElementJudgement) -> Finding:
        line = element.quotes[0].sentence if element.quotes else None
        return self.finding(
            Outcome.INFO,
            f"The {self.document} is vague about {_VAGUE[element.element]}",
            text.url,
            line=line,
            severity=Severity.MEDIUM,
            detail=element.question,
            evidence={"element": element.to_dict()},
            discriminator=f"vague:{element.element}",
        )

"""The manufacturer's security.txt (RFC 9116), looked up on the site that publishes its disclosure policy.

Neither PSTI nor EN 303 645 requires a security.txt, so it never decides a verdict: a valid file is a hint
for 5.2-1 (a published, machine-readable contact), an invalid or missing one a hint naming what to fix.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from iotbaseline.checks.base import Check, CheckSettings, Need, ScanEvidence
from iotbaseline.documents.model import DocumentFetchError
from iotbaseline.documents.security_txt_model import SecurityTxtReport
from iotbaseline.documents.security_txt_web import check_security_txt_url
from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity
from iotbaseline.profile.model import ProductProfile

DISCLOSURE = "EN303645:5.2-1"


def security_txt_site(profile: ProductProfile) -> str | None:
    """The https:// site whose security.txt speaks for the manufacturer: the disclosure policy's, else the
    contact's when it is a web address."""
    disclosure = profile.vulnerability_disclosure
    for url in (disclosure.policy_url, disclosure.contact):
        parts = urlsplit(url or "")
        if parts.scheme.lower() == "https" and parts.netloc:
            return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    return None


class SecurityTxtCheck(Check):
    id: ClassVar[str] = "documents.security-txt"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "security.txt (RFC 9116)"
    provisions: ClassVar[tuple[str, ...]] = ()
    """It decides none: its findings are hints for 5.2-1."""
    needs: ClassVar[frozenset[Need]] = frozenset({Need.DOCUMENTS, Need.PROFILE})

    def __init__(self, settings: CheckSettings | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(settings)
        self._clock = clock or (lambda: datetime.now(UTC))

    def examine(self, evidence: ScanEvidence) -> Iterable[Finding]:
        site = security_txt_site(evidence.profile) if evidence.profile is not None else None
        if site is None or evidence.documents is None:
            return ()  # nothing to look up; the disclosure-policy check says which profile field to fill
        try:
            report = check_security_txt_url(evidence.documents, site, now=self._clock())
        except DocumentFetchError as error:
            return [self._finding(Outcome.ERROR, f"security.txt of {site} not fetched", site, {"reason": error.reason})]
        return [self._judged(site, report)]

    def _judged(self, site: str, report: SecurityTxtReport) -> Finding:
        where = report.source_url or site
        evidence: dict[str, JSONValue] = {
            "errors": [{"code": p.code, "line": p.line, "message": p.message} for p in report.errors],
            "recommendations": [{"code": p.code, "line": p.line, "message": p.message} for p in report.recommendations],
            "contact": list(report.values("Contact")),
            "policy": list(report.values("Policy")),
            "expires": None if report.expires is None else report.expires.isoformat(),
            "signed": report.signed,
        }
        if report.valid:
            contacts = ", ".join(report.values("Contact"))
            title = f"security.txt published and valid: contact {contacts}"
            return self._finding(Outcome.INFO, title, where, evidence, severity=Severity.INFO)
        problems = "; ".join(f"{p.code} (line {p.line})" if p.line else p.code for p in report.errors[:5])
        title = f"security.txt {'invalid' if report.source_url else 'not published'}: {problems}"
        detail = " ".join(p.message for p in report.errors[:5])
        return self._finding(Outcome.INFO, title, where, evidence, severity=Severity.LOW, detail=detail)

    def _finding(
        self,
        outcome: Outcome,
        title: str,
        url: str,
        evidence: dict[str, JSONValue],
        *,
        severity: Severity = Severity.INFO,
        detail: str = "",
    ) -> Finding:
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=(DISCLOSURE,),
            severity=severity,
            title=title,
            detail=detail,
            location=Location(url=url),
            evidence=evidence,
            discriminator=outcome.value,
        )

"""What the checks of a published document share: the profile field that names its address, fetching it through
the scan's document source, and what it means when it cannot be read.

Whose fault a failure is decides its outcome. The manufacturer's page answering 404 or 410 (nothing at the
address the profile declares), 401 (credentials demanded) or a login page: the information is not published
for the public, a FAIL. A 403 with no login in sight: servers refuse automated clients (bot protection) while
showing the page to a buyer's browser, so it is a hint, as are bot-protection pages, server errors, plain-HTTP
addresses (this tool fetches HTTPS only) and certificates that fail. Timeouts, unknown hosts and refused
connections may be on our side of the network: an ERROR, never evidence against the manufacturer. No verdict
PASSes without a judged document, so every one of these leaves the provisions INCONCLUSIVE unless it FAILs them.
"""

from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar
from urllib.parse import urlsplit

from iotbaseline.checks.base import Check, Need, ScanEvidence
from iotbaseline.documents.access import Access, status_access
from iotbaseline.documents.evidence import Contradiction
from iotbaseline.documents.fetch import CertificateError, HttpStatusError, InsecureRedirectError, InsecureUrlError
from iotbaseline.documents.model import DocumentFetchError
from iotbaseline.documents.text import DocumentText, read_text
from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity
from iotbaseline.profile.model import ProductProfile

NOT_PUBLIC = frozenset({Access.LOGIN_WALL, Access.NOT_FOUND})


class PublishedDocumentCheck(Check):
    needs: ClassVar[frozenset[Need]] = frozenset({Need.DOCUMENTS, Need.PROFILE})
    url_field: ClassVar[str]
    """The profile field with the document's address, e.g. vulnerability_disclosure.policy_url."""
    document: ClassVar[str]
    """What the document is, in words: "vulnerability disclosure policy"."""
    judged: ClassVar[tuple[str, ...]]
    """Provisions a pass or a hint is evidence for (PSTI is judged through its deemed-compliance routes)."""
    failed: ClassVar[tuple[str, ...]]
    """Provisions a failure to publish is evidence against: the route's and the PSTI requirement itself."""

    @abstractmethod
    def address(self, profile: ProductProfile) -> str | None:
        """The document's URL as the profile declares it."""

    @abstractmethod
    def judge(self, text: DocumentText, profile: ProductProfile) -> list[Finding]:
        """Findings on a public, readable document."""

    def examine(self, evidence: ScanEvidence) -> Iterable[Finding]:
        profile = evidence.profile
        url = self.address(profile) if profile is not None else None
        if profile is None or not url:
            return [self._undeclared(profile)]
        if evidence.documents is None:
            return [self.finding(Outcome.INFO, f"{self.document} not fetched (offline scan)", url)]
        if urlsplit(url).scheme.lower() == "http":
            return [self._plain_http(url, url)]
        try:
            document = evidence.documents.get(url)
        except DocumentFetchError as error:
            return [self._not_fetched(url, error)]
        text = read_text(document)
        if not text.public:
            return [self._refused(url, text.access, text.access_note, text.status, text.url)]
        if not text.readable:
            return [self._unreadable(text)]
        return self.judge(text, profile)

    def finding(
        self,
        outcome: Outcome,
        title: str,
        url: str,
        *,
        provisions: Sequence[str] | None = None,
        line: int | None = None,
        severity: Severity = Severity.INFO,
        detail: str = "",
        evidence: Mapping[str, JSONValue] | None = None,
        discriminator: str = "",
    ) -> Finding:
        """A finding on the document, for `failed` when it FAILs and `judged` otherwise, unless `provisions` says."""
        if provisions is None:
            provisions = self.failed if outcome is Outcome.FAIL else self.judged
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=tuple(provisions),
            severity=severity,
            title=title,
            location=Location(url=url or None, line=line),
            detail=detail,
            evidence=dict(evidence or {}),
            discriminator=discriminator or outcome.value,
        )

    def disagreements(
        self, text: DocumentText, contradictions: Iterable[Contradiction], rule: str, weaker: str
    ) -> list[Finding]:
        """A hint for each fact on which the document and the profile differ: `rule` says what the profile must
        declare, `weaker` what it means when the document promises less."""
        return [
            self.finding(
                Outcome.INFO,
                f"The {self.document} and the profile disagree: {c.message}",
                text.url,
                line=c.quote.sentence if c.quote else None,
                severity=Severity.MEDIUM if c.weaker else Severity.LOW,
                detail=f"{rule} " + (weaker if c.weaker else ""),
                evidence={"contradiction": c.to_dict()},
                discriminator=f"contradiction:{c.field}",
            )
            for c in contradictions
        ]

    def document_evidence(self, text: DocumentText) -> dict[str, JSONValue]:
        return {
            "url": text.requested_url,
            "final_url": text.url,
            "status": text.status,
            "form": text.form.value,
            "title": text.title,
            "language": text.language,
            "sentences": len(text.sentences),
            "truncated": text.truncated,
        }

    def _undeclared(self, profile: ProductProfile | None) -> Finding:
        where = "" if profile is None or not profile.source else f" in {profile.source}"
        return self.finding(
            Outcome.INFO,
            f"No {self.document} to check: the profile gives no `{self.url_field}`",
            "",
            detail=f"Fill `{self.url_field}`{where} with the web address where the {self.document} is published.",
            evidence={"profile_field": self.url_field},
            discriminator="undeclared",
        )

    def _plain_http(self, url: str, final_url: str) -> Finding:
        return self.finding(
            Outcome.INFO,
            f"The {self.document} is served over plain HTTP only, and was not read",
            url,
            severity=Severity.LOW,
            detail=f"{final_url} is not an https:// address. This tool fetches HTTPS only; publish the "
            f"{self.document} over HTTPS (and update `{self.url_field}`) so that it can be checked.",
            evidence={"url": url, "final_url": final_url},
            discriminator="plain-http",
        )

    def _not_fetched(self, url: str, error: DocumentFetchError) -> Finding:
        if isinstance(error, HttpStatusError):
            refused = status_access(error.status)
            if refused is not None:
                return self._refused(url, refused[0], f"{refused[1]} ({error.reason})", error.status, error.url)
        if isinstance(error, InsecureUrlError | InsecureRedirectError):
            return self._plain_http(url, error.url)
        if isinstance(error, CertificateError):
            return self.finding(
                Outcome.INFO,
                f"The {self.document}'s server certificate was not accepted",
                url,
                severity=Severity.MEDIUM,
                detail=f"{error.reason}. A buyer's browser warns before showing the page; fix the certificate.",
                evidence={"url": url, "reason": error.reason},
                discriminator="certificate",
            )
        return self.finding(
            Outcome.ERROR,
            f"{self.title}: the {self.document} could not be fetched",
            url,
            detail=f"{error.reason}. This may be the network between this tool and the server, not the "
            "manufacturer's publication: run the check again where the address is reachable.",
            evidence={"url": url, "reason": error.reason},
            discriminator="not-fetched",
        )

    def _refused(self, url: str, access: Access, note: str, status: int, final_url: str) -> Finding:
        evidence: dict[str, JSONValue] = {"url": url, "final_url": final_url, "status": status, "access": access.value}
        fails = access in NOT_PUBLIC or (access is Access.DENIED and status == 401)
        if fails:
            reason = {
                Access.LOGIN_WALL: "is behind a login",
                Access.NOT_FOUND: "is not published at the declared address",
            }.get(access, "needs credentials")
            return self.finding(
                Outcome.FAIL,
                f"The {self.document} {reason}",
                url,
                severity=Severity.HIGH,
                detail=f"{note}. The information must be available to anyone, without an account or a request.",
                evidence=evidence,
                discriminator="not-public",
            )
        detail = {
            Access.DENIED: "the server refused this tool; if a browser shows the page, its bot protection refuses "
            "automated clients: check the page by hand or let the tool through",
            Access.CHALLENGE: "a bot-protection page answered instead of the document: check it by hand",
        }.get(access, "the server failed to deliver it: try again later")
        return self.finding(
            Outcome.INFO,
            f"The {self.document} could not be read ({note})",
            url,
            severity=Severity.LOW,
            detail=f"{note}: {detail}.",
            evidence=evidence,
            discriminator="refused",
        )

    def _unreadable(self, text: DocumentText) -> Finding:
        evidence = self.document_evidence(text) | {"problem": text.problem}
        return self.finding(
            Outcome.INFO,
            f"The {self.document} cannot be read: {text.problem}",
            text.url,
            severity=Severity.LOW,
            detail="Its words could not be judged; publish it as text (an HTML page or a PDF with a text layer).",
            evidence=evidence,
            discriminator="unreadable",
        )

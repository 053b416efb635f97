"""Finding a website's security.txt and judging how it is served (RFC 9116 section 3).

`/.well-known/security.txt` first, then the legacy `/security.txt` when the first is not published (an HTTP error
status). A manufacturer's own failings (a refused certificate, a redirect to plain HTTP, endless redirects) are
reported as problems of the file; a network that fails us (no such host, timeout) raises DocumentFetchError.
"""

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from iotbaseline.documents.fetch import CertificateError, HttpStatusError, InsecureRedirectError, RedirectLimitError
from iotbaseline.documents.model import DocumentFetchError, DocumentSource, FetchedDocument
from iotbaseline.documents.pgp_verify import PublicKeys
from iotbaseline.documents.security_txt import not_found_report, validate_security_txt
from iotbaseline.documents.security_txt_model import Problem, SecurityTxtReport
from iotbaseline.documents.security_txt_rules import default_security_txt_rules

WELL_KNOWN_PATH = "/.well-known/security.txt"
LEGACY_PATH = "/security.txt"
_UTF8_NAMES = frozenset({"utf-8", "utf8", "csutf8"})
_REFUSALS: tuple[tuple[type[DocumentFetchError], str], ...] = (
    (CertificateError, "invalid_cert"),
    (InsecureRedirectError, "insecure_redirect"),
    (RedirectLimitError, "too_many_redirects"),
)


def security_txt_urls(url: str) -> tuple[str, ...]:
    """Where to look: `url` itself when it names a security.txt, else the site's two places in order."""
    parts = urlsplit(url)
    if parts.path.lower().endswith("security.txt"):
        return (url,)
    origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return (origin + WELL_KNOWN_PATH, origin + LEGACY_PATH)


def check_security_txt_url(
    source: DocumentSource, url: str, *, keys: PublicKeys | None = None, now: datetime | None = None
) -> SecurityTxtReport:
    """The report on the security.txt of the site `url` (or at `url`). DocumentFetchError when the network, not
    the manufacturer, is the reason nothing could be read, and for a `url` that is not https://."""
    rules = default_security_txt_rules()
    candidates = security_txt_urls(url)
    tried: list[str] = []
    for index, candidate in enumerate(candidates):
        try:
            document = source.get(candidate)
        except HttpStatusError as error:
            tried.append(f"{candidate}: {error.reason}")
            continue
        except (CertificateError, InsecureRedirectError, RedirectLimitError) as error:
            code = next(code for kind, code in _REFUSALS if isinstance(error, kind))
            return not_found_report(rules.problem(code, None, url=error.url, reason=error.reason))
        served = served_problems(document, legacy=index > 0)  # the second place is the legacy one
        return validate_security_txt(
            document.body,
            source_url=document.final_url,
            fetched_from=(*document.redirects, document.final_url),
            served=served,
            truncated=document.truncated,
            keys=keys,
            now=now,
        )
    return not_found_report(rules.problem("no_security_txt", None, tried="; ".join(tried)))


def served_problems(document: FetchedDocument, *, legacy: bool = False) -> Sequence[Problem]:
    """Where the file was asked for, its media type and charset: what RFC 9116 section 3 asks of serving.

    `legacy`: found at /security.txt after /.well-known/security.txt was missing."""
    rules = default_security_txt_rules()
    problems: list[Problem] = []
    requested = urlsplit(document.requested_url)
    if legacy:
        problems.append(rules.problem("legacy_location", None, url=document.requested_url))
    elif requested.path != WELL_KNOWN_PATH:
        problems.append(rules.problem("location", None, url=document.requested_url))
    final = urlsplit(document.final_url)
    if (final.hostname or "") != (requested.hostname or ""):
        problems.append(rules.problem("redirected", None, url=document.requested_url, final=document.final_url))
    if not document.content_type:
        problems.append(rules.problem("no_content_type", None))
    elif document.content_type != "text/plain":
        problems.append(rules.problem("invalid_media", None, content_type=document.content_type))
    if document.content_type and document.charset is None:
        problems.append(rules.problem("no_charset", None))
    elif document.charset is not None and document.charset not in _UTF8_NAMES:
        problems.append(rules.problem("invalid_charset", None, charset=document.charset))
    return problems

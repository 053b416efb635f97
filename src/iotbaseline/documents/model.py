"""A published document as fetched: where it was asked for, where it ended up, and its bytes."""

from dataclasses import dataclass
from typing import Protocol

from iotbaseline.errors import IotBaselineError


class DocumentFetchError(IotBaselineError):
    """A document could not be fetched or read as asked (not HTTPS, too large, unreachable, HTTP error...)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class FetchedDocument:
    requested_url: str
    """The URL the user or a document named; a file's path as a `file:` URL when read with --file."""
    final_url: str
    """After redirects: what a `Canonical` field or a policy link must match."""
    status: int
    """HTTP status of the final response (200 for a file)."""
    content_type: str
    """The media type without parameters (`text/plain`, `text/html`, `application/pdf`)."""
    charset: str | None
    body: bytes
    redirects: tuple[str, ...] = ()
    """Every URL passed through, in order, before `final_url`."""
    fetched_at: str = ""
    """ISO 8601 UTC time of the fetch."""
    truncated: bool = False
    """The body stopped at the size limit."""


class DocumentSource(Protocol):
    """Where checks get published documents: fetched once per URL and scan, only URLs the user or a document named."""

    def get(self, url: str) -> FetchedDocument:
        """The document, or DocumentFetchError saying why not."""
        ...

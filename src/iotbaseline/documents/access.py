"""Whether the public can read a fetched document: from its status, where it was redirected, and its content
(a login page, a bot-protection interstitial). The words come from `data/documents/access.yaml`."""

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from iotbaseline.documents.model import FetchedDocument
from iotbaseline.documents.phrasebook import DocumentDataError, load_data, merged_list, phrase_pattern

CHALLENGE_SCAN_BYTES = 64 * 1024


class Access(StrEnum):
    """Whether the public can read the document, as far as the response shows."""

    PUBLIC = "public"
    LOGIN_WALL = "login-wall"
    """The response is a login page (or a redirect to one) instead of the document."""
    DENIED = "denied"
    """HTTP 401 or 403: the server refuses to show it without credentials."""
    NOT_FOUND = "not-found"
    """HTTP 404 or 410: nothing is published at that address."""
    CHALLENGE = "challenge"
    """A bot-protection interstitial: our client was refused; a buyer's browser may see the page."""
    SERVER_ERROR = "server-error"
    """HTTP 5xx: the server failed, which may pass."""
    HTTP_ERROR = "http-error"
    """Any other status that is not a success."""


@dataclass(frozen=True)
class AccessRules:
    login_phrases: re.Pattern[str]
    script_only_phrases: re.Pattern[str]
    login_url_paths: tuple[str, ...]
    login_hosts: tuple[str, ...]
    challenge_markers: tuple[bytes, ...]
    furniture_class: re.Pattern[str]
    thin_page_words: int
    script_shell_words: int


@functools.cache
def default_access_rules() -> AccessRules:
    data = load_data("access")
    try:
        return AccessRules(
            login_phrases=phrase_pattern(merged_list(data, "login_phrases")),
            script_only_phrases=phrase_pattern(merged_list(data, "script_only_phrases")),
            login_url_paths=tuple(str(p).strip("/").lower() for p in data["login_url_paths"]),
            login_hosts=tuple(str(h).lower() for h in data["login_hosts"]),
            challenge_markers=tuple(str(m).encode() for m in data["challenge_markers"]),
            furniture_class=re.compile(data["furniture_class"]),
            thin_page_words=int(data["thin_page_words"]),
            script_shell_words=int(data["script_shell_words"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as error:
        raise DocumentDataError(f"document access rules: {type(error).__name__}: {error}") from error


@dataclass(frozen=True)
class LoginSigns:
    """What an HTML page shows of a login: a password field, login words, and how much else it says."""

    password_field: bool
    login_phrase: str
    words: int


def judge_access(document: FetchedDocument, login: LoginSigns | None, rules: AccessRules) -> tuple[Access, str]:
    """The access verdict and what shows it (quoted status, phrase or address)."""
    status = document.status
    challenge = _challenge(document.body, rules) if status != 401 else ""
    if challenge:
        return Access.CHALLENGE, f"HTTP {status}, a bot-protection page ({challenge!r})"
    refused = status_access(status)
    if refused is not None:
        return refused
    login_address = _login_address(document.final_url, rules)
    if login_address and document.final_url != document.requested_url:
        return Access.LOGIN_WALL, f"redirected to a login page: {document.final_url}"
    if login is not None and login.words < rules.thin_page_words:
        if login.password_field:
            return Access.LOGIN_WALL, f"a login form (password field) on a page of {login.words} words"
        if login.login_phrase:
            return Access.LOGIN_WALL, f"{login.login_phrase!r} on a page of {login.words} words"
    return Access.PUBLIC, ""


def status_access(status: int) -> tuple[Access, str] | None:
    """What an error status says about access; None for a success."""
    if 200 <= status < 300:
        return None
    if status == 401:
        return Access.DENIED, "HTTP 401: the server asks for credentials"
    if status == 403:
        return Access.DENIED, "HTTP 403: the server refuses access"
    if status in (404, 410):
        return Access.NOT_FOUND, f"HTTP {status}: nothing is published at this address"
    if status >= 500:
        return Access.SERVER_ERROR, f"HTTP {status}: the server failed"
    return Access.HTTP_ERROR, f"HTTP {status}"


def _challenge(body: bytes, rules: AccessRules) -> str:
    head = body[:CHALLENGE_SCAN_BYTES]
    return next((m.decode() for m in rules.challenge_markers if m in head), "")


def _login_address(url: str, rules: AccessRules) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in rules.login_hosts):
        return True
    path = "/" + "/".join(segment for segment in parts.path.lower().split("/") if segment) + "/"
    return any(f"/{entry}/" in path for entry in rules.login_url_paths)

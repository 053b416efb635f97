"""The values of security.txt fields: URIs and their schemes, `Expires`, language tags (RFC 9116 section 2.5)."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from urllib.parse import urlsplit

from iotbaseline.documents.security_txt_model import Problem, SecurityTxtField
from iotbaseline.documents.security_txt_rules import FieldRule, SecurityTxtRules

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(.*)", re.DOTALL)
# RFC 3339 section 5.6 date-time; "T" and "Z" may be lower case (its note), a space may not (RFC 9116 uses the ABNF).
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))", re.ASCII
)
_DATE_SPACE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", re.ASCII)
_DATE_TIME_NO_ZONE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?", re.ASCII)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# RFC 5646 section 2.1 `langtag` / `privateuse`: well-formed tags (grandfathered ones come from the data file).
_LANGUAGE_TAG = re.compile(
    r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"  # language, extended language subtags
    r"(?:-[A-Za-z]{4})?"  # script
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"  # private use
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+",
    re.ASCII,
)
_FINGERPRINT = re.compile(r"[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}", re.ASCII)
_TELEPHONE = re.compile(r"\+?[0-9().\-]*[0-9][0-9().\-]*(?:;.*)?", re.ASCII)
LEAP_SECOND = 60


@dataclass(frozen=True)
class ExpiresValue:
    when: datetime | None
    reason: str
    """Why the value is not a date and time, when `when` is None."""


def example_expires(now: datetime) -> str:
    """A good `Expires` value to suggest: about eleven months ahead."""
    return f"{now.astimezone(UTC) + timedelta(days=335):%Y-%m-%dT%H:%M:%S}Z"


def parse_expires(value: str) -> ExpiresValue:
    match = _DATE_TIME.fullmatch(value)
    if match is None:
        return ExpiresValue(None, _why_not_a_date_time(value))
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    second = min(second, 59) if second == LEAP_SECOND else second
    fraction = int((match.group(7) or "0")[:6].ljust(6, "0"))
    try:
        offset = _offset(match)
        when = datetime(year, month, day, hour, minute, second, fraction, tzinfo=offset)
    except ValueError:
        return ExpiresValue(None, "there is no such date, time or time zone offset")
    return ExpiresValue(when, "")


def _offset(match: re.Match[str]) -> tzinfo:
    if match.group(8):
        return UTC
    hours, minutes = int(match.group(10)), int(match.group(11))
    if hours > 23 or minutes > 59:  # the limits of a clock
        raise ValueError("offset out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if match.group(9) == "-" else delta)


def _why_not_a_date_time(value: str) -> str:
    if _DATE_SPACE_TIME.match(value):
        return "separate the date and the time with 'T', not a space"
    if _DATE_TIME_NO_ZONE.fullmatch(value):
        return "the time zone is missing: end with 'Z' or an offset such as +01:00"
    if _DATE_ONLY.fullmatch(value):
        return "the time and time zone are missing"
    return "expected the form YYYY-MM-DDThh:mm:ssZ"


def is_language_tag(tag: str, rules: SecurityTxtRules) -> bool:
    return bool(_LANGUAGE_TAG.fullmatch(tag)) or tag.lower() in rules.grandfathered_language_tags


def language_problems(field: SecurityTxtField, rules: SecurityTxtRules) -> list[Problem]:
    tags = [tag.strip(" \t") for tag in field.value.split(",")]
    return [
        rules.problem("invalid_lang", field.line, value=tag or "(empty)")
        for tag in tags
        if not is_language_tag(tag, rules)
    ]


def uri_problems(field: SecurityTxtField, rule: FieldRule, rules: SecurityTxtRules) -> list[Problem]:
    value = field.value
    match = _SCHEME.fullmatch(value)
    if match is None or (len(match.group(1)) == 1 and match.group(2).startswith("\\")):  # C:\ is a path
        return [rules.problem("no_uri", field.line, field=rule.name, value=value, hint=_uri_hint(value))]
    scheme, rest = match.group(1).lower(), match.group(2)
    if any(character.isspace() for character in value):
        return [_invalid(field, rule, rules, "it contains white space")]
    if scheme == "http":
        return [rules.problem("no_https", field.line, field=rule.name, value=value)]
    reason = _scheme_specific_problem(scheme, value, rest)
    if reason:
        return [_invalid(field, rule, rules, reason)]
    problems: list[Problem] = []
    if scheme not in rule.schemes:
        expected = ", ".join(f"'{name}:'" for name in sorted(rule.schemes))
        problems.append(rules.problem("unusual_scheme", field.line, field=rule.name, scheme=scheme, expected=expected))
    if rule.suffix and not urlsplit(value).path.endswith(rule.suffix):
        problems.append(rules.problem("no_csaf_file", field.line, value=value))
    return problems


def _invalid(field: SecurityTxtField, rule: FieldRule, rules: SecurityTxtRules, reason: str) -> Problem:
    return rules.problem("invalid_uri", field.line, field=rule.name, value=field.value, reason=reason)


def _scheme_specific_problem(scheme: str, value: str, rest: str) -> str:
    if scheme == "https":
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
        except ValueError as error:
            return str(error)
        if not parts.hostname:
            return "there is no host name after 'https://'"
    elif scheme == "mailto" and "@" not in rest:
        return "there is no e-mail address after 'mailto:'"
    elif scheme == "tel" and not _TELEPHONE.fullmatch(rest):
        return "there is no telephone number after 'tel:'"
    elif scheme == "openpgp4fpr" and not _FINGERPRINT.fullmatch(rest):
        return "there is no 40 or 64 hexadecimal digit key fingerprint after 'openpgp4fpr:'"
    return ""


def _uri_hint(value: str) -> str:
    if "@" in value and not value.startswith("@"):
        return f"; for an e-mail address write 'mailto:{value}'"
    if value[:1] == "+" or value[:1].isdigit():
        return f"; for a telephone number write 'tel:{value.replace(' ', '')}'"
    if value.lower().startswith("www."):
        return f"; for a web address write 'https://{value}'"
    return ""

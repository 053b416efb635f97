"""security.txt validated against RFC 9116: every problem with a stable code, its line, and what to do.

Why not the `sectxt` package: it is the best-known validator (internet.nl uses it) and its problem codes are reused
here, but it installs pytest and requests-mock as run-time dependencies, its fetcher falls back to plain HTTP and to
unverified certificates, it raises OverflowError on a hostile `Expires`, reads CR-only line ends as one line, accepts
any URI scheme in `Contact` and `Encryption`, silently drops a `Hash:` line from a signed file's fields and cannot
verify a signature. Reading the format is the smaller part of the work; the rest is ours either way.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from iotbaseline.documents.cleartext import is_clearsigned, read_clearsigned
from iotbaseline.documents.model import FetchedDocument
from iotbaseline.documents.pgp_verify import PublicKeys, SignatureCheck, verify_clearsigned
from iotbaseline.documents.security_txt_lines import Line, decode_lines
from iotbaseline.documents.security_txt_model import Problem, SecurityTxtField, SecurityTxtReport
from iotbaseline.documents.security_txt_rules import SecurityTxtRules, default_security_txt_rules
from iotbaseline.documents.security_txt_values import (
    example_expires,
    language_problems,
    parse_expires,
    uri_problems,
)

SECURITY_TXT_MAX_BYTES = 1024 * 1024
"""A security.txt lists a few fields; beyond this only the first part is checked (and that is an error)."""
EXPIRES_AT_MOST = timedelta(days=366)
"""RFC 9116 section 2.5.5: less than a year ahead is recommended (a leap year's day of grace)."""
_WHITE_SPACE = " \t"


def validate_security_txt(
    content: bytes,
    *,
    source_url: str | None = None,
    fetched_from: Sequence[str] = (),
    served: Sequence[Problem] = (),
    truncated: bool = False,
    keys: PublicKeys | None = None,
    now: datetime | None = None,
) -> SecurityTxtReport:
    """The report on `content`.

    `fetched_from`: the addresses the file was fetched through (requested, redirects, final), one of which a
    `Canonical` field must list; empty for a file read from disk. `served`: problems with how it was served.
    `truncated`: `content` is only the start of a larger file.
    """
    rules = default_security_txt_rules()
    now = now or datetime.now(UTC)
    problems = list(served)
    if truncated or len(content) > SECURITY_TXT_MAX_BYTES:
        content = content[:SECURITY_TXT_MAX_BYTES]
        problems.append(rules.problem("too_large", None, limit=len(content)))
    decoded = decode_lines(content, rules)
    problems += decoded.problems
    body = decoded.lines
    signed = is_clearsigned(decoded.lines)
    signature = SignatureCheck(None, "the file is not signed")
    if signed:
        parts = read_clearsigned(decoded.lines, rules)
        problems += parts.problems
        body = parts.body
        signature = _check_signature(parts.armored, keys, rules, problems)
    fields = _read_fields(body, rules, problems)
    expires = _check_values(fields, rules, now, problems)
    _check_file(fields, rules, signed=signed, fetched_from=fetched_from, now=now, problems=problems)
    return _report(
        problems,
        rules,
        fields=fields,
        source_url=source_url,
        signed=signed,
        signature=signature,
        expires=expires,
        redirects=tuple(fetched_from[:-1]),
    )


def validate_security_txt_file(
    document: FetchedDocument, *, keys: PublicKeys | None = None, now: datetime | None = None
) -> SecurityTxtReport:
    """The report on a security.txt read from disk: its content only, since how it is served is unknown."""
    return validate_security_txt(
        document.body, source_url=document.final_url, truncated=document.truncated, keys=keys, now=now
    )


def not_found_report(problem: Problem, *, source_url: str | None = None) -> SecurityTxtReport:
    """The report when there is no file to validate: not found, or refused over how it is served."""
    return _report(
        [problem],
        default_security_txt_rules(),
        fields=(),
        source_url=source_url,
        signed=False,
        signature=SignatureCheck(None, "no file was read"),
        expires=None,
        redirects=(),
    )


def _check_signature(
    armored: str | None, keys: PublicKeys | None, rules: SecurityTxtRules, problems: list[Problem]
) -> SignatureCheck:
    if armored is None:
        check = SignatureCheck(None, "the signature block is malformed")
    else:
        check = verify_clearsigned(armored, keys)
    if check.verified is False:
        problems.append(rules.problem("invalid_signature", None, reason=check.note))
    elif check.verified is None:
        problems.append(rules.problem("signature_not_verified", None, reason=check.note))
    return check


def _read_fields(
    lines: Sequence[Line], rules: SecurityTxtRules, problems: list[Problem]
) -> tuple[SecurityTxtField, ...]:
    fields: list[SecurityTxtField] = []
    for line in lines:
        text = line.text.rstrip(_WHITE_SPACE)  # white space before the line end is allowed (RFC 9116 `eol`)
        if not text or text.startswith("#"):
            continue
        name, colon, rest = text.partition(":")
        if not colon or name[:1] in _WHITE_SPACE or any(c in _WHITE_SPACE for c in name.strip(_WHITE_SPACE)):
            problems.append(rules.problem("invalid_line", line.number, value=text))
            continue
        field = _field(line.number, name, rest, rules, problems)
        if field is not None:
            fields.append(field)
    return tuple(fields)


def _field(
    number: int, name: str, rest: str, rules: SecurityTxtRules, problems: list[Problem]
) -> SecurityTxtField | None:
    if not name.strip(_WHITE_SPACE):
        problems.append(rules.problem("empty_key", number))
        return None
    if name != name.rstrip(_WHITE_SPACE):
        problems.append(rules.problem("prec_ws", number, field=name.rstrip(_WHITE_SPACE)))
        name = name.rstrip(_WHITE_SPACE)
    if not name.isascii() or not name.isprintable():
        problems.append(rules.problem("invalid_field_name", number, field=name))
        return None
    value = rest.strip(_WHITE_SPACE)
    if not value:
        problems.append(rules.problem("empty_value", number, field=name))
        return None
    if not rest.startswith(" "):
        problems.append(rules.problem("no_space", number, field=name))
    if name.lower() not in rules.fields:
        problems.append(rules.problem("unknown_field", number, field=name))
    return SecurityTxtField(name=name, value=value, line=number)


def _check_values(
    fields: Sequence[SecurityTxtField], rules: SecurityTxtRules, now: datetime, problems: list[Problem]
) -> datetime | None:
    """Each field's value on its own; the first valid `Expires` date."""
    first_expires: datetime | None = None
    for field in fields:
        rule = rules.fields.get(field.key)
        if rule is None:
            continue
        if rule.uri:
            problems += uri_problems(field, rule, rules)
        elif field.key == "expires":
            when = _check_expires(field, rules, now, problems)
            first_expires = first_expires or when
        elif field.key == "preferred-languages":
            problems += language_problems(field, rules)
    return first_expires


def _check_expires(
    field: SecurityTxtField, rules: SecurityTxtRules, now: datetime, problems: list[Problem]
) -> datetime | None:
    parsed = parse_expires(field.value)
    if parsed.when is None:
        example = example_expires(now)
        problems.append(
            rules.problem("invalid_expiry", field.line, value=field.value, reason=parsed.reason, example=example)
        )
    elif parsed.when <= now:
        problems.append(rules.problem("expired", field.line, value=field.value))
    elif parsed.when > now + EXPIRES_AT_MOST:
        problems.append(rules.problem("long_expiry", field.line, value=field.value))
    return parsed.when


def _check_file(
    fields: Sequence[SecurityTxtField],
    rules: SecurityTxtRules,
    *,
    signed: bool,
    fetched_from: Sequence[str],
    now: datetime,
    problems: list[Problem],
) -> None:
    """What concerns the file as a whole: required and single fields, Canonical, signature, encryption."""
    by_key: dict[str, list[SecurityTxtField]] = defaultdict(list)
    for field in fields:
        by_key[field.key].append(field)
    for key, rule in rules.fields.items():
        present = by_key.get(key, [])
        if not present and rule.missing:
            problems.append(rules.problem(rule.missing, None, example=example_expires(now)))
        if len(present) > 1 and rule.repeated:
            problems += [rules.problem(rule.repeated, extra.line, first=present[0].line) for extra in present[1:]]
    canonical = by_key.get("canonical", [])
    if canonical and fetched_from and not _canonical_matches(canonical, fetched_from):
        problems.append(rules.problem("no_canonical_match", canonical[0].line, url=fetched_from[-1]))
    csaf = by_key.get("csaf", [])
    if len(csaf) > 1:
        problems.append(rules.problem("multiple_csaf_fields", csaf[1].line, count=len(csaf)))
    emails = any(field.value.lower().startswith("mailto:") for field in by_key.get("contact", []))
    if emails and not by_key.get("encryption"):
        problems.append(rules.problem("no_encryption", None))
    if not signed:
        problems.append(rules.problem("not_signed", None))
    elif not canonical:
        problems.append(rules.problem("no_canonical", None))


def _canonical_matches(canonical: Sequence[SecurityTxtField], fetched_from: Sequence[str]) -> bool:
    listed = {_comparable(field.value) for field in canonical}
    return any(_comparable(url) in listed for url in fetched_from)


def _comparable(url: str) -> str:
    """Scheme and host compared without case, the default port and an empty path as written differently."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    netloc = host if port in (None, 443) else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _report(
    problems: Sequence[Problem],
    rules: SecurityTxtRules,
    *,
    fields: tuple[SecurityTxtField, ...],
    source_url: str | None,
    signed: bool,
    signature: SignatureCheck,
    expires: datetime | None,
    redirects: tuple[str, ...],
) -> SecurityTxtReport:
    listed = _bounded(problems, rules)
    return SecurityTxtReport(
        valid=not any(problem.severity == "error" for problem in problems),
        errors=tuple(p for p in listed if p.severity == "error"),
        recommendations=tuple(p for p in listed if p.severity == "recommendation"),
        notices=tuple(p for p in listed if p.severity == "notice"),
        fields=fields,
        source_url=source_url,
        signed=signed,
        signature_verified=signature.verified,
        signature_note=signature.note,
        expires=expires,
        redirects=redirects,
    )


def _bounded(problems: Sequence[Problem], rules: SecurityTxtRules) -> list[Problem]:
    """In line order (the file's own problems first), at most a few of each code, and how many were left out."""
    ordered = sorted(problems, key=lambda problem: -1 if problem.line is None else problem.line)
    counts: dict[str, int] = defaultdict(int)
    listed: list[Problem] = []
    for problem in ordered:
        counts[problem.code] += 1
        if counts[problem.code] <= rules.max_problems_per_code:
            listed.append(problem)
    listed += [
        rules.problem("more_problems", None, count=count - rules.max_problems_per_code, which=code)
        for code, count in counts.items()
        if count > rules.max_problems_per_code
    ]
    return listed

"""security.txt against RFC 9116: real-format fixtures (valid, expired, unsigned, signed with gpg, malformed,
mis-canonical) with the exact problem codes expected, the values on their own, hostile input, and finding and
judging a file served by a local HTTPS server."""

import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from iotbaseline.documents.fetch import FetchLimits, HttpsFetcher, InsecureUrlError
from iotbaseline.documents.model import DocumentFetchError
from iotbaseline.documents.pgp_verify import PublicKeyError, PublicKeys, load_public_keys
from iotbaseline.documents.security_txt import SECURITY_TXT_MAX_BYTES, validate_security_txt
from iotbaseline.documents.security_txt_model import SecurityTxtReport
from iotbaseline.documents.security_txt_rules import (
    SecurityTxtRuleError,
    default_security_txt_rules,
    parse_security_txt_rules,
)
from iotbaseline.documents.security_txt_values import is_language_tag, parse_expires
from iotbaseline.documents.security_txt_web import check_security_txt_url, security_txt_urls
from tests.conftest import StartHttpsServer
from tests.https_server import Route, redirect

FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents" / "security_txt"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
"""The fixtures' `Expires` dates are fixed; they are judged as of this day."""
WELL_KNOWN = "https://vendor.example/.well-known/security.txt"
SOURCE = Path(__file__).parents[2] / "src" / "iotbaseline" / "documents"


def check(name: str, *, keys: PublicKeys | None = None, fetched_from: tuple[str, ...] = ()) -> SecurityTxtReport:
    return validate_security_txt((FIXTURES / name).read_bytes(), fetched_from=fetched_from, keys=keys, now=NOW)


def codes(report: SecurityTxtReport) -> set[tuple[str, int | None]]:
    return {(problem.code, problem.line) for problem in report.errors}


def key(name: str) -> PublicKeys:
    return load_public_keys((FIXTURES / name).read_bytes(), name)


@pytest.mark.parametrize(
    ("fixture", "errors"),
    [
        ("valid.txt", set()),
        ("minimal-crlf.txt", set()),
        ("long-expiry.txt", set()),
        ("signed.txt", set()),
        ("expired.txt", {("expired", 2)}),
        ("no-contact.txt", {("no_contact", None)}),
        ("bad-dates.txt", {("invalid_expiry", 2)}),
        ("date-with-space.txt", {("invalid_expiry", 2)}),
        ("duplicate-expires.txt", {("multi_expire", 4)}),
        ("http-contact.txt", {("no_https", 1), ("no_uri", 2), ("no_https", 4)}),
        ("bom.txt", {("bom_in_file", 1)}),
        ("cr-only.txt", {("cr_line_separator", 1)}),
        ("not-utf8.txt", {("utf8", 3), ("no_line_separators", 4)}),
        ("mis-canonical.txt", {("no_canonical_match", 4)}),
        (
            "malformed-fields.txt",
            {
                ("prec_ws", 1),
                ("no_space", 2),
                ("empty_value", 3),
                ("invalid_lang", 4),
                ("multi_lang", 5),
                ("no_csaf_file", 7),
                ("invalid_line", 9),
            },
        ),
        (
            "signed-broken.txt",
            {
                ("data_before_sig", 1),
                ("weak_hash", 3),
                ("dash_escaping", 6),
                ("pgp_data_error", 13),
                ("data_after_sig", 15),
            },
        ),
        ("signed-truncated.txt", {("signed_format_issue", None)}),
    ],
)
def test_each_fixture_gives_exactly_its_errors(fixture: str, errors: set[tuple[str, int | None]]) -> None:
    report = check(fixture, fetched_from=(WELL_KNOWN,))

    assert codes(report) == errors
    assert report.valid is (not errors)
    assert all(problem.message.strip() for problem in (*report.errors, *report.recommendations, *report.notices))


def test_a_complete_unsigned_file_is_valid_and_only_asked_to_be_signed() -> None:
    report = check("valid.txt", fetched_from=(WELL_KNOWN,))

    assert [problem.code for problem in report.recommendations] == ["not_signed"]
    assert report.notices == ()
    assert report.values("contact") == (
        "mailto:security@vendor.example",
        "https://vendor.example/security/report",
        "tel:+44-20-7946-0958",
    )
    assert report.values("Policy") == ("https://vendor.example/security/disclosure-policy",)
    assert report.expires == datetime(2027, 6, 30, 23, 59, 59, tzinfo=UTC)
    assert (report.signed, report.signature_verified) == (False, None)


def test_a_file_with_an_offset_crlf_lines_and_no_email_contact_is_valid() -> None:
    report = check("minimal-crlf.txt")

    assert report.valid
    assert report.expires == datetime(2027, 3, 31, 11, 0, tzinfo=UTC)
    assert {problem.code for problem in report.recommendations} == {"not_signed"}


def test_an_expires_date_more_than_a_year_ahead_is_a_recommendation_not_an_error() -> None:
    report = check("long-expiry.txt")

    assert report.valid
    assert ("long_expiry", 2) in {(p.code, p.line) for p in report.recommendations}


def test_an_expired_file_says_to_set_a_new_date() -> None:
    (problem,) = check("expired.txt").errors

    assert "expired on 2025-12-31T23:59:59Z" in problem.message
    assert "less than a year ahead" in problem.message


def test_date_problems_say_what_is_wrong() -> None:
    assert "no such date" in check("bad-dates.txt").errors[0].message
    assert "'T', not a space" in check("date-with-space.txt").errors[0].message


def test_an_email_address_without_mailto_is_answered_with_the_fix() -> None:
    no_uri = next(p for p in check("http-contact.txt").errors if p.code == "no_uri")

    assert "mailto:security@vendor.example" in no_uri.message


def test_a_bom_and_cr_only_lines_are_errors_but_the_fields_are_still_read() -> None:
    for fixture in ("bom.txt", "cr-only.txt"):
        report = check(fixture)
        assert [f.key for f in report.fields] == ["contact", "expires", "policy"]
        assert [f.line for f in report.fields] == [1, 2, 3]


def test_canonical_is_checked_only_against_the_addresses_the_file_came_from() -> None:
    assert check("mis-canonical.txt").valid  # read from disk: no address to compare
    problem = check("mis-canonical.txt", fetched_from=(WELL_KNOWN,)).errors[0]
    assert WELL_KNOWN in problem.message


def test_canonical_matches_any_address_of_the_redirect_chain_written_in_any_case() -> None:
    content = _fresh("Canonical: HTTPS://Vendor.Example:443/.well-known/security.txt\n")

    report = validate_security_txt(content, fetched_from=(WELL_KNOWN, "https://cdn.vendor.example/s.txt"), now=NOW)

    assert report.valid


def test_malformed_fields_are_each_named_and_the_rest_noted() -> None:
    report = check("malformed-fields.txt")

    assert ("unusual_scheme", 6) in {(p.code, p.line) for p in report.recommendations}
    assert "no_policy" in {p.code for p in report.recommendations}  # the Policy line has no value
    assert [(p.code, p.line) for p in report.notices] == [("unknown_field", 8)]
    assert "en_GB" in next(p for p in report.errors if p.code == "invalid_lang").message


def test_a_signed_file_verifies_with_the_manufacturers_key() -> None:
    report = check("signed.txt", keys=key("signed-key.asc"), fetched_from=(WELL_KNOWN,))

    assert report.valid
    assert (report.signed, report.signature_verified) == (True, True)
    assert "069F758C3D75DD44E6E5FF89A03F070D89E835E5" in report.signature_note
    assert report.recommendations == ()
    assert report.notices == ()
    assert report.values("canonical") == (WELL_KNOWN,)


def test_a_signed_file_without_a_key_is_valid_with_the_signature_not_verified() -> None:
    report = check("signed.txt")

    assert report.valid
    assert (report.signed, report.signature_verified) == (True, None)
    assert [p.code for p in report.notices] == ["signature_not_verified"]
    assert "--key" in report.notices[0].message


@pytest.mark.parametrize(
    ("fixture", "key_file"), [("signed-tampered.txt", "signed-key.asc"), ("signed.txt", "other-key.asc")]
)
def test_a_changed_file_or_another_key_fails_verification(fixture: str, key_file: str) -> None:
    report = check(fixture, keys=key(key_file))

    assert not report.valid
    assert report.signature_verified is False
    assert [p.code for p in report.errors] == ["invalid_signature"]


def test_a_tampered_file_looks_fine_without_the_key() -> None:
    assert check("signed-tampered.txt").valid  # why a key is worth giving


def test_text_outside_the_signature_is_not_read_as_fields() -> None:
    report = check("signed-broken.txt", keys=key("signed-key.asc"))

    assert report.values("contact") == ("mailto:security@vendor.example",)
    assert report.signature_verified is None  # the block is malformed, so nothing to verify
    assert [p.code for p in report.notices] == ["signature_not_verified", "unknown_field"]


def test_a_file_that_is_not_a_key_is_refused_as_a_key() -> None:
    with pytest.raises(PublicKeyError, match=r"valid\.txt"):
        load_public_keys((FIXTURES / "valid.txt").read_bytes(), "valid.txt")
    with pytest.raises(PublicKeyError, match="no OpenPGP public key"):
        load_public_keys(b"", "empty.asc")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2027-01-31T23:59:59Z", datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)),
        ("2027-01-31t23:59:59.123z", datetime(2027, 1, 31, 23, 59, 59, 123000, tzinfo=UTC)),
        ("2027-01-31T23:59:59-05:30", datetime(2027, 2, 1, 5, 29, 59, tzinfo=UTC)),
        ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),  # a leap second
        ("2027-01-31", None),
        ("2027-01-31T23:59:59", None),
        ("31/01/2027", None),
        ("2027-13-01T00:00:00Z", None),
        ("2027-01-01T00:00:00+24:00", None),
        ("99999999999999999999999-01-01T00:00:00Z", None),
        ("２０２７-01-01T00:00:00Z", None),  # full-width digits are not ASCII digits
    ],
)
def test_expires_is_read_as_rfc_3339(value: str, expected: datetime | None) -> None:
    parsed = parse_expires(value)

    assert parsed.when == expected
    assert bool(parsed.reason) is (expected is None)


def test_expires_now_is_expired_and_a_year_ahead_is_fine() -> None:
    assert "expired" in _error_codes(_fresh(expires=NOW))
    within_a_year = validate_security_txt(_fresh(expires=NOW + timedelta(days=365)), now=NOW)
    assert "long_expiry" not in {p.code for p in within_a_year.recommendations}
    two_years = validate_security_txt(_fresh(expires=NOW + timedelta(days=730)), now=NOW)
    assert "long_expiry" in {p.code for p in two_years.recommendations}


@pytest.mark.parametrize(
    "tag", ["en", "de-CH", "zh-Hant-TW", "sl-rozaj-biske", "en-a-bbb-x-private", "x-whatever", "i-klingon", "es-419"]
)
def test_well_formed_language_tags_are_accepted(tag: str) -> None:
    assert is_language_tag(tag, default_security_txt_rules())


@pytest.mark.parametrize("tag", ["en_GB", "e", "", "en-", "english-language-x", "de CH", "123"])
def test_malformed_language_tags_are_refused(tag: str) -> None:
    assert not is_language_tag(tag, default_security_txt_rules())


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("Encryption: openpgp4fpr:not-a-fingerprint", "invalid_uri"),
        ("Encryption: dns:5d2d37ab76d47d36._openpgpkey.vendor.example?type=OPENPGPKEY", None),
        ("Contact: mailto:", "invalid_uri"),
        ("Contact: tel:call-us", "invalid_uri"),
        ("Contact: https:///report", "invalid_uri"),
        ("Contact: https://vendor.example:99999/report", "invalid_uri"),
        ("Contact: https://vendor.example/report form", "invalid_uri"),
        ("Hiring: http://vendor.example/jobs", "no_https"),
        ("Acknowledgments: thanks to everyone", "no_uri"),
        ("CSAF: http://vendor.example/provider-metadata.json", "no_https"),
        ("CSAF: https://vendor.example/.well-known/csaf/provider-metadata.json", None),
    ],
)
def test_uri_values_are_checked_by_scheme(field: str, code: str | None) -> None:
    errors = _error_codes(_fresh(field + "\n"))

    assert errors == ({code} if code else set())


def test_unusual_but_legal_schemes_are_recommendations() -> None:
    report = validate_security_txt(_fresh("Contact: xmpp:security@vendor.example\n"), now=NOW)

    assert report.valid
    unusual = next(p for p in report.recommendations if p.code == "unusual_scheme")
    assert "'xmpp:'" in unusual.message
    assert "'mailto:'" in unusual.message


def test_field_names_are_case_insensitive_and_trailing_white_space_is_allowed() -> None:
    content = b"contact: https://vendor.example/report \t\nEXPIRES: 2027-06-30T23:59:59Z\n   \n# comment\n"

    report = validate_security_txt(content, now=NOW)

    assert report.valid
    assert report.values("Contact") == ("https://vendor.example/report",)


def test_a_file_over_one_mib_is_checked_in_part_and_reported() -> None:
    content = _fresh() + b"# padding\n" * (SECURITY_TXT_MAX_BYTES // 10)

    report = validate_security_txt(content, now=NOW)

    assert "too_large" in {p.code for p in report.errors}
    assert report.values("contact")  # the start was still read


def test_a_web_page_served_as_security_txt_lists_a_bounded_number_of_problems() -> None:
    page = b"<html>\n<body>\n<p>Page not found</p>\n" * 500

    report = validate_security_txt(page, now=NOW)

    invalid_lines = [p for p in report.errors if p.code == "invalid_line"]
    assert len(invalid_lines) == 10
    more = next(p for p in report.notices if p.code == "more_problems")
    assert "1490 more 'invalid_line'" in more.message
    assert {"no_contact", "no_expire"} <= {p.code for p in report.errors}


def test_control_characters_are_reported_and_shown_escaped() -> None:
    report = validate_security_txt(_fresh("Hiring: https://vendor.example/\x1b[31mjobs\n"), now=NOW)

    assert "control_character" in {p.code for p in report.errors}
    assert all("\x1b" not in p.message for p in report.errors)


def test_random_bytes_never_raise() -> None:
    generator = random.Random(9116)
    pieces = [b"Contact:", b"Expires: ", b"-----BEGIN PGP SIGNED MESSAGE-----", b"-----BEGIN PGP SIGNATURE-----",
              b"-----END PGP SIGNATURE-----", b"Hash: ", b"=", b"- ", b"\r", b"\n", b"\r\n", b"\xef\xbb\xbf", b"\xff",
              b"https://", b"mailto:", b"2027-01-01T00:00:00Z", b"#", b":", b" "]  # fmt: skip
    for _ in range(300):
        content = b"".join(generator.choice(pieces) for _ in range(generator.randint(0, 40)))
        report = validate_security_txt(content, now=NOW)
        assert report.valid is not bool(report.errors)


def test_every_code_the_validator_reports_is_defined_in_the_data_file() -> None:
    rules = default_security_txt_rules()
    used = set()
    for module in SOURCE.glob("*.py"):
        used |= set(re.findall(r'problem\(\s*"([a-z_0-9]+)"', module.read_text(encoding="utf-8")))
    used |= {code for rule in rules.fields.values() for code in (rule.missing, rule.repeated) if code}

    assert used - rules.problems.keys() == set()
    assert len(used) > 40


def test_malformed_rules_are_refused_at_load() -> None:
    with pytest.raises(SecurityTxtRuleError, match="severity"):
        parse_security_txt_rules(
            "fields: {}\nhash_algorithms: {strong: [], weak: []}\ngrandfathered_language_tags: []\n"
            "max_problems_per_code: 3\nproblems: {x: {severity: fatal, message: m}}\n"
        )


# Finding and judging a file on a website.


def test_a_site_address_leads_to_the_well_known_file_then_the_legacy_one() -> None:
    assert security_txt_urls("https://vendor.example") == (WELL_KNOWN, "https://vendor.example/security.txt")
    assert security_txt_urls("https://vendor.example/en/products?x=1") == (
        WELL_KNOWN,
        "https://vendor.example/security.txt",
    )
    assert security_txt_urls("https://vendor.example/files/security.txt") == (
        "https://vendor.example/files/security.txt",
    )


def test_a_well_served_file_is_valid(https_server: StartHttpsServer) -> None:
    server = https_server({"/.well-known/security.txt": Route(body=_fresh())})

    report = check_security_txt_url(HttpsFetcher(), server.base_url, now=NOW)

    assert report.valid
    assert report.source_url == server.url("/.well-known/security.txt")
    assert {p.code for p in report.recommendations} == {"not_signed"}


def test_the_legacy_location_is_tried_when_the_well_known_one_is_missing(https_server: StartHttpsServer) -> None:
    server = https_server({"/security.txt": Route(body=_fresh())})

    report = check_security_txt_url(HttpsFetcher(), server.base_url, now=NOW)

    assert report.valid
    assert server.paths() == ["/.well-known/security.txt", "/security.txt"]
    assert "legacy_location" in {p.code for p in report.recommendations}


def test_no_file_at_either_location_is_an_error_naming_both(https_server: StartHttpsServer) -> None:
    server = https_server({})

    report = check_security_txt_url(HttpsFetcher(), server.base_url, now=NOW)

    assert not report.valid
    (problem,) = report.errors
    assert problem.code == "no_security_txt"
    assert "/.well-known/security.txt: HTTP 404" in problem.message
    assert "/security.txt: HTTP 404" in problem.message
    assert report.source_url is None


@pytest.mark.parametrize(
    ("headers", "error", "recommendation"),
    [
        ({"Content-Type": "text/html; charset=utf-8"}, "invalid_media", None),
        ({"Content-Type": "text/plain"}, None, "no_charset"),
        ({"Content-Type": "text/plain; charset=iso-8859-1"}, "invalid_charset", None),
        ({}, "no_content_type", None),
        ({"Content-Type": "text/plain; charset=UTF-8"}, None, None),
    ],
)
def test_the_media_type_and_charset_are_judged(
    https_server: StartHttpsServer, headers: dict[str, str], error: str | None, recommendation: str | None
) -> None:
    server = https_server({"/.well-known/security.txt": Route(body=_fresh(), headers=headers)})

    report = check_security_txt_url(HttpsFetcher(), server.base_url, now=NOW)

    assert _error_set(report) == ({error} if error else set())
    assert {p.code for p in report.recommendations} - {"not_signed"} == ({recommendation} if recommendation else set())


def test_a_redirect_to_plain_http_is_an_error_of_the_file(https_server: StartHttpsServer) -> None:
    server = https_server({"/.well-known/security.txt": redirect("http://127.0.0.1:9/security.txt")})

    report = check_security_txt_url(HttpsFetcher(), server.base_url, now=NOW)

    assert _error_set(report) == {"insecure_redirect"}
    assert "http://127.0.0.1:9/security.txt" in report.errors[0].message


def test_an_untrusted_certificate_is_an_error_of_the_file(
    https_server: StartHttpsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = https_server({"/.well-known/security.txt": Route(body=_fresh())})
    monkeypatch.delenv("SSL_CERT_FILE")

    report = check_security_txt_url(HttpsFetcher(), server.base_url, now=NOW)

    assert _error_set(report) == {"invalid_cert"}


def test_canonical_may_name_the_address_asked_for_before_a_redirect(https_server: StartHttpsServer) -> None:
    server = https_server({})
    server.routes["/.well-known/security.txt"] = redirect("/static/security.txt")
    server.routes["/static/security.txt"] = Route(
        body=_fresh(f"Canonical: {server.url('/.well-known/security.txt')}\n")
    )

    report = check_security_txt_url(HttpsFetcher(), server.base_url, now=NOW)

    assert report.valid
    assert report.source_url == server.url("/static/security.txt")
    assert report.redirects == (server.url("/.well-known/security.txt"),)


def test_a_file_named_directly_elsewhere_is_a_location_recommendation(https_server: StartHttpsServer) -> None:
    server = https_server({"/docs/security.txt": Route(body=_fresh())})

    report = check_security_txt_url(HttpsFetcher(), server.url("/docs/security.txt"), now=NOW)

    assert report.valid
    assert "location" in {p.code for p in report.recommendations}
    assert server.paths() == ["/docs/security.txt"]


def test_a_file_cut_off_by_the_size_limit_is_an_error(https_server: StartHttpsServer) -> None:
    server = https_server({"/.well-known/security.txt": Route(body=_fresh() + b"# x\n" * 1000)})

    report = check_security_txt_url(HttpsFetcher(FetchLimits(max_bytes=2000)), server.base_url, now=NOW)

    assert "too_large" in _error_set(report)


def test_a_network_failure_or_an_http_address_is_raised_not_reported(https_server: StartHttpsServer) -> None:
    server = https_server({})
    server.stop()  # nothing listens on its port any more
    with pytest.raises(DocumentFetchError, match="connection refused"):
        check_security_txt_url(HttpsFetcher(), server.base_url, now=NOW)
    with pytest.raises(InsecureUrlError):
        check_security_txt_url(HttpsFetcher(), "http://vendor.example", now=NOW)


def _fresh(extra: str = "", *, expires: datetime | None = None) -> bytes:
    """A valid file expiring 100 days from NOW (or at `expires`), with `extra` lines."""
    when = expires or NOW + timedelta(days=100)
    return (
        "Contact: https://vendor.example/security/report\n"
        f"Expires: {when:%Y-%m-%dT%H:%M:%S}Z\n"
        "Policy: https://vendor.example/security/disclosure-policy\n" + extra
    ).encode()


def _error_codes(content: bytes) -> set[str]:
    return _error_set(validate_security_txt(content, now=NOW))


def _error_set(report: SecurityTxtReport) -> set[str]:
    return {problem.code for problem in report.errors}

"""`iotbaseline docs check`: --url against a local HTTPS server, --file, --key, --json; exit 0 valid, 1 not valid,
2 usage or network error on one line without a traceback."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pysequoia
import pytest
from click.testing import CliRunner, Result

from iotbaseline.docs_cli import docs
from tests.conftest import StartHttpsServer
from tests.https_server import Route

FIXTURES = Path(__file__).parents[1] / "fixtures" / "documents" / "security_txt"


def run(*args: str) -> Result:
    return CliRunner().invoke(docs, ["check", *args])


def fresh(extra: str = "") -> str:
    """A valid security.txt expiring in 100 days from today."""
    expires = datetime.now(UTC) + timedelta(days=100)
    return (
        "Contact: mailto:security@vendor.example\n"
        f"Expires: {expires:%Y-%m-%dT%H:%M:%S}Z\n"
        "Encryption: https://vendor.example/.well-known/openpgp-key.asc\n"
        "Policy: https://vendor.example/security/disclosure-policy\n" + extra
    )


def assert_one_line_error(result: Result, text: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], result.stderr
    assert "Traceback" not in result.output


def test_a_valid_file_exits_0_and_prints_the_promised_json(tmp_path: Path) -> None:
    path = tmp_path / "security.txt"
    path.write_text(fresh())

    result = run("--file", str(path), "--json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document)[:3] == ["valid", "errors", "recommendations"]
    assert document["valid"] is True and document["errors"] == []
    assert {r["code"] for r in document["recommendations"]} == {"not_signed"}
    assert all(set(r) == {"code", "line", "message"} for r in document["recommendations"])


def test_an_expired_file_exits_1_with_the_code_line_and_what_to_do() -> None:
    result = run("--file", str(FIXTURES / "expired.txt"), "--json")

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False
    (error,) = document["errors"]
    assert (error["code"], error["line"]) == ("expired", 2)
    assert "Set 'Expires'" in error["message"]


def test_the_human_report_names_each_problem_with_its_line() -> None:
    result = run("--file", str(FIXTURES / "duplicate-expires.txt"))

    assert result.exit_code == 1
    assert "NOT VALID" in result.stdout
    assert "[multi_expire] line 4:" in result.stdout
    assert "[not_signed] file:" in result.stdout
    assert "Contact: https://vendor.example/security/report" in result.stdout


def test_a_signed_file_is_verified_with_the_key_given(tmp_path: Path) -> None:
    secret = pysequoia.Tsk.generate("Vendor Example Security <security@vendor.example>", validity_seconds=None)
    signed = pysequoia.sign(secret.signer(), fresh().encode(), mode=pysequoia.SignatureMode.CLEAR)
    (tmp_path / "security.txt").write_bytes(signed)
    (tmp_path / "key.asc").write_text(str(secret.extract_certificate()))
    (tmp_path / "other.asc").write_text(
        str(pysequoia.Tsk.generate("Someone Else <x@elsewhere.example>").extract_certificate())
    )

    verified = run("--file", str(tmp_path / "security.txt"), "--key", str(tmp_path / "key.asc"), "--json")
    foreign = run("--file", str(tmp_path / "security.txt"), "--key", str(tmp_path / "other.asc"), "--json")

    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout)["signature_verified"] is True
    assert foreign.exit_code == 1
    assert [e["code"] for e in json.loads(foreign.stdout)["errors"]] == ["invalid_signature"]


def test_a_site_is_checked_over_https(https_server: StartHttpsServer) -> None:
    server = https_server({"/.well-known/security.txt": Route(body=fresh().encode())})

    result = run("--url", server.base_url, "--json")

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["source_url"] == server.url("/.well-known/security.txt")


def test_a_site_without_security_txt_exits_1(https_server: StartHttpsServer) -> None:
    server = https_server({})

    result = run("--url", server.base_url)

    assert result.exit_code == 1
    assert "[no_security_txt]" in result.stdout
    assert server.paths() == ["/.well-known/security.txt", "/security.txt"]


def test_an_http_address_is_refused_with_exit_2() -> None:
    assert_one_line_error(run("--url", "http://vendor.example"), "HTTPS only")


def test_an_unreachable_site_is_a_network_error_with_exit_2(https_server: StartHttpsServer) -> None:
    server = https_server({})
    server.stop()

    assert_one_line_error(run("--url", server.base_url), "connection refused")


@pytest.mark.parametrize("args", [[], ["--url", "https://vendor.example", "--file", "security.txt"]])
def test_exactly_one_of_url_and_file_is_required(args: list[str]) -> None:
    assert_one_line_error(run(*args), "either --url or --file")


def test_a_missing_file_or_a_key_that_is_not_a_key_exits_2(tmp_path: Path) -> None:
    assert_one_line_error(run("--file", str(tmp_path / "missing.txt")), "cannot read")
    assert_one_line_error(
        run("--file", str(FIXTURES / "signed.txt"), "--key", str(FIXTURES / "valid.txt")), "not an OpenPGP public key"
    )


def test_hostile_text_is_shown_escaped(tmp_path: Path) -> None:
    path = tmp_path / "security.txt"
    path.write_text(fresh("Hiring: \x1b]0;owned\x07https://vendor.example/jobs\n"))

    result = run("--file", str(path))

    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b" in result.stdout

"""`iotbaseline docs`: the security information a manufacturer publishes, checked as a buyer or test lab would.

`docs check` validates a security.txt (RFC 9116), fetched over HTTPS or read from a file. Exit status: 0 valid,
1 not valid, 2 a usage or network error (one line on stderr).
"""

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from iotbaseline.cli_support import user_errors
from iotbaseline.documents.fetch import FetchLimits, HttpsFetcher, read_document_file
from iotbaseline.documents.pgp_verify import MAX_KEY_FILE_BYTES, PublicKeyError, PublicKeys, load_public_keys
from iotbaseline.documents.security_txt import SECURITY_TXT_MAX_BYTES, validate_security_txt_file
from iotbaseline.documents.security_txt_model import Problem, SecurityTxtReport
from iotbaseline.documents.security_txt_web import check_security_txt_url
from iotbaseline.errors import EXIT_USAGE_ERROR
from iotbaseline.report.text import one_line

EXIT_VALID = 0
EXIT_INVALID = 1
SHOWN_FIELDS = ("contact", "expires", "policy", "encryption", "canonical")


@click.group()
def docs() -> None:
    """Check the security information a manufacturer publishes (security.txt, RFC 9116)."""


@docs.command()
@click.option(
    "--url", metavar="URL", help="The manufacturer's site (https://vendor.example) or a security.txt address."
)
@click.option(
    "--file",
    "path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A security.txt on disk (how it is served is then not checked).",
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The manufacturer's OpenPGP public key, to verify a signed security.txt.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check(url: str | None, path: Path | None, key_path: Path | None, as_json: bool) -> None:
    """Validate a security.txt against RFC 9116.

    With --url, /.well-known/security.txt is fetched over HTTPS (then the legacy /security.txt); URL may also
    name the file itself. Exit status: 0 valid, 1 not valid, 2 usage or network error.
    """
    if (url is None) == (path is None):
        _usage_error("give either --url or --file")
    with user_errors():
        keys = _public_keys(key_path) if key_path else None
        if url is not None:
            fetcher = HttpsFetcher(FetchLimits(max_bytes=SECURITY_TXT_MAX_BYTES))
            report = check_security_txt_url(fetcher, _with_scheme(url), keys=keys)
        else:
            assert path is not None  # one of the two, checked above
            report = validate_security_txt_file(read_document_file(path, SECURITY_TXT_MAX_BYTES), keys=keys)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        _print_report(report, Console(highlight=False, soft_wrap=True))
    sys.exit(EXIT_VALID if report.valid else EXIT_INVALID)


def _usage_error(message: str) -> None:
    Console(stderr=True).print(f"[red]error:[/red] {message}", highlight=False)
    sys.exit(EXIT_USAGE_ERROR)


def _with_scheme(url: str) -> str:
    """A bare host name means its HTTPS site; an explicit http:// is kept, to be refused with its reason."""
    return url if "://" in url else f"https://{url}"


def _public_keys(path: Path) -> PublicKeys:
    document = read_document_file(path, MAX_KEY_FILE_BYTES)
    if document.truncated:
        raise PublicKeyError(f"{path}: larger than {MAX_KEY_FILE_BYTES} bytes, not a public key")
    return load_public_keys(document.body, str(path))


def _print_report(report: SecurityTxtReport, out: Console) -> None:
    where = one_line(report.source_url) if report.source_url else "no security.txt read"
    verdict = Text("valid", style="bold green") if report.valid else Text("NOT VALID", style="bold red")
    out.print(Text.assemble("security.txt: ", where, "\nresult: ", verdict))
    if report.signed:
        out.print(Text(f"signature: {_signature_state(report)}"))
    for title, problems, style in (
        ("errors", report.errors, "red"),
        ("recommendations", report.recommendations, "yellow"),
        ("notes", report.notices, "blue"),
    ):
        if problems:
            out.print(Text(f"{title}:", style=f"bold {style}"))
            for problem in problems:
                out.print(_problem_line(problem, style))
    shown = [field for field in report.fields if field.key in SHOWN_FIELDS]
    if shown:
        out.print(Text("fields:", style="bold"))
        for field in shown:
            out.print(Text(f"  {field.name}: {one_line(field.value)}"))


def _signature_state(report: SecurityTxtReport) -> str:
    state = {True: "verified", False: "does NOT verify", None: "not verified"}[report.signature_verified]
    return f"{state} ({one_line(report.signature_note)})" if report.signature_note else state


def _problem_line(problem: Problem, style: str) -> Text:
    place = f"line {problem.line}" if problem.line is not None else "file"
    return Text.assemble("  ", (f"[{problem.code}]", style), f" {place}: ", problem.message)

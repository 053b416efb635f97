"""HttpsFetcher and read_document_file: HTTPS only, verified certificates, bounded redirects, size and time, paced
requests, one fetch per URL; against a local HTTPS server on 127.0.0.1 with a test CA."""

import os
import time
from pathlib import Path

import pytest

from iotbaseline.documents.fetch import (
    USER_AGENT,
    CertificateError,
    FetchLimits,
    HttpsFetcher,
    HttpStatusError,
    InsecureRedirectError,
    InsecureUrlError,
    RedirectLimitError,
    read_document_file,
)
from iotbaseline.documents.model import DocumentFetchError, DocumentSource
from tests.conftest import StartHttpsServer
from tests.https_server import HttpsServer, Route, TestCertificates, redirect

TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def test_a_document_is_fetched_with_its_type_charset_and_our_user_agent(https_server: StartHttpsServer) -> None:
    server = https_server({"/policy.txt": Route(body=b"We answer within 5 days.\n", headers=TEXT)})
    fetcher: DocumentSource = HttpsFetcher()

    document = fetcher.get(server.url("/policy.txt"))

    assert document.body == b"We answer within 5 days.\n"
    assert (document.status, document.content_type, document.charset) == (200, "text/plain", "utf-8")
    assert document.requested_url == document.final_url == server.url("/policy.txt")
    assert document.redirects == ()
    assert not document.truncated
    assert document.fetched_at.endswith("+00:00")
    headers = server.requests[0][1]
    assert headers["User-Agent"] == USER_AGENT
    assert "iotbaseline" in USER_AGENT
    assert headers["Accept-Encoding"] == "identity"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/security.txt", "ftp://vendor.example/security.txt", "vendor.example/security.txt"]
)
def test_an_address_that_is_not_https_is_refused_before_connecting(url: str) -> None:
    with pytest.raises(InsecureUrlError, match="HTTPS only") as refused:
        HttpsFetcher().get(url)
    assert refused.value.url == url


def test_an_address_with_a_password_is_refused(https_server: StartHttpsServer) -> None:
    server = https_server({"/x": Route(body=b"x")})
    with pytest.raises(InsecureUrlError, match="password"):
        HttpsFetcher().get(server.url("/x").replace("https://", "https://user:secret@"))
    assert server.requests == []


def test_redirects_are_followed_and_recorded(https_server: StartHttpsServer) -> None:
    server = https_server(
        {
            "/security.txt": redirect("/.well-known/security.txt"),
            "/.well-known/security.txt": redirect("/files/security.txt", status=302),
            "/files/security.txt": Route(body=b"Contact: mailto:a@vendor.example\n"),
        }
    )
    document = HttpsFetcher().get(server.url("/security.txt"))

    assert document.final_url == server.url("/files/security.txt")
    assert document.redirects == (server.url("/security.txt"), server.url("/.well-known/security.txt"))
    assert document.body.startswith(b"Contact:")


def test_a_redirect_to_plain_http_is_refused_and_not_followed(https_server: StartHttpsServer) -> None:
    server = https_server({"/.well-known/security.txt": redirect("http://127.0.0.1:9/security.txt")})

    with pytest.raises(InsecureRedirectError, match="not HTTPS") as refused:
        HttpsFetcher().get(server.url("/.well-known/security.txt"))

    assert "http://127.0.0.1:9/security.txt" in refused.value.reason
    assert server.paths() == ["/.well-known/security.txt"]


def test_more_than_five_redirects_are_refused(https_server: StartHttpsServer) -> None:
    server = https_server({"/loop": redirect("/loop", status=307)})

    with pytest.raises(RedirectLimitError, match="more than 5 redirects"):
        HttpsFetcher(FetchLimits(min_interval=0.01)).get(server.url("/loop"))

    assert len(server.requests) == 6  # the first request and five redirects followed


def test_a_body_over_the_size_limit_is_cut_off_and_marked_truncated(https_server: StartHttpsServer) -> None:
    server = https_server({"/big.txt": Route(body=b"x" * 5000)})

    document = HttpsFetcher(FetchLimits(max_bytes=1000)).get(server.url("/big.txt"))

    assert document.truncated
    assert len(document.body) == 1000


def test_a_body_exactly_at_the_limit_is_not_truncated(https_server: StartHttpsServer) -> None:
    server = https_server({"/exact.txt": Route(body=b"y" * 1000)})

    document = HttpsFetcher(FetchLimits(max_bytes=1000)).get(server.url("/exact.txt"))

    assert not document.truncated
    assert document.body == b"y" * 1000


def test_a_server_that_never_answers_times_out(https_server: StartHttpsServer) -> None:
    server = https_server({"/slow": Route(body=b"late", stall=30)})
    started = time.monotonic()

    with pytest.raises(DocumentFetchError, match=r"no complete answer within 0\.5 s"):
        HttpsFetcher(FetchLimits(total_timeout=0.5)).get(server.url("/slow"))

    assert time.monotonic() - started < 5


def test_a_server_sending_a_byte_at_a_time_is_stopped_by_the_total_time_limit(https_server: StartHttpsServer) -> None:
    # Each read gets a byte well within the 10 s per-read timeout; only the total limit ends the fetch.
    server = https_server({"/drip": Route(body=b"z" * 200, drip=0.05)})
    started = time.monotonic()

    with pytest.raises(DocumentFetchError, match="no complete answer within 1 s"):
        HttpsFetcher(FetchLimits(connect_timeout=10, total_timeout=1)).get(server.url("/drip"))

    assert time.monotonic() - started < 5


def test_a_certificate_from_an_unknown_authority_is_refused(
    https_server: StartHttpsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = https_server({"/x": Route(body=b"x")})
    monkeypatch.delenv("SSL_CERT_FILE")

    with pytest.raises(CertificateError, match="certificate not accepted"):
        HttpsFetcher().get(server.url("/x"))


def test_a_certificate_for_another_name_is_refused(
    https_server: StartHttpsServer, tls_test_certificates: TestCertificates
) -> None:
    # The test certificate names localhost and 127.0.0.1; this server listens on another loopback address.
    server = HttpsServer({"/x": Route(body=b"x")}, tls_test_certificates, host="127.0.0.2")
    try:
        with pytest.raises(CertificateError, match="certificate not accepted"):
            HttpsFetcher().get(server.url("/x"))
    finally:
        server.stop()


def test_an_error_status_is_raised_with_the_status(https_server: StartHttpsServer) -> None:
    server = https_server({})
    with pytest.raises(HttpStatusError, match="HTTP 404") as missing:
        HttpsFetcher().get(server.url("/.well-known/security.txt"))
    assert missing.value.status == 404


def test_a_compressed_answer_that_was_not_asked_for_is_refused(https_server: StartHttpsServer) -> None:
    server = https_server({"/gz": Route(body=b"\x1f\x8b\x08\x00", headers={"Content-Encoding": "gzip"})})
    with pytest.raises(DocumentFetchError, match="Content-Encoding 'gzip'"):
        HttpsFetcher().get(server.url("/gz"))


def test_the_content_type_and_charset_are_recorded_as_served(https_server: StartHttpsServer) -> None:
    server = https_server(
        {
            "/page": Route(body=b"<html></html>", headers={"Content-Type": 'text/HTML; Charset="ISO-8859-1"'}),
            "/none": Route(body=b"x", headers={}),
        }
    )
    fetcher = HttpsFetcher()

    page = fetcher.get(server.url("/page"))
    untyped = fetcher.get(server.url("/none"))

    assert (page.content_type, page.charset) == ("text/html", "iso-8859-1")
    assert (untyped.content_type, untyped.charset) == ("", None)


def test_each_url_is_fetched_once_per_fetcher_failures_included(https_server: StartHttpsServer) -> None:
    server = https_server({"/a": Route(body=b"a")})
    fetcher = HttpsFetcher()

    first = fetcher.get(server.url("/a"))
    again = fetcher.get(server.url("/a"))
    for _ in range(2):
        with pytest.raises(HttpStatusError):
            fetcher.get(server.url("/missing"))

    assert again is first
    assert server.paths() == ["/a", "/missing"]


def test_requests_to_one_host_are_paced(https_server: StartHttpsServer) -> None:
    server = https_server({f"/{n}": Route(body=b"n") for n in range(3)})
    fetcher = HttpsFetcher(FetchLimits(min_interval=0.3))
    started = time.monotonic()

    for n in range(3):
        fetcher.get(server.url(f"/{n}"))

    assert time.monotonic() - started >= 0.6


def test_a_file_is_read_as_a_document(tmp_path: Path) -> None:
    path = tmp_path / "security.txt"
    path.write_bytes(b"Contact: mailto:a@vendor.example\n")

    document = read_document_file(path)

    assert document.body == b"Contact: mailto:a@vendor.example\n"
    assert document.requested_url == document.final_url == path.as_uri()
    assert (document.status, document.content_type, document.truncated) == (200, "text/plain", False)


def test_a_large_file_is_cut_off_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF" + b"0" * 100)

    document = read_document_file(path, max_bytes=10)

    assert (len(document.body), document.truncated, document.content_type) == (10, True, "application/pdf")


def test_a_folder_a_fifo_and_a_missing_file_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(DocumentFetchError, match="not a regular file"):
        read_document_file(fifo)
    with pytest.raises(DocumentFetchError, match="not a regular file"):
        read_document_file(tmp_path)
    with pytest.raises(DocumentFetchError, match="cannot read"):
        read_document_file(tmp_path / "missing.txt")

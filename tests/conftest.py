"""Settings for the whole suite."""

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.https_server import HttpsServer, Route, TestCertificates, make_test_certificates


def pytest_configure(config: pytest.Config) -> None:
    # A scan uses the vulnerability database at the default location when one exists; tests must not
    # depend on what the developer's machine has downloaded, so the cache folder is an empty one of theirs.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="iotbaseline-test-cache-")


StartHttpsServer = Callable[[Mapping[str, Route]], HttpsServer]


@pytest.fixture(scope="session")
def tls_test_certificates(tmp_path_factory: pytest.TempPathFactory) -> TestCertificates:
    return make_test_certificates(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def https_server(
    tls_test_certificates: TestCertificates, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StartHttpsServer]:
    """Starts local HTTPS servers (`https_server({path: Route(...)})`) that fetchers created afterwards trust,
    through `SSL_CERT_FILE`; stops them when the test ends."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_test_certificates.ca_file))
    started: list[HttpsServer] = []

    def start(routes: Mapping[str, Route]) -> HttpsServer:
        server = HttpsServer(routes, tls_test_certificates)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()

"""A local HTTPS server for document tests: a throwaway CA and a certificate for localhost and 127.0.0.1, made at
test time, and a dict of path -> Route served from a thread on 127.0.0.1. No test reaches any other host.

Use the `https_server` fixture (tests/conftest.py): it starts servers, points `SSL_CERT_FILE` at the test CA
so that a fetcher created afterwards trusts them, and stops them at the end of the test.
"""

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Route:
    """One answer: status, headers and body; `stall` seconds of silence before it, or a body sent a byte at a
    time every `drip` seconds (a server that never quite finishes)."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": "text/plain; charset=utf-8"})
    body: bytes = b""
    stall: float = 0.0
    drip: float = 0.0


def redirect(location: str, status: int = 301) -> Route:
    return Route(status=status, headers={"Location": location})


@dataclass(frozen=True)
class TestCertificates:
    """A CA and a server certificate it issued for localhost and 127.0.0.1, as PEM files."""

    __test__ = False  # not a test class, despite the name
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_test_certificates(folder: Path) -> TestCertificates:
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "iotbaseline test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # key_cert_sign, crl_sign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    certificates = TestCertificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    certificates.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    certificates.cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    certificates.key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificates


class HttpsServer:
    """Serves `routes` over TLS on `host` (a loopback address) until `stop`; unknown paths get 404.
    `requests` lists the paths asked for with their headers, in order."""

    def __init__(self, routes: Mapping[str, Route], certificates: TestCertificates, host: str = "127.0.0.1") -> None:
        self.routes = dict(routes)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificates.cert_file, certificates.key_file)
        self._server = _QuietServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        # The handshake happens on the handler's first read, in its own thread, not in the accepting one.
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True, do_handshake_on_connect=False)
        self.port = self._server.server_address[1]
        self.base_url = f"https://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base_url + path

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # refused handshakes and clients that give up are what the tests provoke


def _handler_for(server: HttpsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server.requests.append((self.path, dict(self.headers.items())))
            route = server.routes.get(self.path, Route(status=404, body=b"not found\n"))
            if route.stall and server.stopping.wait(route.stall):
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            if route.drip:
                self._drip(route)
            else:
                self.wfile.write(route.body)

        def _drip(self, route: Route) -> None:
            for offset in range(len(route.body)):
                if server.stopping.wait(route.drip):
                    return
                try:
                    self.wfile.write(route.body[offset : offset + 1])
                    self.wfile.flush()
                except OSError:
                    return  # the client gave up, as it should

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler

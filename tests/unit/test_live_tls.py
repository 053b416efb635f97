"""TLS: sslyze scans a tiny asyncio TLS server that still takes TLS 1.0 and anonymous suites, through
the session's tunnel (every connection logged, on loopback only); the certificate facts; and the TLS
check's judgement of scans, both ways."""

import asyncio
import datetime
import ipaddress
import ssl
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from iotbaseline.checks.base import Need, ScanEvidence
from iotbaseline.checks.runner import run_checks
from iotbaseline.live.checks import LiveTlsCheck
from iotbaseline.live.model import LiveHost, ObservedService, Transport
from iotbaseline.live.session import ProbeSession
from iotbaseline.live.targets import parse_targets
from iotbaseline.live.tls_certificate import certificate_facts
from iotbaseline.live.tls_proxy import TunnelProxy
from iotbaseline.live.tls_scan import scan_service
from iotbaseline.live.trials import CertificateFacts, TlsScan
from iotbaseline.model import Finding, Outcome

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


def rsa_certificate(bits: int, address: str = "127.0.0.1") -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(65537, bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cam.local")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def test_certificate_facts_read_key_signature_names_and_self_signature() -> None:
    certificate, _ = rsa_certificate(1024)
    facts = certificate_facts(certificate, ("127.0.0.1",))
    assert (facts.key_type, facts.key_bits, facts.signature_hash, facts.self_signed) == ("rsa", 1024, "sha256", True)
    assert facts.hostname_matches is True and "127.0.0.1" in facts.names
    assert certificate_facts(certificate, ("cam.example",)).hostname_matches is False


def weak_tls_server(folder: Path) -> ssl.SSLContext:
    certificate, key = rsa_certificate(2048)
    cert_path, key_path = folder / "c.pem", folder / "k.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ALL:aNULL:@SECLEVEL=0")
    context.load_cert_chain(cert_path, key_path)
    return context


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1 is deprecated:DeprecationWarning")
def test_sslyze_finds_tls_1_0_and_anonymous_suites_through_the_session(tmp_path: Path) -> None:
    context = weak_tls_server(tmp_path)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    async def run() -> tuple[TlsScan, ProbeSession]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
        port = server.sockets[0].getsockname()[1]
        targets = parse_targets(["127.0.0.1"])
        session = ProbeSession(targets, confine=LOOPBACK)
        service = ObservedService("127.0.0.1", port, Transport.TCP, "http", tls=True)
        async with server:
            return await scan_service(session, targets.targets[0], service), session

    scan, session = asyncio.run(run())
    if "TLSv1.0" not in scan.accepted:
        pytest.skip("this machine's OpenSSL refuses to serve TLS 1.0")
    assert scan.completed and scan.tested == ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3")
    assert any("_anon_" in suite for suite in scan.accepted["TLSv1.2"])
    assert scan.certificate is not None and scan.certificate.key_bits == 2048
    assert scan.connections == sum(1 for a in session.attempts if a.purpose == "tls-scan" and a.outcome == "open")
    assert {a.address for a in session.attempts} == {"127.0.0.1"}
    findings = judged(host_with(scan))
    assert {f.evidence["rule"] for f in findings if f.outcome is Outcome.FAIL} == {"weak-protocol", "weak-cipher"}


def test_the_tunnel_only_connects_to_the_service_being_scanned() -> None:
    async def run() -> tuple[bytes, bytes]:
        targets = parse_targets(["127.0.0.1"])
        session = ProbeSession(targets, confine=LOOPBACK)
        async with TunnelProxy(session, "127.0.0.1", 9, "127.0.0.1") as proxy:
            answers = []
            for request in (b"CONNECT 127.0.0.2:9 HTTP/1.1\r\n\r\n", b"CONNECT 127.0.0.1:10 HTTP/1.1\r\n\r\n"):
                reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
                writer.write(request)
                answers.append(await reader.read(100))
                writer.close()
        assert not session.attempts
        return answers[0], answers[1]

    elsewhere, other_port = asyncio.run(run())
    assert elsewhere.startswith(b"HTTP/1.1 403") and other_port.startswith(b"HTTP/1.1 403")


# --- the check ------------------------------------------------------------------------------------------------

STRONG_CERT = CertificateFacts(
    subject="CN=cam",
    issuer="CN=cam",
    not_before="2024-01-01T00:00:00+00:00",
    not_after="2034-01-01T00:00:00+00:00",
    self_signed=True,
    key_type="ec",
    key_bits=256,
    signature_hash="sha256",
    names=("192.0.2.10",),
    hostname_matches=True,
)
STRONG = TlsScan(
    port=443,
    scheme="https",
    scanner="sslyze",
    completed=True,
    scanned_at="2026-01-01T00:00:00+00:00",
    accepted={"TLSv1.2": ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",), "TLSv1.3": ("TLS_AES_128_GCM_SHA256",)},
    tested=("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"),
    certificate=STRONG_CERT,
)


def host_with(*scans: TlsScan, tested: bool = True) -> LiveHost:
    ports = [scan.port for scan in scans] or [443]
    services = tuple(ObservedService("192.0.2.10", port, Transport.TCP, "http", tls=True) for port in ports)
    return LiveHost("192.0.2.10", "192.0.2.10", services, tls_scans=scans, tls_tested=tested)


def judged(host: LiveHost) -> list[Finding]:
    findings, runs = run_checks([LiveTlsCheck()], [], frozenset({Need.LIVE}), ScanEvidence(hosts=(host,)))
    assert [run.status for run in runs] == ["ran"]
    return findings


def rules_of(findings: list[Finding]) -> dict[str, Outcome]:
    return {str(f.evidence["rule"]): f.outcome for f in findings}


def test_a_current_configuration_passes_with_a_note_on_the_self_signed_certificate() -> None:
    assert rules_of(judged(host_with(STRONG))) == {"certificate-notes": Outcome.INFO, "tls-strong": Outcome.PASS}


def test_old_versions_small_keys_and_forgeable_issued_signatures_fail() -> None:
    weak_cert = replace(
        STRONG_CERT,
        key_type="rsa",
        key_bits=1024,
        self_signed=False,
        issuer="CN=Vendor CA",
        signature_hash="sha1",
        trusted_by=("Mozilla",),
    )
    scan = replace(
        STRONG, accepted={**STRONG.accepted, "TLSv1.0": ("TLS_RSA_WITH_3DES_EDE_CBC_SHA",)}, certificate=weak_cert
    )
    rules = rules_of(judged(host_with(scan)))
    assert rules == {
        "weak-protocol": Outcome.FAIL,
        "weak-cipher": Outcome.FAIL,
        "weak-key": Outcome.FAIL,
        "weak-signature": Outcome.FAIL,
    }


def test_a_sha1_self_signed_certificate_is_a_note_and_an_expired_one_too() -> None:
    old = replace(STRONG_CERT, signature_hash="sha1", not_after="2025-01-01T00:00:00+00:00", hostname_matches=False)
    findings = judged(host_with(replace(STRONG, certificate=old)))
    assert rules_of(findings) == {"certificate-notes": Outcome.INFO, "tls-strong": Outcome.PASS}
    note = next(f for f in findings if f.evidence["rule"] == "certificate-notes")
    assert "sha1" in note.detail and "expired on 2025-01-01" in note.detail and "not the address" in note.detail


def test_a_tls_service_not_scanned_is_said_so_and_never_passes() -> None:
    assert rules_of(judged(host_with(tested=False))) == {"tls-not-scanned": Outcome.INFO}
    incomplete = replace(STRONG, completed=False, error="TLSv1.3: timeout")
    assert rules_of(judged(host_with(incomplete))) == {"tls-not-scanned": Outcome.INFO}

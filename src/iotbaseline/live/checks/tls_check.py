"""The TLS configuration of a live device's services, judged from the sslyze scans: an obsolete protocol
version, a broken cipher suite, a small key or a forgeable signature on an issued certificate fail
EN 303 645 5.5-1 (so the services check's 5.5-1 pass, which needs every service on SSH or TLS, cannot
stand on weak TLS); a self-signed, expired or mismatched certificate is a note for the assessor; a
service whose scan completed with none of these passes."""

from collections.abc import Iterable, Iterator
from typing import ClassVar

from iotbaseline.checks.base import Check, Need, ScanEvidence
from iotbaseline.live.checks.findings import kind_finding
from iotbaseline.live.checks.rules import FindingKind
from iotbaseline.live.checks.tls_rules import TlsRules, default_tls_rules
from iotbaseline.live.model import LiveHost
from iotbaseline.live.trials import CertificateFacts, TlsScan
from iotbaseline.model import Finding, JSONValue, Location

MAX_LISTED = 12


class LiveTlsCheck(Check):
    id: ClassVar[str] = "live.tls"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "TLS configuration of the device's services"
    provisions: ClassVar[tuple[str, ...]] = tuple(
        dict.fromkeys(p for kind in default_tls_rules().findings.values() for p in kind.provisions)
    )
    needs: ClassVar[frozenset[Need]] = frozenset({Need.LIVE})

    def examine(self, evidence: ScanEvidence) -> Iterable[Finding]:
        rules = default_tls_rules()
        for host in evidence.hosts:
            yield from self._host(host, rules)

    def _host(self, host: LiveHost, rules: TlsRules) -> Iterator[Finding]:
        scanned = {scan.port: scan for scan in host.tls_scans}
        for service in host.services:
            if not (service.tls or service.protocol == "tls"):
                continue
            scan = scanned.get(service.port)
            if scan is None or not scan.completed:
                why = "skipped (--no-tls-scan)" if not host.tls_tested else (scan.error if scan else "no scan result")
                yield self._finding(rules.findings["tls-not-scanned"], host, service.port, service.scheme, why, {})
                continue
            yield from self._scan(host, scan, rules)

    def _scan(self, host: LiveHost, scan: TlsScan, rules: TlsRules) -> Iterator[Finding]:
        kinds = rules.findings
        failed = False
        base = scan_evidence(scan)
        old = [version for version in rules.weak_protocols if version in scan.accepted]
        if old:
            failed = True
            yield self._finding(kinds["weak-protocol"], host, scan.port, scan.scheme, f"accepts {', '.join(old)}", base)
        broken = weak_suites(scan, rules)
        if broken:
            failed = True
            shown = "; ".join(f"{what}: {', '.join(suites[:4])}" for what, suites in broken.items())
            yield self._finding(
                kinds["weak-cipher"], host, scan.port, scan.scheme, f"accepts {shown}", base | {"weak_suites": broken}
            )
        certificate = scan.certificate
        if certificate is not None:
            problems = key_problem(certificate, rules)
            if problems:
                failed = True
                yield self._finding(kinds["weak-key"], host, scan.port, scan.scheme, problems, base)
            weak_hash = certificate.signature_hash.lower() in rules.weak_signature_hashes
            if weak_hash and not certificate.self_signed:
                failed = True
                detail = f"signed with {certificate.signature_hash} by {certificate.issuer}"
                yield self._finding(kinds["weak-signature"], host, scan.port, scan.scheme, detail, base)
            notes = certificate_notes(certificate, scan.scanned_at, rules)
            if notes:
                yield self._finding(kinds["certificate-notes"], host, scan.port, scan.scheme, "; ".join(notes), base)
        if not failed:
            versions = ", ".join(scan.accepted) or "no version"
            key = f"{certificate.key_type.upper()} {certificate.key_bits}" if certificate else "no certificate read"
            detail = f"accepts {versions}; key {key}; {scan.connections} handshakes by {scan.scanner}"
            yield self._finding(kinds["tls-strong"], host, scan.port, scan.scheme, detail, base)

    def _finding(
        self, kind: FindingKind, host: LiveHost, port: int, scheme: str, detail: str, evidence: dict[str, JSONValue]
    ) -> Finding:
        location = Location(host=host.address, port=port, protocol=scheme)
        title = f"{kind.title}: {scheme} on port {port}"
        return kind_finding(self, kind, title, location, detail, {"rule": kind.key, **evidence})


def weak_suites(scan: TlsScan, rules: TlsRules) -> dict[str, list[str]]:
    """What is wrong -> the accepted suites with that weakness (each suite once, across versions)."""
    found: dict[str, list[str]] = {}
    for suites in scan.accepted.values():
        for suite in suites:
            what = rules.cipher_weakness(suite)
            if what is not None and suite not in found.get(what, []):
                found.setdefault(what, []).append(suite)
    return found


def key_problem(certificate: CertificateFacts, rules: TlsRules) -> str:
    minimum = rules.minimum_key_bits.get(certificate.key_type)
    if minimum is None or certificate.key_bits >= minimum:
        return ""
    return f"{certificate.key_type.upper()} key of {certificate.key_bits} bits (at least {minimum} expected)"


def certificate_notes(certificate: CertificateFacts, scanned_at: str, rules: TlsRules) -> list[str]:
    notes = []
    if certificate.self_signed:
        notes.append(f"self-signed ({certificate.subject})")
        if certificate.signature_hash.lower() in rules.weak_signature_hashes:
            notes.append(f"signed with {certificate.signature_hash}")
    elif not certificate.trusted_by:
        notes.append(f"issued by {certificate.issuer}, which no public trust store knows")
    if certificate.not_after < scanned_at:
        notes.append(f"expired on {certificate.not_after[:10]}")
    elif certificate.not_before > scanned_at:
        notes.append(f"not valid before {certificate.not_before[:10]}")
    if certificate.hostname_matches is False:
        notes.append(f"valid for {', '.join(certificate.names[:4]) or 'no name'}, not the address probed")
    return notes


def scan_evidence(scan: TlsScan) -> dict[str, JSONValue]:
    data: dict[str, JSONValue] = {
        "port": scan.port,
        "protocol": scan.scheme,
        "scanner": scan.scanner,
        "scanned_at": scan.scanned_at,
        "versions_tested": list(scan.tested),
        "accepted": {version: list(suites[:MAX_LISTED]) for version, suites in scan.accepted.items()},
        "accepted_counts": {version: len(suites) for version, suites in scan.accepted.items()},
        "handshakes": scan.connections,
    }
    certificate = scan.certificate
    if certificate is not None:
        data["certificate"] = {
            "subject": certificate.subject,
            "issuer": certificate.issuer,
            "not_before": certificate.not_before,
            "not_after": certificate.not_after,
            "self_signed": certificate.self_signed,
            "key": f"{certificate.key_type} {certificate.key_bits}",
            "signature_hash": certificate.signature_hash,
            "names": list(certificate.names),
            "hostname_matches": certificate.hostname_matches,
            "trusted_by": list(certificate.trusted_by),
            "sha256": certificate.sha256,
        }
    return data

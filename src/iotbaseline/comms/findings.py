"""Communication-security problems as Findings: where, which provisions, the line quoted, what to do."""

from collections.abc import Mapping
from dataclasses import dataclass

from iotbaseline.comms.clients import ClientIssue
from iotbaseline.comms.judge import Problem
from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity

BEST_PRACTICE_CRYPTO = "EN303645:5.5-1"
CONFIDENTIAL_CSP = "EN303645:5.5-7"
COMMS_PROVISIONS = (BEST_PRACTICE_CRYPTO, CONFIDENTIAL_CSP)
CODE_CHARS = 200

_PROBLEM_TITLES = {
    "weak-tls": "Server allows a weak TLS version or cipher",
    "cleartext-listener": "Server accepts connections without TLS",
    "plain-beside-tls": "Plain HTTP served beside HTTPS without a redirect",
    "cleartext-peer": "Outgoing connection without TLS",
    "unverified-peer": "Outgoing TLS connection does not check the server certificate",
    "default-listener": "MQTT broker listens where its defaults say",
}
_CLIENT_TITLES = {
    "tls-verification-disabled": "TLS certificate verification turned off",
    "cleartext-credentials": "Credentials sent in clear",
    "cleartext-request": "Request sent in clear",
    "insecure-code": "Code turns TLS certificate verification off",
}


@dataclass(frozen=True)
class FilePlace:
    image: str
    device_path: str | None
    extracted_path: str

    @property
    def path(self) -> str:
        return self.device_path or self.extracted_path

    def location(self, line: int | None) -> Location:
        return Location(image=self.image, path=self.device_path, extracted_path=self.extracted_path, line=line)


def problem_finding(check: str, version: str, image: str, problem: Problem, remediation: Mapping[str, str]) -> Finding:
    place = FilePlace(image, problem.file.device_path, problem.file.extracted_path)
    provisions = (BEST_PRACTICE_CRYPTO, CONFIDENTIAL_CSP) if problem.credentials else (BEST_PRACTICE_CRYPTO,)
    if not problem.fail:
        outcome, severity = Outcome.INFO, Severity.LOW
        provisions = (BEST_PRACTICE_CRYPTO,)
    else:
        outcome = Outcome.FAIL
        severity = Severity.HIGH if problem.credentials else Severity.MEDIUM
    where = f"{place.path} line {problem.at.line}" if problem.at.line else place.path
    code = f" (`{problem.at.text[:CODE_CHARS]}`)" if problem.at.text and problem.at.line else ""
    evidence: dict[str, JSONValue] = {
        "server": problem.file.config.server,
        "problem": problem.kind,
        "credentials": problem.credentials,
        "code": problem.at.text[:CODE_CHARS],
    }
    return Finding(
        check=check,
        check_version=version,
        outcome=outcome,
        provisions=provisions,
        severity=severity,
        title=_PROBLEM_TITLES[problem.kind],
        location=place.location(problem.at.line),
        detail=f"{where}{code}: {problem.detail}. {remediation.get(problem.kind, '')}".strip(),
        evidence=evidence,
        discriminator=f"{problem.kind}:{problem.file.config.server}",
    )


def client_finding(
    check: str, version: str, place: FilePlace, issue: ClientIssue, code: str, remediation: Mapping[str, str]
) -> Finding:
    info = issue.kind == "cleartext-request"
    provisions = (BEST_PRACTICE_CRYPTO, CONFIDENTIAL_CSP) if issue.credentials else (BEST_PRACTICE_CRYPTO,)
    severity = Severity.LOW if info else Severity.HIGH if issue.credentials else Severity.MEDIUM
    secret = (
        " The request carries a credential (a password, token or key), which an attacker in the middle reads."
        if issue.credentials
        else ""
    )
    evidence: dict[str, JSONValue] = {
        "problem": issue.kind,
        "command": issue.command,
        "url": issue.url,
        "credentials": issue.credentials,
        "code": code[:CODE_CHARS],
    }
    return Finding(
        check=check,
        check_version=version,
        outcome=Outcome.INFO if info else Outcome.FAIL,
        provisions=provisions,
        severity=severity,
        title=f"{_CLIENT_TITLES[issue.kind]} ({issue.command})"
        if issue.kind == "tls-verification-disabled"
        else _CLIENT_TITLES[issue.kind],
        location=place.location(issue.line),
        detail=(
            f"{place.path} line {issue.line} (`{code[:CODE_CHARS]}`): {issue.what}.{secret} "
            f"{remediation.get(issue.kind, '')}"
        ).strip(),
        evidence=evidence,
        discriminator=f"{issue.kind}:{issue.command}",
    )

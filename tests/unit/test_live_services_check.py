"""The live services check on probe evidence: what fails (logins in clear, debug interfaces), what
is only a hint (data in clear, versions, the list of services), and when it may pass."""

from dataclasses import replace

from iotbaseline.checks.base import Need, ScanEvidence
from iotbaseline.checks.runner import run_checks
from iotbaseline.live.checks import LiveServicesCheck
from iotbaseline.live.model import LiveHost, ObservedService, Transport
from iotbaseline.live.ports import default_ports
from iotbaseline.model import Finding, Outcome

ADDRESS = "192.0.2.10"
DEFAULT_PORTS = tuple(hint.port for hint in default_ports().tcp)


def service(port: int, protocol: str, tls: bool = False, **evidence: object) -> ObservedService:
    return ObservedService(ADDRESS, port, Transport.TCP, protocol, tls=tls, evidence=dict(evidence))


def host(*services: ObservedService, selection: str = "default", unanswered: tuple[int, ...] = ()) -> LiveHost:
    return LiveHost(ADDRESS, ADDRESS, services, DEFAULT_PORTS, (), 1.0, (), selection, unanswered)


def judged(*hosts: LiveHost) -> list[Finding]:
    findings, runs = run_checks([LiveServicesCheck()], [], frozenset({Need.LIVE}), ScanEvidence(hosts=hosts))
    assert [run.status for run in runs] == ["ran"]
    return findings


def rules(findings: list[Finding], outcome: Outcome) -> set[tuple[str, int | None]]:
    return {
        (str(f.evidence["rule"]), f.location.port) for f in findings if f.outcome is outcome and "rule" in f.evidence
    }


def test_telnet_ftp_and_basic_auth_over_http_fail_with_their_place() -> None:
    findings = judged(
        host(
            service(23, "telnet", prompt="login"),
            service(2323, "telnet", prompt="shell"),
            service(21, "ftp"),
            service(80, "http", status=401, authentication=[{"scheme": "basic", "realm": "cam"}]),
            service(8080, "http", status=401, authentication=[{"scheme": "digest", "realm": "cam"}]),
        )
    )

    assert rules(findings, Outcome.FAIL) == {
        ("cleartext-login", 23),
        ("cleartext-remote-access", 2323),
        ("cleartext-login", 21),
        ("cleartext-login", 80),
        ("cleartext-admin", 8080),
    }
    telnet = next(f for f in findings if f.location.port == 23)
    assert (telnet.location.host, telnet.location.protocol) == (ADDRESS, "telnet")
    assert set(telnet.provisions) == {"EN303645:5.5-1", "EN303645:5.5-7"}
    assert not rules(findings, Outcome.PASS)


def test_adb_fails_5_6_1_and_versions_are_hints_on_5_6_2() -> None:
    adb = service(5555, "adb", authentication_required=False)
    ssh = replace(service(22, "ssh"), product="dropbear", version="2022.83")
    findings = judged(host(adb, ssh))

    assert ("debug-interface", 5555) in rules(findings, Outcome.FAIL)
    disclosure = [f for f in findings if f.evidence.get("rule") == "version-disclosure"]
    assert [(f.outcome, f.provisions, f.location.port) for f in disclosure] == [(Outcome.INFO, ("EN303645:5.6-2",), 22)]


def test_an_encrypted_device_passes_only_when_the_whole_list_was_covered() -> None:
    secure = (
        service(22, "ssh"),
        service(443, "http", tls=True, status=401, authentication=[{"scheme": "basic", "realm": "x"}]),
        service(80, "http", status=301, location="https://192.0.2.10/"),
        service(8883, "mqtt", tls=True, connack=5),
    )

    passed = judged(host(*secure))
    assert not rules(passed, Outcome.FAIL)
    assert [f.provisions for f in passed if f.outcome is Outcome.PASS] == [("EN303645:5.5-1",)]
    for incomplete in (
        host(*secure, selection="custom"),
        host(*secure, unanswered=(8080,)),
        host(*secure, service(9527, "unknown")),
        host(),
    ):
        assert not [f for f in judged(incomplete) if f.outcome is Outcome.PASS]


def test_data_in_clear_is_a_hint_that_still_blocks_the_pass() -> None:
    findings = judged(
        host(service(22, "ssh"), service(554, "rtsp", describe_status=401), service(1883, "mqtt", connack=0))
    )

    assert rules(findings, Outcome.INFO) >= {("cleartext-data", 554), ("cleartext-data", 1883)}
    assert not rules(findings, Outcome.FAIL) and not [f for f in findings if f.outcome is Outcome.PASS]


def test_the_summary_lists_every_open_service_of_each_host() -> None:
    findings = judged(host(service(22, "ssh"), service(80, "http", status=200)))
    summary = [f for f in findings if f.discriminator == "open-services"]

    assert len(summary) == 1 and summary[0].location.host == ADDRESS
    assert [(s["port"], s["protocol"]) for s in summary[0].evidence["services"]] == [(22, "ssh"), (80, "http")]


def test_without_live_evidence_the_check_is_skipped_not_passed() -> None:
    findings, runs = run_checks([LiveServicesCheck()], [], frozenset({Need.FIRMWARE}))

    assert findings == [] and runs[0].status == "skipped"

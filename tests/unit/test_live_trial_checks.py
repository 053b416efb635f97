"""The credentials and access checks on probe evidence: what fails (a default pair, an open function),
what may pass and only then (every login tried, every service asking for credentials, every port
covered), the masking of passwords, and lockouts as 5.1-5 evidence."""

from dataclasses import replace

from iotbaseline.checks.base import CheckSettings, Need, ScanEvidence
from iotbaseline.checks.runner import run_checks
from iotbaseline.live.checks import LiveAccessCheck, LiveCredentialsCheck
from iotbaseline.live.model import LiveHost, ObservedService, Transport
from iotbaseline.live.ports import default_ports
from iotbaseline.live.trials import AccessResult, CredentialLogin, CredentialRun, CredentialTrial, LockoutSign
from iotbaseline.model import Finding, Outcome

ADDRESS = "192.0.2.10"
DEFAULT_PORTS = tuple(hint.port for hint in default_ports().tcp)
RUN = CredentialRun(True, "confirmed by --i-own-this-device", 20, 0.5)
TELNET = ObservedService(ADDRESS, 23, Transport.TCP, "telnet", evidence={"prompt": "login"})
SSH = ObservedService(ADDRESS, 22, Transport.TCP, "ssh")


def trial(port: int, method: str, stopped: str = "cap", **changes: object) -> CredentialTrial:
    base = CredentialTrial(
        port=port,
        scheme=method.split("-")[0],
        method=method,
        dictionary="Mirai botnet list",
        candidates=1900,
        attempts=20,
        control_refused=True,
        stopped=stopped,
        failures=20,
        seconds=9.0,
        users=("root", "admin"),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def host(
    *trials: CredentialTrial, services: tuple[ObservedService, ...] = (TELNET, SSH), **changes: object
) -> LiveHost:
    base = LiveHost(
        ADDRESS,
        ADDRESS,
        services,
        DEFAULT_PORTS,
        port_selection="default",
        credential_run=RUN,
        credentials=trials,
        access_tested=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def judged(
    check: type[LiveCredentialsCheck] | type[LiveAccessCheck], *hosts: LiveHost, reveal: bool = False
) -> list[Finding]:
    findings, runs = run_checks(
        [check(CheckSettings(reveal=reveal))], [], frozenset({Need.LIVE}), ScanEvidence(hosts=hosts)
    )
    assert [run.status for run in runs] == ["ran"]
    return findings


def outcomes(findings: list[Finding], provision: str) -> list[Outcome]:
    return [f.outcome for f in findings if provision in f.provisions]


# --- credentials ----------------------------------------------------------------------------------------------


def test_a_default_pair_that_logged_in_fails_5_1_1_with_the_password_masked() -> None:
    login = CredentialLogin("admin", "admin", "command prompt after the password: 'cam:~#'")
    findings = judged(
        LiveCredentialsCheck,
        host(trial(23, "telnet-login", "success", login=login, attempts=4), trial(22, "ssh-password")),
    )
    failed = [f for f in findings if f.outcome is Outcome.FAIL]
    assert len(failed) == 1 and failed[0].provisions == ("EN303645:5.1-1", "PSTI:1")
    assert (failed[0].location.port, failed[0].location.protocol) == (23, "telnet")
    shown = failed[0].evidence["login"]
    assert shown == {"user": "admin", "password_masked": "a***n", "proof": login.proof}
    assert "'admin' / 'a***n'" in failed[0].title
    assert Outcome.PASS not in outcomes(findings, "EN303645:5.1-1")
    revealed = judged(LiveCredentialsCheck, host(trial(23, "telnet-login", "success", login=login)), reveal=True)
    assert next(f for f in revealed if f.outcome is Outcome.FAIL).evidence["login"]["password"] == "admin"


def test_no_default_pair_passes_only_when_every_login_was_tried_on_a_full_probe() -> None:
    both = (trial(23, "telnet-login"), trial(22, "ssh-password"))
    passed = [
        f
        for f in judged(LiveCredentialsCheck, host(*both))
        if f.outcome is Outcome.PASS and "EN303645:5.1-1" in f.provisions
    ]
    assert len(passed) == 1 and "40 attempts on 2 login(s)" in passed[0].title
    assert passed[0].evidence["dictionaries"] == ["Mirai botnet list"]
    # one login not tried, a custom port list, a login whose control pair was accepted: no pass
    for blocked in (
        host(both[0]),
        host(*both, port_selection="custom"),
        host(both[0], trial(22, "ssh-password", "unreliable", attempts=0, control_refused=False)),
    ):
        assert Outcome.PASS not in outcomes(judged(LiveCredentialsCheck, blocked), "EN303645:5.1-1")


def test_without_the_owner_confirmation_the_logins_found_are_listed_and_nothing_is_decided() -> None:
    refused = CredentialRun(False, "not tried: trying passwords needs the owner's confirmation")
    findings = judged(LiveCredentialsCheck, host(credential_run=refused))
    assert [(f.outcome, f.evidence["rule"]) for f in findings] == [(Outcome.INFO, "credentials-not-tried")]
    assert "telnet-login on 23" in findings[0].detail


def test_a_lockout_passes_5_1_5_only_when_every_login_tried_long_enough_locked_out() -> None:
    sign = LockoutSign(5, "message", "status 429, locked")
    locked = trial(8443, "http-form", "lockout", lockout=sign, attempts=5)
    web = ObservedService(ADDRESS, 8443, Transport.TCP, "http", tls=True, evidence={"login_form": True})
    alone = judged(LiveCredentialsCheck, host(locked, services=(web,)))
    assert outcomes(alone, "EN303645:5.1-5") == [Outcome.PASS]
    mixed = judged(LiveCredentialsCheck, host(locked, trial(22, "ssh-password"), services=(web, SSH)))
    assert sorted(outcomes(mixed, "EN303645:5.1-5")) == [Outcome.INFO, Outcome.INFO]


# --- access ----------------------------------------------------------------------------------------------------


def result(port: int, test: str, is_open: bool | None, transport: str = "tcp") -> AccessResult:
    return AccessResult(port, "x", test, is_open, f"{test} summary", {}, transport)


def test_each_open_function_fails_its_provision() -> None:
    tests = [
        result(1883, "mqtt-subscribe", True),
        result(554, "rtsp-describe", True),
        result(2323, "shell-without-login", True),
        result(1900, "upnp-igd", True, "udp"),
        result(8080, "http-admin", True),
        result(5555, "adb-connect", True),
        result(80, "http-admin", False),
    ]
    findings = judged(LiveAccessCheck, host(access=tuple(tests)))
    failed = {str(f.evidence["rule"]): f.provisions for f in findings if f.outcome is Outcome.FAIL}
    assert failed == {
        "mqtt-anonymous-subscribe": ("EN303645:5.5-4",),
        "rtsp-open": ("EN303645:5.5-4",),
        "shell-without-login": ("EN303645:5.5-4", "EN303645:5.5-5"),
        "upnp-igd-open": ("EN303645:5.5-5",),
        "http-admin-open": ("EN303645:5.5-4",),
        "adb-open": ("EN303645:5.5-4",),
    }


def test_5_5_4_passes_only_when_every_service_asked_for_credentials() -> None:
    web = ObservedService(ADDRESS, 443, Transport.TCP, "http", tls=True, evidence={"status": 401})
    mqtt = ObservedService(ADDRESS, 8883, Transport.TCP, "mqtt", tls=True, evidence={"connack": 5})
    asked = host(services=(SSH, TELNET, web, mqtt), access=(result(443, "http-admin", False),))
    assert outcomes(judged(LiveAccessCheck, asked), "EN303645:5.5-4") == [Outcome.PASS]
    coap = ObservedService(ADDRESS, 5683, Transport.UDP, "coap")
    for blocked in (
        replace(asked, services=(*asked.services, coap)),
        replace(asked, port_selection="custom"),
        replace(asked, access=(result(443, "http-admin", None),)),
    ):
        assert outcomes(judged(LiveAccessCheck, blocked), "EN303645:5.5-4") == [Outcome.INFO]
    assert [f.evidence["rule"] for f in judged(LiveAccessCheck, replace(asked, access_tested=False))] == [
        "access-untested"
    ]

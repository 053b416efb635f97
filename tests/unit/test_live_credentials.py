"""Default-credential attempts: the ordered dictionary, the lockout heuristics, Digest answers, the web
form judgement, and whole trials against tiny asyncio servers on loopback (a login that works, one
that accepts anything, one that locks out, one that drops connections)."""

import asyncio
import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace

import pytest

from iotbaseline.checks.accounts.dictionary import DefaultCredential
from iotbaseline.live.credentials.capable import LoginSpec, logins_of
from iotbaseline.live.credentials.dictionary import candidates, vendor_words
from iotbaseline.live.credentials.digest import basic_authorization, digest_authorization, digest_challenge
from iotbaseline.live.credentials.ftp import FtpLogin
from iotbaseline.live.credentials.http_auth import HttpAuthLogin
from iotbaseline.live.credentials.login import Login, LoginPlace
from iotbaseline.live.credentials.mqtt import MqttLogin, login_packet, remaining_length
from iotbaseline.live.credentials.outcome import AttemptResult, LockoutWatch, Verdict
from iotbaseline.live.credentials.phase import CredentialOptions, credential_run, owner_confirmation
from iotbaseline.live.credentials.runner import TrialLimits, run_trial
from iotbaseline.live.credentials.settings import credential_settings, mirai_pairs
from iotbaseline.live.credentials.telnet import TelnetLogin
from iotbaseline.live.credentials.web_form import FormAnswer, WebFormLogin, judge_form_answer
from iotbaseline.live.model import ObservedService, Transport
from iotbaseline.live.session import ProbeSession
from iotbaseline.live.targets import parse_targets
from iotbaseline.live.trials import CredentialTrial
from iotbaseline.profile.loader import parse_profile

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
SETTINGS = credential_settings()
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


# --- the dictionary ---------------------------------------------------------------------------------------


def test_the_mirai_list_is_decoded_from_the_source_bytes() -> None:
    pairs = mirai_pairs()
    assert (pairs[0].user, pairs[0].password, pairs[0].weight) == ("root", "xc3511", 10)
    assert ("admin", "4321") in {(p.user, p.password) for p in pairs}  # commented "1234" in the source
    assert ("root", "") in {(p.user, p.password) for p in pairs}
    assert len(pairs) == 61


def test_telnet_tries_the_botnet_list_heaviest_first_and_never_an_empty_user() -> None:
    table = [DefaultCredential("router (web)", "", "admin"), DefaultCredential("telnet (telnet)", "root", "vizxv")]
    listed = candidates("telnet", SETTINGS, defaults=table, weak=["admin"])
    assert [(p.user, p.password) for p in listed.pairs[:4]] == [
        ("root", "xc3511"),
        ("root", "vizxv"),
        ("root", "admin"),
        ("admin", "admin"),
    ]
    assert all(p.user for p in listed.pairs)
    assert listed.description.startswith("Mirai botnet list")


def test_a_vendor_the_device_names_puts_its_defaults_first() -> None:
    table = [
        DefaultCredential("hikvision (ssh)", "admin", "12345"),
        DefaultCredential("hikvision (web)", "admin", "hik-web"),
        DefaultCredential("dlink (web)", "admin", "dlink"),
    ]
    listed = candidates("web", SETTINGS, hints=["Server: Hikvision-Webs"], defaults=table, mirai=[], weak=[])
    assert [(p.user, p.password) for p in listed.pairs[:2]] == [("admin", "hik-web"), ("admin", "12345")]
    assert listed.description.startswith("vendor defaults (hikvision)")


def test_generic_words_are_not_vendors_and_anonymous_is_never_a_default() -> None:
    table = [DefaultCredential("linux (ssh)", "root", "toor"), DefaultCredential("ftp (ftp)", "anonymous", "")]
    listed = candidates("ftp", SETTINGS, hints=["Linux 5.10"], defaults=table, mirai=[], weak=[])
    assert not listed.description.startswith("vendor")
    assert "anonymous" not in {p.user for p in listed.pairs}
    assert vendor_words(["D-Link DIR"]) >= {"d-link", "dlink", "dir"}


# --- what asks for a password -------------------------------------------------------------------------------


def service(port: int, protocol: str, tls: bool = False, **evidence: object) -> ObservedService:
    return ObservedService("127.0.0.1", port, Transport.TCP, protocol, tls=tls, evidence=dict(evidence))


def test_logins_are_read_from_what_identification_saw() -> None:
    assert logins_of(service(23, "telnet", prompt="login")) == (LoginSpec("telnet-login"),)
    assert logins_of(service(2323, "telnet", prompt="shell")) == ()
    basic = [{"scheme": "basic", "realm": "cam"}]
    assert logins_of(service(80, "http", status=401, authentication=basic)) == (LoginSpec("http-basic", "/"),)
    assert logins_of(service(8080, "http", status=302, location="/login.html")) == (
        LoginSpec("http-form", "/login.html"),
    )
    assert logins_of(service(8081, "http", status=302, location="http://elsewhere.example/login")) == ()
    assert logins_of(service(1883, "mqtt", connack=0)) == ()
    digest = [{"scheme": "digest", "realm": "cam"}]
    assert logins_of(service(554, "rtsp", describe_status=401, authentication=digest)) == (
        LoginSpec("rtsp-digest", "/"),
    )


# --- lockouts -----------------------------------------------------------------------------------------------


def feed(watch: LockoutWatch, *results: AttemptResult) -> list[object]:
    return [watch.feed(result) for result in results]


def test_a_lockout_message_is_a_sign_at_once() -> None:
    sign = LockoutWatch(SETTINGS).feed(AttemptResult(Verdict.LOCKED, detail="account locked"))
    assert sign is not None and sign.kind == "message"


def test_connections_refused_after_answered_failures_are_a_lockout_but_not_from_the_start() -> None:
    refused = AttemptResult(Verdict.REFUSED, detail="connection refused")
    rejected = AttemptResult(Verdict.REJECTED, 0.1)
    assert feed(LockoutWatch(SETTINGS), refused, refused, refused) == [None, None, None]
    signs = feed(LockoutWatch(SETTINGS), rejected, rejected, rejected, refused, refused)
    assert signs[:4] == [None, None, None, None]
    assert signs[4] is not None and signs[4].kind == "refused" and signs[4].after_failures == 3  # type: ignore[attr-defined]


def test_growing_delays_are_rate_limiting_but_a_constant_delay_is_not() -> None:
    slow = [AttemptResult(Verdict.REJECTED, seconds) for seconds in (0.1, 0.1, 0.1, 0.2, 2.5, 3.0, 4.0)]
    signs = feed(LockoutWatch(SETTINGS), *slow)
    assert signs[-1] is not None and signs[-1].kind == "slowdown"  # type: ignore[attr-defined]
    steady = [AttemptResult(Verdict.REJECTED, 3.0) for _ in range(10)]  # busybox login sleeps after each failure
    assert not any(feed(LockoutWatch(SETTINGS), *steady))


# --- Digest and Basic ---------------------------------------------------------------------------------------


def test_digest_answers_the_rfc_2617_example() -> None:
    challenge = digest_challenge(
        'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
        'opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    assert challenge is not None
    header = digest_authorization("Mufasa", "Circle Of Life", "GET", "/dir/index.html", challenge, cnonce="0a4f113b")
    assert header is not None and 'response="6629fae49393a05397450978507c4ef1"' in header
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header and "nc=00000001" in header


def test_digest_without_qop_matches_the_simulator_camera_and_unknown_algorithms_are_declined() -> None:
    from tests.live_device.responders import RtspSettings, _digest_ok

    settings = RtspSettings(digest_user="admin", digest_password="secret", nonce="abc")
    challenge = digest_challenge('Digest realm="SimCam", nonce="abc"')
    assert challenge is not None
    header = digest_authorization("admin", "secret", "DESCRIBE", "rtsp://h/", challenge)
    assert header is not None and _digest_ok(header, "DESCRIBE", "rtsp://h/", settings)
    assert digest_authorization("a", "b", "GET", "/", {"nonce": "n", "algorithm": "SHA-512-256"}) is None
    assert basic_authorization("admin", "admin") == "Basic YWRtaW46YWRtaW4="


# --- web forms ------------------------------------------------------------------------------------------------


FORM = '<form method="post" action="/login"><input name="user"><input type="password" name="pw"></form>'


def answer(**changes: object) -> FormAnswer:
    base = FormAnswer(200, "", frozenset(), 200, "/login", FORM)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_form_login_needs_the_form_gone_and_a_sign_of_a_session() -> None:
    control = answer(final_text=FORM + "<p>Invalid password</p>")
    good = answer(status=302, location="/home.html", cookies=frozenset({"sid"}), final_text="<h1>Home</h1>")
    assert judge_form_answer(good, control, SETTINGS).verdict is Verdict.ACCEPTED
    assert judge_form_answer(answer(), control, SETTINGS).verdict is Verdict.REJECTED


def test_a_page_without_the_form_but_with_no_sign_of_a_session_is_not_a_login() -> None:
    control = answer()
    blank = answer(final_text="<html>Please wait</html>")
    assert judge_form_answer(blank, control, SETTINGS).verdict is Verdict.ERROR
    same_as_control = answer(status=302, location="/home.html", final_text="<h1>Home</h1>")
    assert judge_form_answer(same_as_control, same_as_control, SETTINGS).verdict is Verdict.REJECTED
    back_to_login = answer(status=302, location="/login.html?e=1", final_text="<p>Session</p>")
    assert judge_form_answer(back_to_login, control, SETTINGS).verdict is not Verdict.ACCEPTED


def test_failure_and_lockout_words_win_over_everything_else() -> None:
    control = answer()
    failed = answer(status=302, location="/home", cookies=frozenset({"sid"}), final_text="Wrong password")
    assert judge_form_answer(failed, control, SETTINGS).verdict is Verdict.REJECTED
    locked = answer(final_text="Too many attempts, try again later")
    assert judge_form_answer(locked, control, SETTINGS).verdict is Verdict.LOCKED
    assert judge_form_answer(answer(status=429), control, SETTINGS).verdict is Verdict.LOCKED


# --- whole trials against tiny servers --------------------------------------------------------------------


async def serve(handler: Handler) -> tuple[asyncio.AbstractServer, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def trial_against(
    handler: Handler, make: Callable[[LoginPlace], Login], protocol: str, attempts: int = 40
) -> tuple[CredentialTrial, ProbeSession]:
    async def run() -> tuple[CredentialTrial, ProbeSession]:
        server, port = await serve(handler)
        session = ProbeSession(parse_targets(["127.0.0.1"]), confine=LOOPBACK)
        place = LoginPlace(session, parse_targets(["127.0.0.1"]).targets[0], service(port, protocol), SETTINGS, 300)
        login = make(place)
        pairs = candidates(
            login.kind, SETTINGS, defaults=[], mirai=[], weak=["admin", "1234", "password", "12345", "root"]
        )
        async with server:
            trial = await run_trial(login, pairs, TrialLimits(attempts, 100, 0.0, 3))
        return trial, session

    return asyncio.run(run())


def telnet_server(accept: Callable[[str, str], bool]) -> Handler:
    """Offers ECHO, asks login and password (the client's option answers are stripped), then shows a
    prompt or refuses."""

    async def line(reader: asyncio.StreamReader) -> str:
        return re.sub(rb"\xff[\xfb-\xfe].", b"", await reader.readline()).decode(errors="replace").strip()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            writer.write(b"\xff\xfb\x01cam login: ")
            await writer.drain()
            user = await line(reader)
            writer.write(b"Password: ")
            await writer.drain()
            password = await line(reader)
            writer.write(b"\r\n~ # " if accept(user, password) else b"\r\nLogin incorrect\r\ncam login: ")
            await writer.drain()
            await reader.read(1)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    return handle


def test_a_telnet_default_is_found_after_the_control_pair_is_refused() -> None:
    trial, session = trial_against(telnet_server(lambda u, p: (u, p) == ("admin", "admin")), TelnetLogin, "telnet")
    assert trial.stopped == "success" and trial.control_refused is True
    assert trial.login is not None and (trial.login.user, trial.login.password) == ("admin", "admin")
    assert "~ #" in trial.login.proof
    logged = [a for a in session.attempts if a.purpose == "login:telnet-login"]
    assert len(logged) == trial.attempts + 1 and all("'admin'" not in a.detail.split("password")[1] for a in logged)


def test_a_telnet_login_that_takes_anything_proves_nothing() -> None:
    trial, _ = trial_against(telnet_server(lambda u, p: True), TelnetLogin, "telnet")
    assert trial.stopped == "unreliable" and trial.login is None and trial.attempts == 0


def test_the_attempt_limit_stops_a_trial_that_finds_nothing() -> None:
    trial, _ = trial_against(telnet_server(lambda u, p: False), TelnetLogin, "telnet", attempts=3)
    assert (trial.stopped, trial.attempts, trial.failures, trial.login) == ("cap", 3, 3, None)


def http_server(after: int, locked: bytes, good: tuple[str, str] | None = None) -> Handler:
    failures = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal failures
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            if failures >= after:
                writer.write(locked)
            elif good is not None and basic_authorization(*good).encode() in head:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            else:
                failures += 1
                writer.write(
                    b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n'
                )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


def test_http_429_after_failures_is_a_lockout_and_stops_the_trial() -> None:
    busy = b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n"
    trial, _ = trial_against(http_server(3, busy), lambda place: HttpAuthLogin(place, "/", "basic"), "http")
    assert trial.stopped == "lockout" and trial.lockout is not None
    assert trial.lockout.kind == "message" and trial.lockout.after_failures == 3 and trial.attempts == 3


def test_connections_dropped_after_failures_are_a_lockout() -> None:
    trial, _ = trial_against(http_server(3, b""), lambda place: HttpAuthLogin(place, "/", "basic"), "http")
    assert trial.stopped == "lockout" and trial.lockout is not None and trial.lockout.kind == "refused"


def test_basic_authentication_logs_in_with_the_default_pair() -> None:
    trial, _ = trial_against(
        http_server(100, b"", good=("admin", "1234")), lambda place: HttpAuthLogin(place, "/", "basic"), "http"
    )
    assert trial.login is not None and (trial.login.user, trial.login.password) == ("admin", "1234")
    assert "200" in trial.login.proof


FORM_PAGE = '<form method="post" action="/do"><input name="username"><input type="password" name="password"></form>'


def form_server(accept_anything: bool) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode()
            length = next(
                (int(line.split(":")[1]) for line in head.split("\r\n") if line.lower().startswith("content-length")), 0
            )
            body = (await reader.readexactly(length)).decode() if length else ""
            if head.startswith("GET /login"):
                page = FORM_PAGE
                answer = f"HTTP/1.1 200 OK\r\nContent-Length: {len(page)}\r\n\r\n{page}"
            elif head.startswith("POST /do") and (accept_anything or "username=admin&password=password" in body):
                answer = (
                    "HTTP/1.1 302 Found\r\nLocation: /home\r\nSet-Cookie: sid=1; Path=/\r\nContent-Length: 0\r\n\r\n"
                )
            elif head.startswith("GET /home"):
                answer = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n<h1>Home</h1>"[:-1]
            else:
                page = '<form method="post" action="/do"><input type="password" name="password"></form> Invalid'
                answer = f"HTTP/1.1 200 OK\r\nContent-Length: {len(page)}\r\n\r\n{page}"
            writer.write(answer.encode())
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


def test_a_web_form_login_is_found_by_its_redirect_and_cookie() -> None:
    trial, _ = trial_against(form_server(False), lambda place: WebFormLogin(place, "/login"), "http")
    assert trial.login is not None and (trial.login.user, trial.login.password) == ("admin", "password")
    assert "set cookie sid" in trial.login.proof and trial.control_refused is True


def test_a_web_form_that_lets_every_pair_in_is_not_a_default_password() -> None:
    trial, _ = trial_against(form_server(True), lambda place: WebFormLogin(place, "/login"), "http")
    assert trial.stopped == "unreliable" and trial.login is None


def test_mqtt_and_ftp_logins() -> None:
    async def broker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        packet = await reader.read(512)
        writer.write(b"\x20\x02\x00\x00" if b"admin\x00\x05admin" in packet else b"\x20\x02\x00\x05")
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.close()

    trial, _ = trial_against(broker, MqttLogin, "mqtt")
    assert trial.login is not None and trial.login.proof.startswith("CONNACK 0")

    async def ftpd(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 cam FTP\r\n")
        user = (await reader.readline()).strip()
        writer.write(b"331 Password required\r\n")
        password = (await reader.readline()).strip()
        good = (user, password) == (b"USER root", b"PASS root")
        writer.write(b"230 Logged in\r\n" if good else b"530 Login incorrect\r\n")
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.close()

    trial, _ = trial_against(ftpd, FtpLogin, "ftp", attempts=40)
    assert trial.login is not None and (trial.login.user, trial.login.password) == ("root", "root")
    assert (
        remaining_length(321) == b"\xc1\x02" and login_packet("c", "u", "p")[1] == len(login_packet("c", "u", "p")) - 2
    )


# --- consent ------------------------------------------------------------------------------------------------


def test_no_password_is_tried_without_the_owner_confirmation() -> None:
    refused = credential_run(CredentialOptions())
    assert not refused.attempted and "--i-own-this-device" in refused.reason
    assert not credential_run(CredentialOptions(enabled=False, authorised_by="--i-own-this-device")).attempted
    allowed = credential_run(CredentialOptions(authorised_by="--i-own-this-device", attempts=500))
    assert allowed.attempted and allowed.max_attempts == SETTINGS.hard_cap


def test_the_profile_can_confirm_ownership() -> None:
    confirmed = parse_profile("live_testing:\n  owner_confirmed: yes\n", "p.yaml")
    assert owner_confirmation(False, confirmed) == "the profile p.yaml (live_testing.owner_confirmed, line 2)"
    assert owner_confirmation(False, parse_profile("live_testing:\n  owner_confirmed: no\n")) is None
    assert owner_confirmation(True, None) == "--i-own-this-device"


@pytest.mark.parametrize("bad", ["limits: {attempts: 0, hard_cap: 100, delay: 0.5, max_errors: 3}"])
def test_settings_reject_an_attempt_limit_outside_the_cap(bad: str) -> None:
    import yaml

    from iotbaseline.live.credentials.settings import parse_credential_settings
    from iotbaseline.live.data import load_yaml

    data = load_yaml("credentials.yaml") | yaml.safe_load(bad)
    with pytest.raises(ValueError, match="attempts"):
        parse_credential_settings(data)

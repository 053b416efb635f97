"""Who may use the dashboard: loopback clients naming a loopback host, the bearer token, a logged-in session."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from iotbaseline.serve_cli import serve
from iotbaseline.web.access import is_loopback_address, is_loopback_host
from iotbaseline.web.sessions import COOKIE, SessionStore
from tests.unit.web_support import LOOPBACK, REMOTE, TOKEN, csrf_of, dashboard


def test_a_client_from_another_machine_is_sent_to_the_login_form(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client(REMOTE, host="dashboard.example:8000")
        page = client.get("/scans")
        post = client.post("/scan-path", data={"path": "x"})
        download = client.get("/scans/1/download/sbom.cdx.json")

    assert page.status_code == 303 and page.headers["location"] == "/login"
    assert post.status_code == 401 and "bearer" in post.headers["www-authenticate"].lower()
    assert download.status_code == 303


def test_the_bearer_token_lets_a_script_in_and_a_wrong_one_is_refused(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client(REMOTE, host="dashboard.example")
        right = client.get("/", headers={"Authorization": f"Bearer {TOKEN}"})
        wrong = client.get("/", headers={"Authorization": f"Bearer {TOKEN}x"})
        basic = client.get("/", headers={"Authorization": f"Basic {TOKEN}"})

    assert right.status_code == 200 and "Overview" in right.text
    assert wrong.status_code == 401
    assert basic.status_code == 401


def test_a_loopback_client_naming_a_loopback_host_needs_no_token(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "localhost"):
            assert running.client(LOOPBACK, host=host).get("/").status_code == 200, host
        assert running.client(("::1", 1234), host="[::1]").get("/").status_code == 200


def test_a_loopback_connection_under_a_foreign_host_name_is_not_trusted(tmp_path: Path) -> None:
    """DNS rebinding: a web page's host name resolved to 127.0.0.1 reaches the server from loopback."""
    with dashboard(tmp_path) as running:
        response = running.client(LOOPBACK, host="attacker.example:8000").get("/")

    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_with_token_everywhere_loopback_clients_log_in_too(tmp_path: Path) -> None:
    with dashboard(tmp_path, token_for_loopback=True) as running:
        client = running.client(LOOPBACK)
        refused = client.get("/")
        allowed = client.get("/", headers={"Authorization": f"Bearer {TOKEN}"})

    assert refused.status_code == 303
    assert allowed.status_code == 200


def test_without_a_token_no_remote_client_gets_in(tmp_path: Path) -> None:
    with dashboard(tmp_path, token=None) as running:
        client = running.client(REMOTE, host="dashboard.example")
        assert client.get("/", headers={"Authorization": "Bearer "}).status_code == 401
        assert client.get("/", headers={"Authorization": "Bearer None"}).status_code == 401
        login = client.get("/login")
        refused = client.post("/login", data={"csrf_token": csrf_of(login.text), "token": ""})
    assert refused.status_code == 401


def test_logging_in_sets_a_new_httponly_strict_session_that_lets_the_browser_in(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client(REMOTE, host="dashboard.example")
        form = client.get("/login")
        before = client.cookies[COOKIE]
        logged_in = client.post("/login", data={"csrf_token": csrf_of(form.text), "token": TOKEN})
        after = client.cookies[COOKIE]
        home = client.get("/")

    assert form.status_code == 200
    assert logged_in.status_code == 303 and logged_in.headers["location"] == "/"
    cookie = logged_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert after != before  # the session id changes at login: one planted before is worthless
    assert home.status_code == 200 and "Log out" in home.text


def test_login_needs_the_forms_csrf_token_and_the_right_token(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client(REMOTE, host="dashboard.example")
        form = client.get("/login")
        no_csrf = client.post("/login", data={"token": TOKEN})
        wrong_token = client.post("/login", data={"csrf_token": csrf_of(form.text), "token": "guess-guess-guess"})
        still_out = client.get("/")

    assert no_csrf.status_code == 403
    assert wrong_token.status_code == 401 and "not the token" in wrong_token.text
    assert still_out.status_code == 303


def test_repeated_wrong_tokens_are_throttled(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client(REMOTE, host="dashboard.example")
        csrf = csrf_of(client.get("/login").text)
        statuses = [
            client.post("/login", data={"csrf_token": csrf, "token": f"wrong-{n}"}).status_code for n in range(11)
        ]
        right = client.post("/login", data={"csrf_token": csrf, "token": TOKEN})

    assert statuses == [401] * 10 + [429]
    assert right.status_code == 429


def test_logging_out_ends_the_session(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        client = running.client(REMOTE, host="dashboard.example")
        client.post("/login", data={"csrf_token": csrf_of(client.get("/login").text), "token": TOKEN})
        session = client.cookies[COOKIE]
        page = client.get("/")
        forged = client.post("/logout", data={"csrf_token": "forged"})
        out = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
        client.cookies.set(COOKIE, session)  # the old cookie, kept by an attacker
        after = client.get("/")

    assert forged.status_code == 403
    assert out.status_code == 303
    assert after.status_code == 303


@pytest.mark.parametrize("path", ["/", "/login", "/scans/999", "/nowhere", "/static/dashboard.css"])
def test_every_response_carries_the_security_headers(tmp_path: Path, path: str) -> None:
    with dashboard(tmp_path) as running:
        response = running.client().get(path)
        refused = running.client(REMOTE, host="x.example").post("/upload")

    for answer in (response, refused):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")
        assert answer.headers["x-frame-options"] == "DENY"
    assert "script-src" not in response.headers["content-security-policy"]


def test_loopback_recognition() -> None:
    assert is_loopback_address("127.0.0.1") and is_loopback_address("127.8.9.10") and is_loopback_address("::1")
    assert is_loopback_address("::ffff:127.0.0.1")
    assert not is_loopback_address("10.0.0.1") and not is_loopback_address("testclient") and not is_loopback_address("")
    assert is_loopback_host("LOCALHOST:80") and is_loopback_host("[::1]:8000") and is_loopback_host("127.0.0.1")
    assert not is_loopback_host("localhost.evil.example") and not is_loopback_host("127.0.0.1.nip.io:8000")
    assert not is_loopback_host(None) and not is_loopback_host("[::1")


def test_a_flood_of_new_sessions_never_drops_a_logged_in_one() -> None:
    sessions = SessionStore(max_sessions=3)
    logged_in = sessions.new(authenticated=True)
    anonymous = [sessions.new(authenticated=False) for _ in range(10)]

    assert sessions.get(logged_in.id) == logged_in
    assert [sessions.get(s.id) is not None for s in anonymous] == [False] * 8 + [True] * 2


def test_a_post_without_a_session_cookie_gets_no_session_and_fails_csrf(tmp_path: Path) -> None:
    with dashboard(tmp_path) as running:
        response = running.client().post("/scan-path", data={"csrf_token": "", "path": "x"})

    assert response.status_code == 403 and "set-cookie" not in response.headers


def test_serve_refuses_a_short_token_before_starting(tmp_path: Path) -> None:
    result = CliRunner().invoke(serve, ["--token", "short", "--data", str(tmp_path / "d"), "--db", str(tmp_path / "r")])

    assert result.exit_code == 2 and "at least 16 characters" in result.output
    assert not (tmp_path / "r").exists()

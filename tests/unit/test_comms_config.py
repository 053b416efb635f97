"""Communication security in configuration and scripts: each rule in both directions."""

from collections.abc import Mapping
from pathlib import Path

import pytest

from iotbaseline.comms import CommunicationSecurityCheck
from iotbaseline.model import Finding, Outcome
from tests.unit.tiny_image import outcomes, scan, tiny_image

CRYPTO = "EN303645:5.5-1"
CSP = "EN303645:5.5-7"
PROGRAM = "#!/bin/sh\n"


def run(tmp_path: Path, files: Mapping[str, str | bytes]) -> list[Finding]:
    return scan(CommunicationSecurityCheck(), tiny_image(tmp_path, files))


def fails(findings: list[Finding]) -> list[tuple[str | None, int | None, str]]:
    return [(f.location.path, f.location.line, f.evidence["problem"]) for f in outcomes(findings, Outcome.FAIL)]


def summary(findings: list[Finding]) -> Finding:
    [found] = [f for f in findings if f.discriminator == "examined"]
    return found


# ---- web servers ----------------------------------------------------------------------------------------

LIGHTTPD_PLAIN = 'server.port = 80\nserver.document-root = "/www"\n'
LIGHTTPD_TLS = (
    'server.port = 443\nssl.engine = "enable"\nssl.pemfile = "/etc/ssl/server.pem"\n'
    'ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2")\n'
)


def test_http_admin_without_any_tls_listener_fails(tmp_path: Path) -> None:
    findings = run(tmp_path, {"etc/lighttpd/lighttpd.conf": LIGHTTPD_PLAIN, "usr/sbin/lighttpd": PROGRAM})
    assert fails(findings) == [("/etc/lighttpd/lighttpd.conf", 1, "cleartext-listener")]
    assert outcomes(findings, Outcome.FAIL)[0].provisions == (CRYPTO,)


def test_http_basic_auth_over_cleartext_also_fails_5_5_7(tmp_path: Path) -> None:
    config = LIGHTTPD_PLAIN + 'auth.backend = "htpasswd"\n'
    [failed] = outcomes(
        run(tmp_path, {"etc/lighttpd/lighttpd.conf": config, "usr/sbin/lighttpd": PROGRAM}), Outcome.FAIL
    )
    assert set(failed.provisions) == {CRYPTO, CSP}


def test_https_only_with_tls_1_2_passes(tmp_path: Path) -> None:
    findings = run(tmp_path, {"etc/lighttpd/lighttpd.conf": LIGHTTPD_TLS, "usr/sbin/lighttpd": PROGRAM})
    assert fails(findings) == []
    assert summary(findings).outcome is Outcome.PASS and summary(findings).provisions == (CRYPTO,)


def test_tls_switched_on_in_a_conf_d_file_covers_the_main_port(tmp_path: Path) -> None:
    files = {
        "etc/lighttpd/lighttpd.conf": "server.port = 443\n",
        "etc/lighttpd/conf.d/ssl.conf": 'ssl.engine = "enable"\n',
        "usr/sbin/lighttpd": PROGRAM,
    }
    assert fails(run(tmp_path, files)) == []


def test_lighttpd_allowing_sslv3_and_tls_1_0_fails_on_each_line(tmp_path: Path) -> None:
    config = LIGHTTPD_TLS.replace("TLSv1.2", "TLSv1") + 'ssl.use-sslv3 = "enable"\n'
    findings = run(tmp_path, {"etc/lighttpd/lighttpd.conf": config, "usr/sbin/lighttpd": PROGRAM})
    assert [(line, kind) for _, line, kind in fails(findings)] == [(4, "weak-tls"), (5, "weak-tls")]


def test_plain_http_beside_https_without_redirect_is_a_hint_and_with_redirect_nothing(tmp_path: Path) -> None:
    config = 'server.port = 80\n$SERVER["socket"] == ":443" {\n  ssl.engine = "enable"\n}\n'
    findings = run(tmp_path / "a", {"etc/lighttpd/lighttpd.conf": config, "usr/sbin/lighttpd": PROGRAM})
    assert fails(findings) == []
    assert [f.evidence["problem"] for f in outcomes(findings, Outcome.INFO) if "problem" in f.evidence] == [
        "plain-beside-tls"
    ]
    redirected = (
        config + '$HTTP["scheme"] == "http" {\n  url.redirect = ("" => "https://${url.authority}${url.path}")\n}\n'
    )
    findings = run(tmp_path / "b", {"etc/lighttpd/lighttpd.conf": redirected, "usr/sbin/lighttpd": PROGRAM})
    assert summary(findings).outcome is Outcome.PASS


def test_nginx_protocols_and_ciphers(tmp_path: Path) -> None:
    config = (
        "server {\n  listen 443 ssl;\n  ssl_protocols TLSv1 TLSv1.1 TLSv1.2;\n"
        '  ssl_ciphers "HIGH:!aNULL:!MD5:RC4-SHA";\n}\n'
    )
    findings = run(tmp_path, {"etc/nginx/nginx.conf": config, "usr/sbin/nginx": PROGRAM})
    assert [(line, kind) for _, line, kind in fails(findings)] == [(3, "weak-tls"), (4, "weak-tls")]
    assert "TLSv1, TLSv1.1" in outcomes(findings, Outcome.FAIL)[0].detail


def test_nginx_modern_settings_pass(tmp_path: Path) -> None:
    config = 'server {\n  listen 443 ssl;\n  ssl_protocols TLSv1.2 TLSv1.3;\n  ssl_ciphers "HIGH:!aNULL:!MD5";\n}\n'
    findings = run(tmp_path, {"etc/nginx/nginx.conf": config, "usr/sbin/nginx": PROGRAM})
    assert summary(findings).outcome is Outcome.PASS


def test_uhttpd_http_only_fails_and_with_https_and_redirect_passes(tmp_path: Path) -> None:
    plain = "config uhttpd 'main'\n\tlist listen_http '0.0.0.0:80'\n"
    findings = run(tmp_path / "a", {"etc/config/uhttpd": plain, "usr/sbin/uhttpd": PROGRAM})
    assert fails(findings) == [("/etc/config/uhttpd", 2, "cleartext-listener")]
    secure = plain + "\tlist listen_https '0.0.0.0:443'\n\toption redirect_https '1'\n"
    assert (
        summary(run(tmp_path / "b", {"etc/config/uhttpd": secure, "usr/sbin/uhttpd": PROGRAM})).outcome is Outcome.PASS
    )


def test_a_server_config_without_its_program_is_not_judged(tmp_path: Path) -> None:
    assert fails(run(tmp_path, {"etc/lighttpd/lighttpd.conf": LIGHTTPD_PLAIN})) == []


# ---- MQTT ----------------------------------------------------------------------------------------------


def test_mqtt_listener_on_1883_of_every_interface_fails(tmp_path: Path) -> None:
    config = "listener 1883 0.0.0.0\npassword_file /etc/mosquitto/passwd\n"
    [failed] = outcomes(
        run(tmp_path, {"etc/mosquitto/mosquitto.conf": config, "usr/sbin/mosquitto": PROGRAM}), Outcome.FAIL
    )
    assert (failed.location.line, failed.evidence["problem"]) == (1, "cleartext-listener")
    assert set(failed.provisions) == {CRYPTO, CSP}


def test_mqtt_on_loopback_and_tls_listeners_do_not_fail(tmp_path: Path) -> None:
    config = "listener 1883 127.0.0.1\nlistener 8883\ncertfile /etc/c.pem\nkeyfile /etc/k.pem\ntls_version tlsv1.2\n"
    findings = run(tmp_path, {"etc/mosquitto/mosquitto.conf": config, "usr/sbin/mosquitto": PROGRAM})
    assert fails(findings) == []
    assert summary(findings).outcome is Outcome.PASS


def test_mqtt_bridge_without_certificate_check_fails(tmp_path: Path) -> None:
    config = (
        "listener 8883\ncertfile /etc/c.pem\n"
        "connection cloud\naddress broker.example.com:8883\nbridge_cafile /etc/ca.pem\nbridge_insecure true\n"
        "remote_password hunter2\n"
    )
    [failed] = outcomes(
        run(tmp_path, {"etc/mosquitto/mosquitto.conf": config, "usr/sbin/mosquitto": PROGRAM}), Outcome.FAIL
    )
    assert (failed.location.line, failed.evidence["problem"]) == (3, "unverified-peer")
    assert set(failed.provisions) == {CRYPTO, CSP}


def test_commented_listener_lines_are_ignored(tmp_path: Path) -> None:
    config = "#listener 1883 0.0.0.0\nlistener 8883\ncafile /etc/ca.pem\n"
    assert fails(run(tmp_path, {"etc/mosquitto/mosquitto.conf": config, "usr/sbin/mosquitto": PROGRAM})) == []


# ---- FTP and stunnel ------------------------------------------------------------------------------------


def test_vsftpd_with_local_logins_and_no_tls_fails_both_provisions(tmp_path: Path) -> None:
    config = "listen=YES\nlocal_enable=YES\n"
    [failed] = outcomes(run(tmp_path, {"etc/vsftpd.conf": config, "usr/sbin/vsftpd": PROGRAM}), Outcome.FAIL)
    assert set(failed.provisions) == {CRYPTO, CSP} and failed.location.line == 1


def test_vsftpd_with_tls_does_not_fail(tmp_path: Path) -> None:
    config = "listen=YES\nlocal_enable=YES\nssl_enable=YES\n"
    assert fails(run(tmp_path, {"etc/vsftpd.conf": config, "usr/sbin/vsftpd": PROGRAM})) == []


def test_stunnel_client_without_verification_fails_and_with_verify_chain_does_not(tmp_path: Path) -> None:
    config = "[cloud]\nclient = yes\naccept = 127.0.0.1:1883\nconnect = cloud.example.com:8883\n"
    findings = run(tmp_path / "a", {"etc/stunnel/stunnel.conf": config, "usr/bin/stunnel": PROGRAM})
    assert fails(findings) == [("/etc/stunnel/stunnel.conf", 4, "unverified-peer")]
    verified = config + "verifyChain = yes\nCAfile = /etc/ssl/ca.pem\ncheckHost = cloud.example.com\n"
    assert fails(run(tmp_path / "b", {"etc/stunnel/stunnel.conf": verified, "usr/bin/stunnel": PROGRAM})) == []


# ---- clients --------------------------------------------------------------------------------------------


def test_curl_k_with_a_bearer_token_fails_both_provisions(tmp_path: Path) -> None:
    script = '#!/bin/sh\ncurl -k -s -X POST \\\n\t-H "Authorization: Bearer $TOKEN" "https://api.example.com/x"\n'
    [failed] = outcomes(run(tmp_path, {"usr/bin/sync": script}), Outcome.FAIL)
    assert (failed.location.line, failed.evidence["command"]) == (2, "curl -k")
    assert set(failed.provisions) == {CRYPTO, CSP}


@pytest.mark.parametrize(
    "line",
    [
        "curl --cacert /etc/ssl/ca.pem -s https://api.example.com/x",
        "# curl -k https://api.example.com/x",
        "wget -q -O - https://api.example.com/x",
    ],
)
def test_verifying_or_commented_clients_do_not_fail(tmp_path: Path, line: str) -> None:
    assert outcomes(run(tmp_path, {"usr/bin/sync": f"#!/bin/sh\n{line}\n"}), Outcome.FAIL) == []


def test_wget_no_check_certificate_fails(tmp_path: Path) -> None:
    script = "#!/bin/sh\nwget --no-check-certificate -O /tmp/x https://h/x\n"
    [failed] = outcomes(run(tmp_path, {"usr/bin/sync": script}), Outcome.FAIL)
    assert failed.evidence["command"] == "wget --no-check-certificate" and failed.provisions == (CRYPTO,)


def test_password_in_a_cleartext_request_fails_5_5_7(tmp_path: Path) -> None:
    script = "#!/bin/sh\nwget -q -O - 'http://cloud.example.com/api?id=1&token=abc'\n"
    [failed] = outcomes(run(tmp_path, {"usr/bin/report": script}), Outcome.FAIL)
    assert failed.evidence["problem"] == "cleartext-credentials" and CSP in failed.provisions


def test_plain_request_without_credentials_is_a_hint_and_loopback_nothing(tmp_path: Path) -> None:
    script = "#!/bin/sh\nwget -q -O - http://time.example.com/now\nwget -q -O - http://127.0.0.1:8080/status\n"
    findings = run(tmp_path, {"usr/bin/report": script})
    assert outcomes(findings, Outcome.FAIL) == []
    assert [f.location.line for f in outcomes(findings, Outcome.INFO) if "problem" in f.evidence] == [2]


def test_mosquitto_pub_with_a_password_to_a_remote_broker_without_tls_fails(tmp_path: Path) -> None:
    script = "#!/bin/sh\nmosquitto_pub -h broker.example.com -u dev -P secret -t t -m on\n"
    [failed] = outcomes(run(tmp_path, {"usr/bin/report": script}), Outcome.FAIL)
    assert failed.evidence["url"] == "mqtt://broker.example.com:1883"


def test_python_verify_false_fails_and_a_comment_does_not(tmp_path: Path) -> None:
    code = "import requests\n# requests.get(u, verify=False)\nrequests.post(URL, json=d, verify=False)\n"
    [failed] = outcomes(run(tmp_path, {"usr/lib/agent/sync.py": code}), Outcome.FAIL)
    assert (failed.location.line, failed.evidence["command"]) == (3, "python-verify-false")


def test_update_scripts_are_left_to_the_update_check(tmp_path: Path) -> None:
    script = "#!/bin/sh\ncurl -k -o /tmp/fw.bin https://h/fw.bin\nmtd write /tmp/fw.bin firmware\n"
    findings = run(tmp_path, {"usr/sbin/fw-update": script})
    assert outcomes(findings, Outcome.FAIL) == []
    assert summary(findings).evidence["update_scripts"] == 1

"""Account files in their embedded forms, and hostile input: skipped and noted, never a crash."""

from iotbaseline.checks.accounts.default_configs import parse_json, parse_key_values, parse_xml
from iotbaseline.checks.accounts.entries import MAX_LINE
from iotbaseline.checks.accounts.schemes import FieldState
from iotbaseline.checks.accounts.service_users import parse_httpd_conf, parse_smbpasswd, parse_user_file
from iotbaseline.checks.accounts.system_accounts import parse_passwd, parse_shadow

DES_ROOT = "root:abJnggxhB/yWI:0:0:root:/root:/bin/sh\n"


def test_busybox_passwd_with_a_des_hash_in_passwd_itself() -> None:
    parsed = parse_passwd(DES_ROOT.encode())

    (entry,) = parsed.entries
    assert (entry.user, entry.line, entry.uid, entry.login) == ("root", 1, 0, True)
    assert entry.reading.scheme is not None and entry.reading.scheme.name == "descrypt"


def test_passwd_with_x_defers_to_shadow_and_nologin_accounts_are_not_logins() -> None:
    parsed = parse_passwd(b"root:x:0:0::/root:/bin/ash\ndaemon:*:1:1::/:/bin/false\nftp::2:2::/:/sbin/nologin\n")

    assert [a.user for a in parsed.accounts] == ["root", "daemon", "ftp"]
    assert [(e.user, e.reading.state, e.login) for e in parsed.entries] == [
        ("daemon", FieldState.LOCKED, False),
        ("ftp", FieldState.EMPTY, False),
    ]


def test_shadow_entries_keep_their_line_numbers() -> None:
    parsed = parse_shadow(b"root:!:19000:0:99999:7:::\n\nguest::19000:0:99999:7:::\n")

    assert [(e.user, e.line, e.reading.state) for e in parsed.entries] == [
        ("root", 1, FieldState.LOCKED),
        ("guest", 3, FieldState.EMPTY),
    ]


def test_malformed_binary_and_non_utf8_lines_are_skipped_and_counted() -> None:
    content = (
        b"root::0:0\n\x00\x01\x02junk\nbad:\xff\xfe:0:0::/:/bin/sh\n"
        + b"a" * (MAX_LINE + 1)
        + b"\n"
        + DES_ROOT.encode()
    )

    parsed = parse_passwd(content)

    assert sorted(parsed.malformed_lines) == [1, 2, 3, 4]
    assert [e.line for e in parsed.entries] == [5]


def test_pure_junk_gives_no_entries_and_no_exception() -> None:
    junk = bytes(range(256)) * 64
    for parse in (parse_passwd, parse_shadow, parse_smbpasswd, parse_httpd_conf):
        assert parse(junk).entries == []
    assert parse_json(junk, "json").entries == []
    assert parse_key_values(junk, "nvram").entries == []


def test_htpasswd_with_apr1_and_a_mosquitto_pbkdf2_user() -> None:
    htpasswd = parse_user_file(b"admin:$apr1$k8Jd2xQa$rLiTXFVUEpJ2mr3KLzZnf0\n", "htpasswd", clear_text_allowed=False)
    mosquitto_line = "bob:$7$101$" + "A" * 22 + "==$" + "B" * 86 + "==\n"
    mosquitto = parse_user_file(mosquitto_line.encode(), "mosquitto", clear_text_allowed=False)

    assert htpasswd.entries[0].reading.scheme is not None and htpasswd.entries[0].reading.scheme.name == "apr1"
    assert mosquitto.entries[0].reading.scheme is not None
    assert mosquitto.entries[0].reading.scheme.name == "mosquitto-pbkdf2-sha512"


def test_lighttpd_plain_user_file_holds_passwords_in_clear() -> None:
    parsed = parse_user_file(b"admin:admin123\n", "users", clear_text_allowed=True)

    assert parsed.entries[0].reading.state is FieldState.CLEAR


def test_httpd_conf_credentials_skip_the_system_password_reference() -> None:
    parsed = parse_httpd_conf(b"A:*\n/cgi-bin:admin:admin\n/adm:root:$p$root\nH:/www\n")

    assert [(e.user, e.secret, e.line) for e in parsed.entries] == [("admin", "admin", 2)]


def test_smbpasswd_nt_hash_disabled_and_no_password_accounts() -> None:
    nt = "209C6174DA490CAEB422F3FA5A7AE634"
    content = (
        f"admin:1000:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:{nt}:[U          ]:LCT-5F000000:\n"
        "guest:1001:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:[NU         ]:LCT-0:\n"
        f"old:1002:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:{nt}:[DU         ]:LCT-0:\n"
    ).encode()

    parsed = parse_smbpasswd(content)

    assert [(e.user, e.reading.state) for e in parsed.entries] == [
        ("admin", FieldState.HASH),
        ("guest", FieldState.EMPTY),
        ("old", FieldState.LOCKED),
    ]


def test_nvram_defaults_uci_and_goahead_passwords_with_their_users() -> None:
    nvram = parse_key_values(b"http_username=admin\nhttp_passwd=admin\nwl0_wpa_psk=secret123\npass_min=8\n", "nvram")
    uci = parse_key_values(b"config login\n\toption username 'root'\n\toption password '$p$root'\n", "uci")
    goahead = parse_key_values(b"TABLE=users\nROW=0\nname=admin\npassword=1234\n", "goahead")

    assert [(e.user, e.secret, e.line) for e in nvram.entries] == [("admin", "admin", 2)]
    assert uci.entries == []
    assert [(e.user, e.secret) for e in goahead.entries] == [("admin", "1234")]


def test_defaultvalue_xml_and_json_defaults() -> None:
    xml = parse_xml(
        b'<Users>\n<User name="admin" Password="admin"/>\n<X_WebPassword>1234</X_WebPassword>\n</Users>\n', "xml"
    )
    json_ = parse_json(b'{"accounts": [\n {"username": "admin",\n  "password": "hunter2"}\n]}\n', "json")

    assert [(e.user, e.secret, e.line) for e in xml.entries] == [("admin", "admin", 2), ("admin", "1234", 3)]
    assert [(e.user, e.secret, e.line) for e in json_.entries] == [("admin", "hunter2", 3)]


def test_invalid_and_deeply_nested_json_is_noted() -> None:
    assert parse_json(b"{not json", "json").notes == ["not valid JSON: skipped"]
    assert parse_json(b"[" * 100000 + b"]" * 100000, "json").entries == []

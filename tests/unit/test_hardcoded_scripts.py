"""Hard-coded credentials in scripts and configs: each language, each pattern, the traps."""

import hashlib
from pathlib import Path

import pytest

from iotbaseline.checks.base import CheckSettings, ScannedImage
from iotbaseline.checks.hardcoded import HardcodedCredentialsCheck
from iotbaseline.checks.hardcoded.comments import strip_comments
from iotbaseline.checks.masking import mask_password
from iotbaseline.firmware.extract import ExtractionResult
from iotbaseline.firmware.filetype import FileKind, FileType
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from iotbaseline.model import Finding, Outcome

UNIVERSAL = {"EN303645:5.4-3", "EN303645:5.1-1", "PSTI:1"}


def image(tmp_path: Path) -> ScannedImage:
    tree = FirmwareTree(tmp_path, (), (), (), frozenset(), ())
    return ScannedImage("fw.bin", ExtractionResult(tmp_path / "fw.bin", 1, "00", tmp_path, tree, [], [], [], 0.1, 0, 1))


def scan(device_path: str, text: str | bytes, reveal: bool = False) -> list[Finding]:
    """Findings of one file, visited as the runner would; the pass finding left out."""
    content = text.encode() if isinstance(text, str) else text
    kind = FileKind.SCRIPT if content.startswith(b"#!") else FileKind.TEXT
    file = TreeFile(
        "fs/" + device_path, len(content), hashlib.sha256(content).hexdigest(), FileType(kind), 0o755, (), "fs",
        "/" + device_path,
    )  # fmt: skip
    check = HardcodedCredentialsCheck(CheckSettings(reveal=reveal))
    scanned = image(Path("/nonexistent"))
    list(check.start(scanned))
    return list(check.visit(scanned, file, content))


def fails(device_path: str, text: str | bytes) -> list[tuple[int | None, str]]:
    """(line, masked literal) of each FAIL."""
    return [
        (f.location.line, str(f.evidence["literal_masked"]))
        for f in scan(device_path, text)
        if f.outcome is Outcome.FAIL
    ]


# ---- comparisons with a literal password -------------------------------------------------------------


def test_shell_cgi_comparing_the_password_with_a_literal_is_a_universal_login_credential() -> None:
    script = '#!/bin/sh\nread -r body\nif [ "$user" = "admin" ] && [ "$pass" = "ipc@dm1n2019" ]; then\n\techo ok\nfi\n'
    [finding] = scan("www/cgi-bin/login.cgi", script)
    assert finding.outcome is Outcome.FAIL
    assert set(finding.provisions) == UNIVERSAL
    assert finding.location.path == "/www/cgi-bin/login.cgi"
    assert finding.location.line == 3
    assert finding.evidence["user"] == "admin"
    assert finding.evidence["literal_masked"] == "i**********9"
    assert "literal" not in finding.evidence
    assert "ipc@dm1n2019" not in str(finding.to_dict())


def test_the_clear_literal_is_shown_only_when_revealed() -> None:
    [finding] = scan("www/cgi-bin/login.cgi", '#!/bin/sh\n[ "$PASS" != "s3cr3t!" ] && exit 1\n', reveal=True)
    assert finding.evidence["literal"] == "s3cr3t!"


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        ("usr/lib/lua/auth.lua", '#!/usr/bin/lua\nlocal ok = false\nif password == "hunter22" then ok = true end\n', 3),
        ("www/login.php", "<?php\nif ($_POST['pass'] === 'Adm1nPw') { login(); }\n", 2),
        ("www/login.php", '<?php\nif (strcmp($password, "Adm1nPw") == 0) { login(); }\n', 2),
        ("www/js/login.js", 'function ok(pwd) {\n  return pwd === "webadmin9";\n}\n', 2),
        ("usr/bin/auth.py", '#!/usr/bin/env python3\nif passwd == "toor1234":\n    grant()\n', 2),
        ("www/cgi-bin/auth.cgi", '#!/usr/bin/lua\nif form.password ~= "lu4pass" then deny() end\n', 2),
    ],
)
def test_comparison_with_a_literal_password_in_each_language(path: str, text: str, line: int) -> None:
    [(found_line, _)] = fails(path, text)
    assert found_line == line


def test_comparing_with_another_variable_or_a_computed_hash_is_not_a_finding() -> None:
    script = (
        "#!/bin/sh\n"
        'stored=$(grep "^$user:" /mnt/settings/webui.passwd | cut -d: -f2)\n'
        'if [ -n "$stored" ] && [ "$(cryptpw -m sha512 -S "$salt" "$pass")" = "$stored" ]; then echo ok; fi\n'
        '[ "$LATEST" = "$CURRENT" ] && exit 0\n'
        '[ "$(uci -q get dropbear.@dropbear[0].PasswordAuth)" = "off" ] && args="$args -s"\n'
    )
    assert fails("www/cgi-bin/login.cgi", script) == []


# ---- comments, placeholders ---------------------------------------------------------------------------


def test_a_commented_out_telnetd_line_is_not_a_finding() -> None:
    rcs = "#!/bin/sh\n# Bring-up only, keep disabled in release builds:\n#telnetd -l /bin/sh\n  # telnetd -l /bin/sh\n"
    assert scan("etc/init.d/rcS", rcs) == []


@pytest.mark.parametrize(
    ("language_path", "text"),
    [
        ("www/a.js", '// if (pwd === "hunter22") ok();\n/* if (pwd === "hunter22")\n ok(); */\n'),
        ("www/a.php", "<?php\n# if ($pass == 'hunter22') ok();\n// if ($pass == 'hunter22') ok();\n"),
        ("usr/lib/lua/a.lua", '-- if pass == "hunter22" then\n--[[ if pass == "hunter22" then\n]]\n'),
        ("usr/bin/a.py", '# if password == "hunter22":\n'),
        ("etc/app.ini", "; password=hunter22\n# password=hunter22\n"),
        ("etc/app.xml", "<!-- <password>hunter22</password> -->\n"),
    ],
)
def test_commented_out_credentials_are_not_findings_in_any_language(language_path: str, text: str) -> None:
    assert fails(language_path, text) == []


def test_a_hash_sign_inside_a_string_is_not_a_comment() -> None:
    assert fails("www/cgi-bin/a.cgi", '#!/bin/sh\n[ "$pass" = "ab#cd12" ] && ok\n') == [(2, "a*****2")]
    assert strip_comments('x="a # b" # note\n', "shell") == 'x="a # b" \n'


@pytest.mark.parametrize("literal", ["$PASSWORD", "${ADMIN_PASS}", "<password>", "xxx", "", "%s", "@@PASS@@", "***"])
def test_placeholders_are_not_credentials(literal: str) -> None:
    assert (
        fails("etc/init.d/S50app", f'#!/bin/sh\nmysql -u root --password="{literal}" db\nPASSWORD="{literal}"\n') == []
    )


def test_changeme_is_a_weak_default_not_a_placeholder() -> None:
    assert fails("etc/app.conf", "admin_password = changeme\n") == [(1, "c******e")]


def test_masking_keeps_first_and_last_character_of_all_but_very_short_passwords() -> None:
    assert mask_password("ipc@dm1n2019") == "i**********9"
    assert mask_password("abcd") == "a**d"
    assert mask_password("abc") == "***"  # two of three characters would give it away


# ---- command lines --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("mysql -uroot -psecret12 iot", "s******2"),
        ("mysqldump --user=root --password=secret12 iot", "s******2"),
        ("curl -s -u admin:secret12 http://127.0.0.1/api", "s******2"),
        ("wget --http-user=admin --http-password=secret12 http://x/", "s******2"),
        ("sshpass -p 'secret12' ssh root@10.0.0.1", "s******2"),
        ("ftpput -u upload -p secret12 ftp.example.com a b", "s******2"),
        ("mosquitto_pub -h 127.0.0.1 -u hub -P secret12 -t t -m m", "s******2"),
        ("openssl enc -d -aes256 -k secret12 -in a -out b", "s******2"),
        ("smbclient //nas/share -U guest%secret12", "s******2"),
    ],
)
def test_a_literal_password_on_a_command_line_is_a_hard_coded_secret(line: str, masked: str) -> None:
    [finding] = scan("etc/init.d/S80sync", f"#!/bin/sh\n{line}\n")
    assert finding.evidence["literal_masked"] == masked
    assert finding.location.line == 2
    assert "EN303645:5.4-3" in finding.provisions


@pytest.mark.parametrize(
    "line",
    [
        "mkdir -p /var/run",
        "udhcpc -i eth0 -b -p /var/run/udhcpc.pid",
        "start-stop-daemon -S -q -p /var/run/dropbear.pid --exec /usr/sbin/dropbear",
        "/usr/sbin/ntpd -q -p pool.ntp.org",
        'mysql -u root -p"$DB_PASS" iot',
        'curl -u "$USER:$PASS" https://x/',
        "telnetd -l /bin/login",
    ],
)
def test_options_that_are_not_literal_passwords_are_not_findings(line: str) -> None:
    assert fails("etc/init.d/S10x", f"#!/bin/sh\n{line}\n") == []


@pytest.mark.parametrize("line", ["/usr/sbin/telnetd -l /bin/sh &", "exec /bin/login -f root"])
def test_shells_opened_without_any_password_are_not_credentials(line: str) -> None:
    # No password at all: the services checks judge these, knowing whether a boot path runs them.
    assert scan("etc/init.d/rcS", f"#!/bin/sh\nmount -a\n{line}\n") == []


def test_a_password_piped_into_chpasswd_is_the_same_on_every_unit() -> None:
    [finding] = scan("etc/init.d/S01first", "#!/bin/sh\necho 'root:r00tme' | chpasswd\n")
    assert finding.evidence["user"] == "root"
    assert set(finding.provisions) == UNIVERSAL


# ---- URLs, configs, users files -------------------------------------------------------------------------


def test_basic_credentials_in_a_url() -> None:
    [finding] = scan("usr/bin/push.sh", '#!/bin/sh\nwget -q -O - "http://upload:s3cr3t9@cloud.example.com/x"\n')
    assert finding.evidence["rule"] == "url-credentials"
    assert finding.evidence["user"] == "upload"
    assert finding.provisions == ("EN303645:5.4-3",)


def test_credentials_in_a_url_to_the_device_itself_are_a_login() -> None:
    [finding] = scan("etc/stream.conf", "source = rtsp://admin:admin123@127.0.0.1:554/live\n")
    assert set(finding.provisions) == UNIVERSAL


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("etc/nvram.default", "lan_ipaddr=192.168.1.1\nhttp_username=admin\nhttp_passwd=admin\n"),
        ("etc/config/webui", "config login 'admin'\n\toption password 'admin'\n"),
        ("etc/webui/config.json", '{\n  "user": "admin",\n  "admin_password": "admin"\n}\n'),
        ("etc/defaultvalue.xml", "<cfg>\n<admin_password>admin</admin_password>\n</cfg>\n"),
        ("etc/boa/users", "# user:password\nadmin:admin\n"),
    ],
)
def test_web_ui_default_users_in_config_are_universal_logins(path: str, text: str) -> None:
    [finding] = [f for f in scan(path, text) if f.outcome is Outcome.FAIL]
    assert set(finding.provisions) == UNIVERSAL
    assert finding.evidence["literal_masked"] == "a***n"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("etc/mosquitto/mosquitto.conf", "password_file /data/mosquitto/passwd\n"),
        ("etc/config/dropbear", "config dropbear\n\toption PasswordAuth 'on'\n\toption RootPasswordAuth 'on'\n"),
        ("etc/lighttpd/lighttpd.conf", 'auth.backend = "htpasswd"\nauth.backend.htpasswd.userfile = "/etc/x"\n'),
        ("etc/lighttpd/.htpasswd", "admin:$apr1$k8Jd2xQa$abcdefghijklmnopqrstuv\n"),
        ("etc/hub/webui.users", "admin:$2b$10$Vq1kR8mZp2Lx0Tn4Wb7Yse0123456789012345678901234567890\n"),
        ("www/index.html", '<input name="pass" type="password" placeholder="password">\n'),
        ("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
    ],
)
def test_settings_that_name_passwords_without_holding_one_are_not_findings(path: str, text: str) -> None:
    assert fails(path, text) == []


def test_credentials_in_documentation_are_information_not_a_fail() -> None:
    [finding] = scan("usr/share/doc/app/examples/app.conf", "admin_password = admin\n")
    assert finding.outcome is Outcome.INFO


# ---- hostile input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"#!/bin/sh\n" + bytes(range(256)) * 64,
        b"#!/bin/sh\n" + b"a" * 5_000_000,
        b"#!/bin/sh\n" + b'[ "$pass" = "' + b"\xff\xfe" * 100_000 + b'" ]\n',
        b"#!/bin/sh\n" + b'"unterminated ' * 20_000 + b"\n" + b"x=" * 100_000,
        b'{"password": "' + b"\\" * 200_000,
        b"\xc3\x28 password=\xa0\xa1\n" * 1000,
        b"#!/bin/sh\nmysql -p'unclosed\ncurl -u 'a:\n",
    ],
)
def test_hostile_content_never_crashes(content: bytes) -> None:
    for path in ("www/cgi-bin/x.cgi", "etc/x.conf", "www/x.js", "etc/x.json", "etc/config/x"):
        scan(path, content)


def test_the_pass_finding_says_what_was_examined(tmp_path: Path) -> None:
    check = HardcodedCredentialsCheck()
    scanned = image(tmp_path)
    list(check.start(scanned))
    for index, (path, kind) in enumerate([("etc/init.d/rcS", FileKind.SCRIPT), ("etc/app.conf", FileKind.TEXT)]):
        file = TreeFile(f"fs/{path}", 1, str(index), FileType(kind), 0o644, (), "fs", "/" + path)
        list(check.visit(scanned, file, b"#!/bin/sh\necho hi\n" if kind is FileKind.SCRIPT else b"a = 1\n"))
    [finding] = check.finish(scanned)
    assert finding.outcome is Outcome.PASS
    assert finding.title == "examined 1 scripts and 1 config files; no hard-coded credentials"


def test_a_prompt_text_in_a_password_setting_is_not_a_password() -> None:
    openssl_cnf = "[ req_attributes ]\nchallengePassword\t\t= A challenge password\nchallengePassword_min = 4\n"
    assert fails("etc/ssl/openssl.cnf", openssl_cnf) == []

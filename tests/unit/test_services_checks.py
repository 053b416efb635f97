"""The service checks on tiny images: each planted weakness of the corpus is a FAIL at its file and
line, with its provisions; each trap gives none; the configuration is judged only for services that
start."""

from collections.abc import Mapping
from pathlib import Path

import pytest

from iotbaseline.model import Finding, Outcome
from iotbaseline.services import (
    BackdoorCheck,
    BootServicesCheck,
    DebugInterfacesCheck,
    NetworkServicesCheck,
    ServiceConfigCheck,
)
from tests.corpus.features import (
    DROPBEAR_KEYS_ONLY,
    MQTT_ANONYMOUS,
    SERIAL_ROOT_SHELL,
    SNMP_PUBLIC,
    SNMP_UCI_DISABLED,
    TELNET_COMMENTED,
)
from tests.unit.services_fixtures import INITTAB, RCS_LOOP, Content, Link, fails, scan, skel, template

ELF = b"\x7fELF\x01\x01\x01" + bytes(32)


def image(
    rcs: str = "#!/bin/sh\nmount -a\n", inittab: str = INITTAB, files: Mapping[str, Content] | None = None
) -> dict[str, Content]:
    return {"etc/inittab": inittab, "etc/init.d/rcS": rcs, **(files or {})}


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.evidence.get("rule") == rule]


# ---- network services ---------------------------------------------------------------------------------------


def test_the_planted_telnet_shell_is_a_network_shell_without_authentication(tmp_path: Path) -> None:
    rcs = (
        skel("base/etc/init.d/rcS")
        + "# Factory test station: open a root shell on the network for the test jig.\ntelnetd -l /bin/sh\n"
    )
    [finding] = fails(scan(NetworkServicesCheck(), tmp_path, image(rcs)))
    assert (finding.location.path, finding.location.line) == ("/etc/init.d/rcS", rcs.count("\n"))
    assert finding.provisions == ("EN303645:5.5-4", "EN303645:5.5-5")
    assert finding.evidence["quoted"] == "telnetd -l /bin/sh"
    assert finding.evidence["service"]["via"] == ["/etc/inittab:1"]
    assert "telnetd -l /bin/sh" in finding.detail and finding.evidence["remediation"]


def test_the_commented_out_telnetd_of_the_corpus_gives_no_finding(tmp_path: Path) -> None:
    rcs = skel("base/etc/init.d/rcS") + template(TELNET_COMMENTED)
    for check in (NetworkServicesCheck(), BackdoorCheck()):
        assert scan(check, tmp_path / check.id, image(rcs)) == []


def test_telnetd_with_login_is_a_cleartext_remote_login(tmp_path: Path) -> None:
    [finding] = fails(scan(NetworkServicesCheck(), tmp_path, image("#!/bin/sh\n/usr/sbin/telnetd -p 23\n")))
    assert finding.evidence["rule"] == "telnet"
    assert set(finding.provisions) == {"EN303645:5.5-7", "EN303645:5.6-5"}


def test_a_telnetd_started_under_an_undecided_condition_is_information(tmp_path: Path) -> None:
    findings = scan(NetworkServicesCheck(), tmp_path, image("#!/bin/sh\n[ -f /tmp/factory ] && telnetd -l /bin/sh\n"))
    assert fails(findings) == []
    [finding] = findings
    assert finding.outcome is Outcome.INFO and finding.evidence["service"]["conditional"] is True
    assert finding.title.endswith("under a condition the firmware does not decide")


def test_a_telnetd_in_an_init_script_nothing_starts_is_no_finding(tmp_path: Path) -> None:
    files = image(RCS_LOOP, files={"etc/init.d/telnet": "#!/bin/sh\ntelnetd -l /bin/sh\n"})
    assert scan(NetworkServicesCheck(), tmp_path, files) == []


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("tcpsvd -vE 0.0.0.0 21 ftpd -w /srv", "ftp"),
        ("udpsvd -vE 0 69 tftpd /srv/tftp", "tftp"),
        ("nc -ll -p 2323 -e /bin/sh", "network-shell"),
        ("socat TCP-LISTEN:23,fork EXEC:/bin/sh,pty,stderr", "network-shell"),
        ("/usr/sbin/in.rlogind", "r-services"),
    ],
)
def test_other_dangerous_network_services(tmp_path: Path, line: str, rule: str) -> None:
    [finding] = fails(scan(NetworkServicesCheck(), tmp_path, image(f"#!/bin/sh\n{line} &\n")))
    assert finding.evidence["rule"] == rule and finding.location.line == 2


def test_miniupnpd_without_secure_mode_lets_lan_hosts_open_the_firewall(tmp_path: Path) -> None:
    conf = "ext_ifname=eth0\nlisten=br-lan\nenable_upnp=yes\nsecure_mode=no\n"
    files = image(
        "#!/bin/sh\nminiupnpd -f /etc/miniupnpd.conf\n", files={"etc/miniupnpd.conf": conf, "usr/sbin/miniupnpd": ELF}
    )
    [finding] = fails(scan(NetworkServicesCheck(), tmp_path / "open", files))
    assert (finding.location.path, finding.location.line, finding.provisions) == (
        "/etc/miniupnpd.conf",
        4,
        ("EN303645:5.5-5",),
    )
    files["etc/miniupnpd.conf"] = conf.replace("secure_mode=no", "secure_mode=yes")
    findings = scan(NetworkServicesCheck(), tmp_path / "secure", files)
    assert [f.outcome for f in findings] == [Outcome.INFO]


# ---- debug interfaces ----------------------------------------------------------------------------------------


def test_the_planted_serial_root_shell_is_a_debug_interface_left_open(tmp_path: Path) -> None:
    inittab = skel("base/etc/inittab").replace("@@CONSOLE@@", dict(SERIAL_ROOT_SHELL.variables)["CONSOLE"])
    [finding] = fails(scan(DebugInterfacesCheck(), tmp_path, image(inittab=inittab)))
    assert (finding.location.path, finding.location.line) == ("/etc/inittab", 6)
    assert finding.provisions == ("EN303645:5.6-4",)
    assert finding.evidence["quoted"] == "::askfirst:-/bin/sh"


@pytest.mark.parametrize(
    "entry",
    [
        "ttyS0::respawn:/bin/sh",
        "ttyS0::respawn:/sbin/getty -n -l /bin/sh -L ttyS0 115200 vt100",
        "::respawn:/bin/login -f root",
        "T0:2345:respawn:/sbin/agetty --autologin root ttyS0 115200",
        "console::askfirst:-/bin/ash",
    ],
)
def test_console_shells_without_login(tmp_path: Path, entry: str) -> None:
    [finding] = fails(scan(DebugInterfacesCheck(), tmp_path, image(inittab=f"::sysinit:/etc/init.d/rcS\n{entry}\n")))
    assert finding.evidence["rule"] == "console-shell" and finding.location.line == 2


@pytest.mark.parametrize(
    "entry",
    [
        "ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100",
        "::sysinit:/bin/sh /etc/init.d/rcS",
        "::once:/bin/sh -c 'mdev -s'",
    ],
)
def test_a_login_prompt_or_a_script_run_by_sh_is_not_a_console_shell(tmp_path: Path, entry: str) -> None:
    findings = scan(DebugInterfacesCheck(), tmp_path, image(inittab=f"{entry}\n"))
    assert fails(findings) == []
    assert all(f.evidence["rule"] == "console-login" for f in findings)


def test_a_kernel_command_line_with_a_shell_as_init(tmp_path: Path) -> None:
    env = b"bootdelay=1\x00bootargs=console=ttyS0,115200 root=/dev/mtdblock2 init=/bin/sh\x00bootcmd=bootm\x00"
    files = image(
        files={"../uboot-env.bin": env, "../board.dtb": b"\xd0\x0d\xfe\xed" + b"console=ttyS0 rdinit=/sbin/init\x00"}
    )
    [finding] = fails(scan(DebugInterfacesCheck(), tmp_path, files))
    assert finding.evidence["parameter"] == "init=/bin/sh"
    assert finding.location.offset == env.index(b"init=/bin/sh")


def test_adbd_with_insecure_properties(tmp_path: Path) -> None:
    files = image(
        "#!/bin/sh\n/sbin/adbd &\n", files={"sbin/adbd": ELF, "default.prop": "ro.adb.secure=0\nro.debuggable=1\n"}
    )
    [finding] = fails(scan(DebugInterfacesCheck(), tmp_path, files))
    assert finding.evidence["rule"] == "adb-insecure"
    assert set(finding.provisions) == {"EN303645:5.6-4", "EN303645:5.5-4"}


# ---- service configuration -------------------------------------------------------------------------------------


def snmp_image(extra: Mapping[str, Content]) -> dict[str, Content]:
    return image(
        skel("base/etc/init.d/rcS"),
        files={
            "etc/snmp/snmpd.conf": template(SNMP_PUBLIC, 0)
            .replace("@@VENDOR_DOMAIN@@", "x")
            .replace("@@HOSTNAME@@", "h"),
            "etc/rc.common": skel("router/etc/rc.common"),
            "usr/sbin/snmpd": ELF,
            **extra,
        },
    )


def test_the_planted_snmp_public_community_is_found_in_snmpd_conf(tmp_path: Path) -> None:
    files = snmp_image({"etc/init.d/snmpd": template(SNMP_PUBLIC, 1), "etc/rc.d/S50snmpd": Link("../init.d/snmpd")})
    [finding] = fails(scan(ServiceConfigCheck(), tmp_path, files))
    assert (finding.location.path, finding.location.line) == ("/etc/snmp/snmpd.conf", 3)
    assert finding.evidence["community"] == "public" and finding.evidence["quoted"] == "rocommunity public default"
    assert finding.provisions == ("EN303645:5.6-2", "EN303645:5.5-4")


def test_an_snmp_configuration_whose_agent_never_starts_is_no_finding(tmp_path: Path) -> None:
    # The corpus trap: /etc/config/snmpd with community public, switched off, and no agent started.
    files = snmp_image({"etc/config/snmpd": template(SNMP_UCI_DISABLED), "etc/init.d/snmpd": template(SNMP_PUBLIC, 1)})
    assert scan(ServiceConfigCheck(), tmp_path, files) == []


def test_snmp_communities_for_the_loopback_only_and_write_communities(tmp_path: Path) -> None:
    conf = "rocommunity public 127.0.0.1\nrwcommunity private default\n"
    files = image("#!/bin/sh\nsnmpd -c /etc/snmpd.conf\n", files={"etc/snmpd.conf": conf, "usr/sbin/snmpd": ELF})
    [finding] = fails(scan(ServiceConfigCheck(), tmp_path, files))
    assert finding.evidence["rule"] == "snmp-write-community" and finding.location.line == 2


def hub_image(conf: str) -> dict[str, Content]:
    return image(
        RCS_LOOP,
        files={
            "etc/init.d/S50mosquitto": skel("hub/etc/init.d/S50mosquitto"),
            "etc/mosquitto/mosquitto.conf": conf,
            "usr/sbin/mosquitto": ELF,
        },
    )


def test_the_planted_anonymous_mqtt_broker(tmp_path: Path) -> None:
    findings = scan(ServiceConfigCheck(), tmp_path, hub_image(template(MQTT_ANONYMOUS)))
    [finding] = fails(findings)
    assert (finding.location.path, finding.location.line) == ("/etc/mosquitto/mosquitto.conf", 8)
    assert finding.provisions == ("EN303645:5.5-4",) and finding.evidence["port"] == "1883"
    [listen] = only(findings, "listens-everywhere")
    assert listen.location.line == 7 and listen.outcome is Outcome.INFO


def test_the_hub_broker_with_passwords_and_tls_is_no_finding(tmp_path: Path) -> None:
    assert scan(ServiceConfigCheck(), tmp_path, hub_image(skel("hub/etc/mosquitto/mosquitto.conf"))) == []


@pytest.mark.parametrize(
    ("conf", "expected"),
    [
        ("listener 1883 127.0.0.1\nallow_anonymous true\n", []),
        (
            "per_listener_settings true\nlistener 1883 127.0.0.1\nallow_anonymous true\nlistener 8883\n",
            ["mqtt-anonymous-default"],
        ),
        (
            "per_listener_settings true\nlistener 8883\nallow_anonymous false\nlistener 1883\nallow_anonymous true\n",
            ["mqtt-anonymous"],
        ),
        ("allow_anonymous true\nlistener 1883\nallow_anonymous false\n", []),  # global: the last value wins
        ("listener 1883\n", ["mqtt-anonymous-default"]),
        ("pid_file /var/run/m.pid\n", ["mqtt-anonymous-default"]),  # no listener: depends on the version
    ],
)
def test_mosquitto_anonymous_semantics(tmp_path: Path, conf: str, expected: list[str]) -> None:
    findings = scan(ServiceConfigCheck(), tmp_path, hub_image(conf))
    assert [f.evidence["rule"] for f in findings if f.evidence["rule"] != "listens-everywhere"] == expected


def dropbear_image(args: str) -> dict[str, Content]:
    script = skel("camera/etc/init.d/S40dropbear").replace("@@DROPBEAR_ARGS@@", args)
    return image(RCS_LOOP, files={"etc/init.d/S40dropbear": script, "usr/sbin/dropbear": ELF})


def test_the_dropbear_keys_only_trap_is_no_failure_and_shows_what_was_read(tmp_path: Path) -> None:
    args = dict(DROPBEAR_KEYS_ONLY.variables)["DROPBEAR_ARGS"]
    [finding] = scan(ServiceConfigCheck(), tmp_path, dropbear_image(args))
    assert finding.outcome is Outcome.INFO and finding.evidence["rule"] == "ssh-keys-only"
    assert finding.evidence["passwords"] is False
    assert "DROPBEAR_ARGS='-s -g' (/etc/init.d/S40dropbear line 4)" in finding.detail


@pytest.mark.parametrize(
    ("args", "rule"),
    [("", "ssh-root-password"), ("-g", "ssh-password"), ("-w", "ssh-password"), ("-sB", "ssh-keys-only")],
)
def test_dropbear_flags(tmp_path: Path, args: str, rule: str) -> None:
    [finding] = scan(ServiceConfigCheck(), tmp_path, dropbear_image(args))
    assert finding.evidence["rule"] == rule and finding.outcome is Outcome.INFO


def test_openwrt_dropbear_reads_its_uci_switches(tmp_path: Path) -> None:
    files = image(
        skel("base/etc/init.d/rcS"),
        files={
            "etc/rc.common": skel("router/etc/rc.common"),
            "etc/init.d/dropbear": skel("router/etc/init.d/dropbear"),
            "etc/rc.d/S50dropbear": Link("../init.d/dropbear"),
            "etc/config/dropbear": "config dropbear\n\toption PasswordAuth 'off'\n\toption Port '22'\n",
            "usr/sbin/dropbear": ELF,
        },
    )
    [finding] = scan(ServiceConfigCheck(), tmp_path, files)
    assert finding.evidence["rule"] == "ssh-keys-only"
    assert finding.evidence["service"]["argv"] == [
        "/usr/sbin/dropbear",
        "-P",
        "/var/run/dropbear.pid",
        "-p",
        "22",
        "-s",
    ]


@pytest.mark.parametrize(
    ("config", "rule"),
    [
        ("", "ssh-password"),
        ("PermitRootLogin yes\n", "ssh-root-password"),
        ("PasswordAuthentication no\nPermitRootLogin yes\n", "ssh-keys-only"),
        ("PasswordAuthentication no\nPasswordAuthentication yes\n", "ssh-keys-only"),  # the first value wins
        ("Match User support\n\tPasswordAuthentication no\n", "ssh-password"),
        ("PermitEmptyPasswords yes\n", "ssh-empty-password"),
    ],
)
def test_openssh_configuration_with_its_defaults(tmp_path: Path, config: str, rule: str) -> None:
    files = image("#!/bin/sh\n/usr/sbin/sshd\n", files={"etc/ssh/sshd_config": config, "usr/sbin/sshd": ELF})
    [finding] = scan(ServiceConfigCheck(), tmp_path, files)
    assert finding.evidence["rule"] == rule


def lighttpd_image(conf: str) -> dict[str, Content]:
    return image(
        RCS_LOOP,
        files={
            "etc/init.d/S50lighttpd": skel("camera/etc/init.d/S50lighttpd"),
            "etc/lighttpd/lighttpd.conf": conf,
            "usr/sbin/lighttpd": ELF,
        },
    )


def test_lighttpd_without_a_user_keeps_root(tmp_path: Path) -> None:
    conf = skel("extras/lighttpd-camera-root.conf")
    [finding] = fails(scan(ServiceConfigCheck(), tmp_path, lighttpd_image(conf)))
    assert (finding.location.path, finding.location.line) == ("/etc/lighttpd/lighttpd.conf", None)
    assert finding.provisions == ("EN303645:5.6-7",)


def test_lighttpd_with_a_user_and_a_wildcard_bind(tmp_path: Path) -> None:
    findings = scan(ServiceConfigCheck(), tmp_path, lighttpd_image(skel("hub/etc/lighttpd/lighttpd.conf")))
    assert fails(findings) == []
    assert [(f.evidence["rule"], f.location.line) for f in findings] == [("listens-everywhere", 5)]


@pytest.mark.parametrize(("line", "failing"), [("httpd -h /www", True), ("httpd -h /www -u www-data", False)])
def test_busybox_httpd_needs_a_user(tmp_path: Path, line: str, failing: bool) -> None:
    findings = scan(ServiceConfigCheck(), tmp_path, image(f"#!/bin/sh\n{line}\n"))
    assert bool(fails(findings)) is failing


# ---- backdoors and shells outside the boot path -----------------------------------------------------------


def test_a_known_backdoor_string_in_a_program(tmp_path: Path) -> None:
    binary = ELF + b"\x00Mozilla\x00xmlset_roodkcableoj28840ybtide\x00" + bytes(8)
    [finding] = fails(scan(BackdoorCheck(), tmp_path, image(files={"bin/webs": binary})))
    assert finding.evidence["cve"] == "CVE-2013-6026"
    assert finding.location.offset == binary.index(b"xmlset")


def test_a_backdoor_marker_inside_a_longer_word_is_not_a_finding(tmp_path: Path) -> None:
    binary = ELF + b"\x00my_w302r_mfgx\x00" + bytes(8)
    assert scan(BackdoorCheck(), tmp_path, image(files={"bin/webs": binary})) == []


def test_a_program_that_starts_telnetd_with_a_shell(tmp_path: Path) -> None:
    binary = ELF + b"\x00factory mode\x00telnetd -l /bin/sh &\x00" + bytes(16)
    [finding] = fails(scan(BackdoorCheck(), tmp_path, image(files={"usr/bin/factoryd": binary})))
    assert finding.evidence["rule"] == "shell-command"
    assert finding.location.offset == binary.index(b"telnetd")


def test_a_cgi_script_that_opens_a_shell_is_found_and_a_boot_script_is_left_to_the_boot_model(tmp_path: Path) -> None:
    cgi = '#!/bin/sh\necho "Content-Type: text/plain"\necho\n# debug switch\nbusybox telnetd -l /bin/sh -p 2323\n'
    files = image("#!/bin/sh\ntelnetd -l /bin/login\n", files={"www/cgi-bin/debug.cgi": cgi})
    [finding] = fails(scan(BackdoorCheck(), tmp_path / "cgi", files))
    assert (finding.location.path, finding.location.line) == ("/www/cgi-bin/debug.cgi", 5)
    assert finding.provisions == ("EN303645:5.5-4",)
    in_rcs = image("#!/bin/sh\ntelnetd -l /bin/sh\n")
    assert fails(scan(BackdoorCheck(), tmp_path / "rcs", in_rcs)) == []


# ---- inventory ---------------------------------------------------------------------------------------------


def test_the_inventory_lists_what_starts_and_what_does_not(tmp_path: Path) -> None:
    files = image(
        RCS_LOOP, files={"etc/init.d/S10net": "#!/bin/sh\nudhcpc -i eth0\n", "etc/init.d/debug": "#!/bin/sh\ntelnetd\n"}
    )
    [finding] = scan(BootServicesCheck(), tmp_path, files)
    assert finding.outcome is Outcome.INFO and finding.provisions == ("EN303645:5.6-1", "EN303645:5.6-5")
    started = [s["name"] for s in finding.evidence["services"]]
    not_started = [s["name"] for s in finding.evidence["not_started"]]
    assert started == ["udhcpc", "getty"] and not_started == ["telnetd"]
    assert "/etc/inittab" in finding.evidence["sources"]


@pytest.mark.parametrize(
    ("path", "text", "line"),
    [
        ("etc/inetd.sh", "#!/bin/sh\nexec /bin/login -f root\n", 2),
        (
            "usr/lib/lua/debug.lua",
            '#!/usr/bin/lua\n-- os.execute("telnetd -l /bin/sh")\nos.execute("telnetd -l /bin/sh &")\n',
            3,
        ),
        ("www/debug.php", "<?php\n// system('utelnetd -l /bin/ash');\nsystem('busybox utelnetd -l /bin/ash');\n", 3),
    ],
)
def test_shells_opened_by_scripts_in_any_language(tmp_path: Path, path: str, text: str, line: int) -> None:
    [finding] = fails(scan(BackdoorCheck(), tmp_path, image(files={path: text})))
    assert (finding.location.path, finding.location.line) == (f"/{path}", line)


def test_a_shell_command_in_documentation_is_not_a_finding(tmp_path: Path) -> None:
    files = image(files={"usr/share/doc/busybox/telnetd.txt": "Example: telnetd -l /bin/sh\n"})
    assert scan(BackdoorCheck(), tmp_path, files) == []

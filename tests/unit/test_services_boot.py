"""What starts at boot, for each init system, and the traps: a commented-out line, a disabled uci
section, a script nothing links, a masked unit are not started."""

from pathlib import Path

from iotbaseline.services.boot import BootReading
from iotbaseline.services.init_system import InitKind
from iotbaseline.services.model import BootService, How
from tests.corpus.features import (
    DROPBEAR_KEYS_ONLY,
    SERIAL_ROOT_SHELL,
    SNMP_PUBLIC,
    SNMP_UCI_DISABLED,
    TELNET_COMMENTED,
)
from tests.unit.services_fixtures import INITTAB, RCS_LOOP, Content, Link, boot, skel, template

ELF = b"\x7fELF\x01\x01\x01" + bytes(32)


def named(reading: BootReading, name: str) -> list[BootService]:
    return [s for s in reading.services if s.name == name]


def started(reading: BootReading) -> list[str]:
    return [s.name for s in reading.enabled]


# ---- BusyBox init and rcS ----------------------------------------------------------------------------------


def test_busybox_inittab_rcs_loop_and_init_scripts(tmp_path: Path) -> None:
    reading = boot(
        tmp_path,
        {
            "etc/inittab": skel("base/etc/inittab").replace(
                "@@CONSOLE@@", "ttyS0::respawn:/sbin/getty -L ttyS0 115200"
            ),
            "etc/init.d/rcS": skel("base/etc/init.d/rcS"),
            "etc/init.d/S50lighttpd": skel("camera/etc/init.d/S50lighttpd"),
            "usr/sbin/lighttpd": ELF,
        },
    )
    assert reading.init.kind is InitKind.BUSYBOX
    [lighttpd] = named(reading, "lighttpd")
    assert lighttpd.argv == ("/usr/sbin/lighttpd", "-f", "/etc/lighttpd/lighttpd.conf")
    assert (lighttpd.how, lighttpd.source, lighttpd.line) == (How.SYSV, "/etc/init.d/S50lighttpd", 7)
    assert lighttpd.via == ("/etc/inittab:3", "/etc/init.d/rcS:16")
    [getty] = named(reading, "getty")
    assert (getty.how, getty.tty, getty.line) == (How.INITTAB, "ttyS0", 6)
    assert {"syslogd", "klogd"} <= set(started(reading))
    assert "reboot" not in started(reading) and "umount" not in started(reading)  # shutdown actions


def test_the_commented_out_telnetd_of_the_corpus_is_not_started(tmp_path: Path) -> None:
    rcs = skel("base/etc/init.d/rcS") + template(TELNET_COMMENTED)
    reading = boot(tmp_path, {"etc/inittab": INITTAB, "etc/init.d/rcS": rcs})
    assert named(reading, "telnetd") == []
    assert "/etc/init.d/rcS" in reading.sources  # read, and nothing found in it


def test_the_planted_telnetd_is_started_by_rcs_at_its_line(tmp_path: Path) -> None:
    rcs = skel("base/etc/init.d/rcS") + "# Factory test station\ntelnetd -l /bin/sh\n"
    reading = boot(tmp_path, {"etc/inittab": INITTAB, "etc/init.d/rcS": rcs})
    [telnetd] = named(reading, "telnetd")
    assert telnetd.enabled and not telnetd.conditional
    assert (telnetd.how, telnetd.line, telnetd.program) == (How.RCS, rcs.count("\n"), "/usr/sbin/telnetd")


def test_busybox_init_without_inittab_opens_askfirst_shells(tmp_path: Path) -> None:
    reading = boot(tmp_path, {"etc/init.d/rcS": "#!/bin/sh\nsyslogd\n"})
    shells = named(reading, "sh")
    assert sorted(s.tty for s in shells) == ["", "tty2", "tty3", "tty4"]
    assert all(s.source == "/sbin/init" and s.how is How.INITTAB for s in shells)
    assert "syslogd" in started(reading)


def test_the_serial_root_shell_of_the_corpus_is_an_inittab_entry(tmp_path: Path) -> None:
    inittab = skel("base/etc/inittab").replace("@@CONSOLE@@", dict(SERIAL_ROOT_SHELL.variables)["CONSOLE"])
    reading = boot(tmp_path, {"etc/inittab": inittab, "etc/init.d/rcS": "#!/bin/sh\n"})
    [shell] = named(reading, "sh")
    assert (shell.line, shell.tty, shell.text) == (6, "", "::askfirst:-/bin/sh")


def test_a_script_without_the_executable_bit_is_skipped_by_the_rcs_loop(tmp_path: Path) -> None:
    files: dict[str, Content] = {
        "etc/inittab": INITTAB,
        "etc/init.d/rcS": RCS_LOOP,
        "etc/init.d/S20telnet": "#!/bin/sh\ntelnetd\n",
        "etc/init.d/S30ntp": "#!/bin/sh\nntpd\n",
    }
    reading = boot(tmp_path, files, modes={"etc/init.d/S20telnet": 0o644})
    [telnetd] = named(reading, "telnetd")
    assert not telnetd.enabled and telnetd.why_disabled is not None
    assert named(reading, "ntpd")[0].enabled


def test_wrappers_are_seen_through(tmp_path: Path) -> None:
    script = (
        "#!/bin/sh\n"
        "start-stop-daemon -S -q -p /var/run/d.pid --exec /usr/sbin/dropbear -- -R -s\n"
        "start-stop-daemon -K -q -p /var/run/d.pid\n"
        "nohup nice -n 5 /usr/bin/agent -d &\n"
        "busybox telnetd -p 2323\n"
    )
    reading = boot(tmp_path, {"etc/inittab": INITTAB, "etc/init.d/rcS": script})
    assert [(s.name, s.argv) for s in reading.enabled if s.how is How.RCS] == [
        ("dropbear", ("/usr/sbin/dropbear", "-R", "-s")),
        ("agent", ("/usr/bin/agent", "-d")),
        ("telnetd", ("telnetd", "-p", "2323")),
    ]


def test_the_corpus_dropbear_script_expands_its_arguments(tmp_path: Path) -> None:
    script = skel("camera/etc/init.d/S40dropbear").replace(
        "@@DROPBEAR_ARGS@@", dict(DROPBEAR_KEYS_ONLY.variables)["DROPBEAR_ARGS"]
    )
    reading = boot(tmp_path, {"etc/inittab": INITTAB, "etc/init.d/rcS": RCS_LOOP, "etc/init.d/S40dropbear": script})
    [dropbear] = named(reading, "dropbear")
    assert dropbear.argv == ("/usr/sbin/dropbear", "-R", "-s", "-g")
    assert dropbear.assignments == (("DROPBEAR_ARGS", "-s -g", "/etc/init.d/S40dropbear", 4),)


# ---- SysV init ------------------------------------------------------------------------------------------------


def test_sysv_runlevel_links_start_only_for_the_default_runlevel(tmp_path: Path) -> None:
    inittab = (
        "id:3:initdefault:\nsi::sysinit:/etc/init.d/rcS\nl3:3:wait:/etc/init.d/rc 3\nl5:5:wait:/etc/init.d/rc 5\n"
        "T0:23:respawn:/sbin/getty -L ttyS0 115200 vt100\nT1:5:respawn:/sbin/getty tty1\n"
    )
    files: dict[str, Content] = {
        "sbin/init": ELF,
        "etc/inittab": inittab,
        "etc/init.d/rcS": "#!/bin/sh\nmount -a\n",
        "etc/init.d/rc": "#!/bin/sh\n# the SysV rc program\n",
        "etc/init.d/sshd": "#!/bin/sh\ncase $1 in start) /usr/sbin/sshd ;; esac\n",
        "etc/init.d/telnet": "#!/bin/sh\ncase $1 in start) /usr/sbin/telnetd ;; esac\n",
        "etc/rc3.d/S20sshd": Link("../init.d/sshd"),
        "etc/rc5.d/S30telnet": Link("../init.d/telnet"),
    }
    reading = boot(tmp_path, files)
    assert reading.init.kind is InitKind.SYSVINIT
    [sshd] = named(reading, "sshd")
    assert sshd.enabled and sshd.how is How.SYSV and "/etc/rc3.d/S20sshd" in sshd.via
    [telnetd] = named(reading, "telnetd")
    assert not telnetd.enabled
    gettys = {s.tty: s.enabled for s in named(reading, "getty")}
    assert gettys == {"ttyS0": True, "tty1": False}


# ---- OpenWrt ----------------------------------------------------------------------------------------------------

PROCD_SNMPD = """#!/bin/sh /etc/rc.common
START=50
USE_PROCD=1
PROG=/usr/sbin/snmpd

start_service() {
	procd_open_instance
	procd_set_param command $PROG -Lf /dev/null -f
	procd_append_param command -c /var/run/snmpd.conf
	procd_set_param respawn
	procd_close_instance
}
"""


# OpenWrt's console wrapper: a root shell unless system.@system[0].ttylogin is 1.
LOGIN_SH = '#!/bin/sh\n[ "$(uci -q get system.@system[0].ttylogin)" = 1 ] || exec /bin/ash --login\nexec /bin/login\n'


def openwrt(extra: dict[str, Content]) -> dict[str, Content]:
    return {
        "sbin/procd": ELF,
        "sbin/init": ELF,
        "etc/inittab": "::sysinit:/etc/init.d/rcS S boot\n::askconsole:/usr/libexec/login.sh\n",
        "etc/init.d/rcS": "#!/bin/sh\n# procd runs the rc.d links itself\n",
        "etc/rc.common": "#!/bin/sh\n",
        "usr/libexec/login.sh": LOGIN_SH,
        "usr/sbin/snmpd": ELF,
        **extra,
    }


def test_procd_instances_give_the_command_line(tmp_path: Path) -> None:
    reading = boot(tmp_path, openwrt({"etc/init.d/snmpd": PROCD_SNMPD, "etc/rc.d/S50snmpd": Link("../init.d/snmpd")}))
    assert reading.init.kind is InitKind.PROCD
    [snmpd] = named(reading, "snmpd")
    assert snmpd.enabled and snmpd.how is How.PROCD
    assert snmpd.argv == ("/usr/sbin/snmpd", "-Lf", "/dev/null", "-f", "-c", "/var/run/snmpd.conf")
    assert (snmpd.source, snmpd.line) == ("/etc/init.d/snmpd", 8)


def test_an_init_script_without_a_start_link_is_not_started(tmp_path: Path) -> None:
    reading = boot(tmp_path, openwrt({"etc/init.d/snmpd": PROCD_SNMPD}))
    [snmpd] = named(reading, "snmpd")
    assert not snmpd.enabled and "no start link" in (snmpd.why_disabled or "")


def test_the_disabled_uci_section_of_the_corpus_turns_the_service_off(tmp_path: Path) -> None:
    files = openwrt(
        {
            "etc/init.d/snmpd": PROCD_SNMPD,
            "etc/rc.d/S50snmpd": Link("../init.d/snmpd"),
            "etc/config/snmpd": template(SNMP_UCI_DISABLED),
        }
    )
    [snmpd] = named(boot(tmp_path, files), "snmpd")
    assert not snmpd.enabled
    assert "/etc/config/snmpd line 10: option enabled '0'" in (snmpd.why_disabled or "")


def test_the_uci_console_login_setting_decides_the_console_program(tmp_path: Path) -> None:
    with_login = boot(tmp_path / "on", openwrt({"etc/config/system": "config system\n\toption ttylogin '1'\n"}))
    assert [s.name for s in with_login.enabled if s.how is How.INITTAB] == ["login", "login.sh"]
    without = boot(tmp_path / "off", openwrt({"etc/config/system": "config system\n\toption ttylogin '0'\n"}))
    [shell, _] = [s for s in without.enabled if s.how is How.INITTAB]
    assert (shell.name, shell.argv, shell.conditional) == ("ash", ("/bin/ash", "--login"), False)
    assert shell.via == ("/etc/inittab:2",)


def test_the_corpus_snmpd_rc_common_script_and_link(tmp_path: Path) -> None:
    files: dict[str, Content] = {
        "etc/inittab": INITTAB,
        "etc/init.d/rcS": skel("base/etc/init.d/rcS"),
        "etc/rc.common": skel("router/etc/rc.common"),
        "etc/init.d/snmpd": template(SNMP_PUBLIC, 1),
        "etc/rc.d/S50snmpd": Link("../init.d/snmpd"),
        "usr/sbin/snmpd": ELF,
    }
    [snmpd] = named(boot(tmp_path, files), "snmpd")
    assert snmpd.enabled and snmpd.how is How.PROCD
    assert snmpd.argv == ("/usr/sbin/snmpd", "-Lsd", "-c", "/etc/snmp/snmpd.conf", "-p", "/var/run/snmpd.pid")


# ---- systemd ----------------------------------------------------------------------------------------------------

UNIT = "[Unit]\nDescription={0}\n[Service]\nExecStart={1}\n[Install]\nWantedBy=multi-user.target\n"


def systemd(extra: dict[str, Content]) -> dict[str, Content]:
    return {
        "lib/systemd/systemd": ELF,
        "sbin/init": Link("/lib/systemd/systemd"),
        "lib/systemd/system/multi-user.target": "[Unit]\nRequires=basic.target\n",
        "etc/systemd/system/default.target": Link("/lib/systemd/system/multi-user.target"),
        "etc/inittab": "::askfirst:-/bin/sh\n",
        **extra,
    }


def test_systemd_units_are_started_when_a_wants_link_enables_them(tmp_path: Path) -> None:
    files = systemd(
        {
            "lib/systemd/system/hubd.service": UNIT.format("hub", "/usr/bin/hubd --port 8080"),
            "etc/systemd/system/multi-user.target.wants/hubd.service": Link("/lib/systemd/system/hubd.service"),
            "lib/systemd/system/telnetd.service": UNIT.format("telnet", "/usr/sbin/telnetd -F"),
            "lib/systemd/system/debug.service": UNIT.format(
                "debug", "-/bin/sh -c 'exec /usr/sbin/telnetd -F -l /bin/sh'"
            ),
            "etc/systemd/system/debug.service": Link("/dev/null"),
            "etc/systemd/system/multi-user.target.wants/debug.service": Link("/lib/systemd/system/debug.service"),
        }
    )
    reading = boot(tmp_path, files)
    assert reading.init.kind is InitKind.SYSTEMD
    [hubd] = named(reading, "hubd")
    assert hubd.enabled and hubd.how is How.SYSTEMD and hubd.argv == ("/usr/bin/hubd", "--port", "8080")
    assert (hubd.source, hubd.line) == ("/lib/systemd/system/hubd.service", 4)
    telnets = named(reading, "telnetd")
    assert {(s.argv, s.enabled) for s in telnets} == {
        (("/usr/sbin/telnetd", "-F"), False),
        (("/usr/sbin/telnetd", "-F", "-l", "/bin/sh"), False),
    }
    reasons = {s.why_disabled for s in telnets}
    assert any("masked" in (r or "") for r in reasons) and any("not enabled" in (r or "") for r in reasons)
    # systemd does not read /etc/inittab
    [shell] = named(reading, "sh")
    assert not shell.enabled and "does not read /etc/inittab" in (shell.why_disabled or "")


def test_a_socket_starts_its_service_on_demand(tmp_path: Path) -> None:
    files = systemd(
        {
            "lib/systemd/system/telnet.socket": (
                "[Socket]\nListenStream=23\nAccept=yes\n[Install]\nWantedBy=sockets.target\n"
            ),
            "lib/systemd/system/telnet@.service": "[Service]\nExecStart=-/usr/sbin/in.telnetd\nStandardInput=socket\n",
            "etc/systemd/system/sockets.target.wants/telnet.socket": Link("/lib/systemd/system/telnet.socket"),
        }
    )
    [telnetd] = named(boot(tmp_path, files), "in.telnetd")
    assert telnetd.enabled and "telnet.socket" in " ".join(telnetd.via)


# ---- inetd and cron ----------------------------------------------------------------------------------------------


def test_inetd_services_run_only_when_inetd_is_started(tmp_path: Path) -> None:
    inetd_conf = (
        "telnet stream tcp nowait root /usr/sbin/telnetd telnetd -i\n#ftp stream tcp nowait root /usr/sbin/ftpd ftpd\n"
    )
    base: dict[str, Content] = {
        "etc/inittab": INITTAB,
        "etc/inetd.conf": inetd_conf,
        "usr/sbin/inetd": Link("/bin/busybox"),
    }
    off = boot(tmp_path / "off", {**base, "etc/init.d/rcS": "#!/bin/sh\nsyslogd\n"})
    [telnetd] = named(off, "telnetd")
    assert not telnetd.enabled and telnetd.why_disabled == "inetd is not started at boot"
    on = boot(tmp_path / "on", {**base, "etc/init.d/rcS": "#!/bin/sh\ninetd\n"})
    [telnetd] = named(on, "telnetd")
    assert telnetd.enabled and telnetd.how is How.INETD and telnetd.argv == ("/usr/sbin/telnetd", "-i")
    assert named(on, "ftpd") == []


def test_xinetd_disable_yes_turns_a_service_off(tmp_path: Path) -> None:
    files: dict[str, Content] = {
        "etc/inittab": INITTAB,
        "etc/init.d/rcS": "#!/bin/sh\nxinetd\n",
        "etc/xinetd.conf": "defaults\n{\n}\nincludedir /etc/xinetd.d\n",
        "etc/xinetd.d/telnet": "service telnet\n{\n\tdisable = yes\n\tserver = /usr/sbin/in.telnetd\n}\n",
        "etc/xinetd.d/tftp": "service tftp\n{\n\tserver = /usr/sbin/in.tftpd\n\tserver_args = -s /srv\n}\n",
    }
    reading = boot(tmp_path, files)
    assert [(s.name, s.enabled) for s in reading.services if s.how is How.INETD] == [
        ("in.telnetd", False),
        ("in.tftpd", True),
    ]


def test_cron_jobs_run_only_when_a_cron_daemon_is_started(tmp_path: Path) -> None:
    crontab = "# m h dom mon dow command\n*/5 * * * * /usr/sbin/ntpd -q -p pool.ntp.org >/dev/null 2>&1\n"
    off = boot(
        tmp_path / "off", {"etc/inittab": INITTAB, "etc/init.d/rcS": "#!/bin/sh\n", "etc/crontabs/root": crontab}
    )
    assert [(s.name, s.enabled, s.line) for s in off.services if s.how is How.CRON] == [("ntpd", False, 2)]
    on = boot(
        tmp_path / "on", {"etc/inittab": INITTAB, "etc/init.d/rcS": "#!/bin/sh\ncrond\n", "etc/crontabs/root": crontab}
    )
    [job] = [s for s in on.services if s.how is How.CRON]
    assert job.enabled and job.argv == ("/usr/sbin/ntpd", "-q", "-p", "pool.ntp.org")


# ---- hostile boot configurations ------------------------------------------------------------------------------


def test_scripts_that_run_and_source_each_other_in_a_loop_end(tmp_path: Path) -> None:
    files: dict[str, Content] = {
        "etc/inittab": INITTAB + "::respawn:/etc/init.d/rcS\n",
        "etc/init.d/rcS": "#!/bin/sh\n. /etc/init.d/rcS\n/etc/init.d/S10a start\nfor f in /*/*/*; do $f start; done\n",
        "etc/init.d/S10a": "#!/bin/sh\n/etc/init.d/S20b start\nudhcpc\n",
        "etc/init.d/S20b": "#!/bin/sh\n/etc/init.d/S10a start\nntpd\n",
        "etc/init.d/loop": Link("loop"),
        "etc/inetd.conf": "x" * 100_000 + "\n" + "telnet stream tcp nowait root\n",
    }
    reading = boot(tmp_path, files)
    assert {"udhcpc", "ntpd"} <= set(started(reading))


def test_a_damaged_unit_and_a_damaged_inittab_are_read_as_far_as_they_go(tmp_path: Path) -> None:
    files: dict[str, Content] = {
        "etc/inittab": "\x00\xff::::\n:::\n::respawn\n" + INITTAB,
        "etc/init.d/rcS": b"#!/bin/sh\n\xff\xfe\x00\nsyslogd\n",
        "lib/systemd/system/x.service": "[Service\nExecStart=\n[Service]\nExecStart=/usr/bin/x \\\n",
        "etc/systemd/system/multi-user.target.wants/x.service": Link("/lib/systemd/system/x.service"),
    }
    reading = boot(tmp_path, files)
    assert "getty" in started(reading)
    assert [s.enabled for s in named(reading, "x")] == [False]  # units are not run by BusyBox init

"""The one shell reader's layers where the two former readers differed: each case is what the shell
itself does, and what a reader that got it wrong would report instead."""

import time
from pathlib import Path

import pytest

from iotbaseline.services.boot_data import default_boot_data
from iotbaseline.services.device_files import DeviceFiles
from iotbaseline.shell import ScriptFlow, parse_script
from iotbaseline.shell.language import is_code, language_of
from iotbaseline.shell.run import Executed, ShellReader
from iotbaseline.shell.syntax import parse
from tests.unit.services_fixtures import Content, make_tree, rootfs


def run(tmp_path: Path, script: str, files: dict[str, Content] | None = None) -> list[Executed]:
    tree = make_tree(tmp_path, {"etc/init.d/S50test": script, **(files or {})})
    reader = ShellReader(DeviceFiles(tree, rootfs(tree)), default_boot_data().variable_setters)
    return reader.run("/etc/init.d/S50test", ["start"]).executed


def gated_tools(script: str, checker: str) -> list[str]:
    flow = ScriptFlow(parse_script(script))
    step = next(s for s in flow.steps if s.command.tool == checker)
    return [s.command.tool for s in flow.steps if s.order in flow.gated_by(step) and s.command.words]


# ---- the command list -----------------------------------------------------------------------------------


def test_an_elif_is_not_the_else_of_the_first_condition() -> None:
    # a failed signature check falls through to the forced flash: it does not stop the reboot
    script = (
        "if usign -V -m f -p k; then\n  mtd write f firmware\nelif [ -f /tmp/force ]; then\n"
        "  sysupgrade f\nelse\n  exit 1\nfi\nreboot\n"
    )
    assert gated_tools(script, "usign") == ["mtd"]


def test_a_file_descriptor_is_not_a_word_and_a_digit_argument_is() -> None:
    [echo, kill] = parse_script("echo 1 > /sys/class/gpio/gpio12/value\nkillall x 2>/dev/null\n").commands
    assert (echo.words, echo.redirects) == (("echo", "1"), ((">", "/sys/class/gpio/gpio12/value"),))
    assert (kill.words, kill.redirects) == (("killall", "x"), ((">", "/dev/null"),))


@pytest.mark.parametrize(
    "script",
    [
        "usign -V -m f -p k &\n[ $? -eq 0 ] || exit 1\nmtd write f firmware\n",
        "set -e\nusign -V -m f -p k &\nmtd write f firmware\n",
    ],
)
def test_a_check_run_in_the_background_gates_nothing(script: str) -> None:
    assert gated_tools(script, "usign") == []


def test_commands_substituted_into_a_for_list_are_listed() -> None:
    script = "for url in $(wget -q -O - http://h/list); do\n  echo $url\ndone\n"
    [fetch] = [c for c in parse_script(script).commands if c.substituted]
    assert (fetch.line, fetch.words) == (1, ("wget", "-q", "-O", "-", "http://h/list"))


def test_an_unknown_value_keeps_its_default_unknown_but_an_unset_one_gives_it() -> None:
    script = "ip=$(uci get network.lan.ipaddr)\nifconfig br-lan ${ip:-192.168.1.1}\nping ${GW:-192.168.1.254}\n"
    commands = [c.words for c in parse_script(script).commands if c.words and not c.substituted]
    assert commands == [("ifconfig", "br-lan", "${ip:-192.168.1.1}"), ("ping", "192.168.1.254")]


# ---- a run --------------------------------------------------------------------------------------------


def test_an_exit_in_the_background_does_not_end_the_script(tmp_path: Path) -> None:
    executed = run(tmp_path, "#!/bin/sh\n{ sleep 5; exit 0; } &\ntelnetd -l /bin/sh\n")
    assert [(e.argv[0], e.conditional) for e in executed] == [("sleep", False), ("telnetd", False)]


@pytest.mark.parametrize(("content", "conditional"), [("", True), ("on\n", False)])
def test_a_size_test_on_an_empty_file_is_undecided(tmp_path: Path, content: str, conditional: bool) -> None:
    [executed] = run(tmp_path, "#!/bin/sh\n[ -s /etc/telnet.enable ] && telnetd\n", {"etc/telnet.enable": content})
    assert executed.conditional is conditional


def test_a_value_that_doubles_on_every_line_becomes_unknown(tmp_path: Path) -> None:
    [executed] = run(tmp_path, "#!/bin/sh\nX=abcdefgh\n" + 'X="$X$X"\n' * 60 + "prog $X\n")
    assert executed.argv == ("prog", "$X") and executed.unresolved


def test_deep_nesting_through_recursion_ends_without_exhausting_the_stack(tmp_path: Path) -> None:
    body = "if true; then\n" * 60 + "f\nprog\n" + "fi\n" * 60
    executed = run(tmp_path, f"#!/bin/sh\nf() {{\n{body}}}\nf\ntelnetd\n")
    assert executed[-1].argv == ("telnetd",) and executed[-1].conditional


# ---- hostile text costs time in proportion to its length --------------------------------------------------------


@pytest.mark.parametrize("text", ["\\\n" * 50_000, "$(\n" * 50_000, '"$(\n' * 40_000])
def test_constructs_left_open_on_every_line_are_read_in_linear_time(text: str) -> None:
    started = time.perf_counter()
    parse(text)
    parse_script(text)
    assert time.perf_counter() - started < 20  # the boot model's former tokenizer took one to four minutes


# ---- the language table ------------------------------------------------------------------------------------


def test_one_language_table_serves_every_check() -> None:
    assert language_of("/lib/upgrade/do_flash", b"mtd write /tmp/fw firmware\n") == "shell"
    assert language_of("usr/bin/agent", b"#!/usr/bin/env lua\n") == "lua"
    assert language_of("/etc/ssl/ca.pem", b"") is None
    assert is_code("shell") and is_code("lua") and not is_code("ini") and not is_code("config")

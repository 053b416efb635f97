"""Reading shell scripts statically: tokens, syntax, and a run that expands what it can and marks
what it cannot decide as conditional. Nothing is executed."""

from collections.abc import Mapping
from pathlib import Path

import pytest

from iotbaseline.services.boot_data import default_boot_data
from iotbaseline.services.device_files import DeviceFiles
from iotbaseline.shell.run import Executed, ShellReader
from iotbaseline.shell.syntax import parse, simple_commands
from iotbaseline.shell.tokens import TokenKind, tokenize
from tests.unit.services_fixtures import make_tree, rootfs


def run(
    tmp_path: Path, script: str, args: tuple[str, ...] = ("start",), files: Mapping[str, str] | None = None
) -> list[Executed]:
    tree = make_tree(tmp_path, {"etc/init.d/S50test": script, **(files or {})})
    reader = ShellReader(DeviceFiles(tree, rootfs(tree)), default_boot_data().variable_setters)
    return reader.run("/etc/init.d/S50test", list(args)).executed


def commands(executed: list[Executed]) -> list[str]:
    return [" ".join(e.argv) for e in executed]


# ---- tokens and syntax ----------------------------------------------------------------------------------------


def test_comments_quotes_and_continuations_are_read_as_the_shell_reads_them() -> None:
    text = 'echo "a # not a comment" \\\n  second # a comment\n#telnetd -l /bin/sh\n'
    words = [t.word.literal for t in tokenize(text) if t.kind is TokenKind.WORD and t.word is not None]
    assert words == ["echo", "a # not a comment", "second"]


def test_here_document_lines_are_data_not_commands() -> None:
    script = "cat > /etc/x.conf <<EOF\ntelnetd -l /bin/sh\nEOF\nudhcpc -i eth0\n"
    lines = [(c.line, c.words[0].literal) for c in simple_commands(parse(script))]
    assert lines == [(1, "cat"), (4, "udhcpc")]


def test_line_numbers_survive_multi_line_quotes() -> None:
    script = 'A="one\ntwo"\nlogger "$A"\n'
    assert [c.line for c in simple_commands(parse(script))] == [1, 3]


@pytest.mark.parametrize(
    "text",
    [
        'if [ "$x" = 1 ]; then\n echo "unclosed\n',
        "fi\ndone\nesac\n)\n;;\n",
        "case $1 in\nstart\n",
        "f() {\n",
        "$(((((\n`\n'\n\\",
        "\x00\xff\x01 garbage \x7f",
    ],
)
def test_malformed_scripts_parse_without_raising(text: str) -> None:
    list(simple_commands(parse(text)))


def test_deep_nesting_is_bounded() -> None:
    parse("{ " * 5000 + "echo x" + " }" * 5000)


# ---- a run ----------------------------------------------------------------------------------------------------


def test_variables_set_in_the_script_are_expanded_into_separate_words(tmp_path: Path) -> None:
    script = '#!/bin/sh\nDROPBEAR_ARGS="-s -g"\n/usr/sbin/dropbear -R $DROPBEAR_ARGS\n'
    [executed] = run(tmp_path, script)
    assert executed.argv == ("/usr/sbin/dropbear", "-R", "-s", "-g")
    assert executed.assignments == (("DROPBEAR_ARGS", "-s -g", "/etc/init.d/S50test", 2),)


def test_an_empty_variable_disappears_and_a_quoted_one_stays_one_word(tmp_path: Path) -> None:
    executed = run(tmp_path, '#!/bin/sh\nX=""\nY="a b"\nprog $X "$Y" ${Z:-dflt}\n')
    assert executed[0].argv == ("prog", "a b", "dflt")


def test_case_takes_the_branch_of_the_action(tmp_path: Path) -> None:
    script = (
        "#!/bin/sh\n"
        + 'case "$1" in\nstart|restart)\n\tsnmpd -c /etc/snmpd.conf\n\t;;\nstop)\n\tkillall snmpd\n\t;;\nesac\n'
    )
    assert commands(run(tmp_path / "start", script)) == ["snmpd -c /etc/snmpd.conf"]
    assert commands(run(tmp_path / "stop", script, ("stop",))) == ["killall snmpd"]


def test_a_switch_set_off_in_the_script_keeps_the_command_from_running(tmp_path: Path) -> None:
    script = '#!/bin/sh\nENABLE_TELNET=0\n[ "$ENABLE_TELNET" = "1" ] && telnetd -l /bin/sh\nudhcpc\n'
    assert commands(run(tmp_path, script)) == ["udhcpc"]


def test_a_switch_in_a_sourced_defaults_file_is_read(tmp_path: Path) -> None:
    script = '#!/bin/sh\n. /etc/default/telnet\nif [ "$TELNET" = yes ]; then\n  telnetd $TELNET_ARGS\nfi\n'
    executed = run(tmp_path, script, files={"etc/default/telnet": 'TELNET=yes\nTELNET_ARGS="-p 2323"\n'})
    assert commands(executed) == ["telnetd -p 2323"]
    assert not executed[0].conditional


def test_a_condition_on_a_file_created_at_run_time_makes_the_command_conditional(tmp_path: Path) -> None:
    [executed] = run(tmp_path, "#!/bin/sh\n[ -f /tmp/debug ] && telnetd\n")
    assert executed.conditional


def test_an_unknown_value_is_shown_as_written_and_marked(tmp_path: Path) -> None:
    [executed] = run(tmp_path, "#!/bin/sh\nPORT=$(nvram get port)\nserver -p $PORT\n")
    assert executed.argv == ("server", "-p", "$PORT")
    assert executed.unresolved


def test_nothing_after_an_unconditional_exit_runs(tmp_path: Path) -> None:
    assert commands(run(tmp_path, "#!/bin/sh\nudhcpc\nexit 0\ntelnetd -l /bin/sh\n")) == ["udhcpc"]


def test_an_early_exit_under_a_condition_makes_the_rest_conditional(tmp_path: Path) -> None:
    executed = run(tmp_path, "#!/bin/sh\n[ -f /etc/ipcam/wifi.conf ] && exit 0\ndnsmasq\n")
    assert [(e.argv[0], e.conditional) for e in executed] == [("dnsmasq", True)]


def test_functions_run_when_called(tmp_path: Path) -> None:
    script = "#!/bin/sh\nstart_daemon() {\n\t/usr/bin/agent --port $1\n}\nunused() { telnetd; }\nstart_daemon 8080\n"
    assert commands(run(tmp_path, script)) == ["/usr/bin/agent --port 8080"]


def test_for_loops_iterate_over_the_files_the_image_holds(tmp_path: Path) -> None:
    script = '#!/bin/sh\nfor f in /etc/hooks/*.sh; do\n\trun-hook "$f"\ndone\n'
    executed = run(tmp_path / "none", script, files={"etc/hooks/a_sh": "", "etc/hooks/b_sh": ""})
    assert commands(executed) == []  # no file matches: the loop does not run
    executed = run(tmp_path / "two", script, files={"etc/hooks/a.sh": "", "etc/hooks/b.sh": ""})
    assert commands(executed) == ["run-hook /etc/hooks/a.sh", "run-hook /etc/hooks/b.sh"]


def test_recursion_is_bounded(tmp_path: Path) -> None:
    executed = run(tmp_path, "#!/bin/sh\nf() { prog; f; }\nf\n")
    assert 1 <= len(executed) <= 64


def test_parameter_trimming_gives_the_script_name(tmp_path: Path) -> None:
    [executed] = run(tmp_path, '#!/bin/sh\nname="${0##*/}"\nlogger -t "$name"\n')
    assert executed.argv == ("logger", "-t", "S50test")

"""Reading shell scripts without running them: lines, expansion, structure, and which commands a
failed check stops."""

from iotbaseline.shell import ScriptFlow, parse_script
from iotbaseline.shell.options import OptionSpec, read_arguments


def words(script: str) -> list[tuple[int, tuple[str, ...]]]:
    return [(c.line, c.words) for c in parse_script(script).commands if c.words]


def gated_tools(script: str, checker: str) -> list[str]:
    """The tools of the steps that run only when the first `checker` command succeeded."""
    flow = ScriptFlow(parse_script(script))
    step = next(s for s in flow.steps if s.command.tool == checker)
    gated = flow.gated_by(step)
    return [s.command.tool for s in flow.steps if s.order in gated and s.command.words]


# ---- lines and words ------------------------------------------------------------------------------------


def test_comment_lines_and_trailing_comments_are_not_commands() -> None:
    script = "#!/bin/sh\n# mtd write /tmp/fw firmware\necho ok # mtd write x y\nURL=http://h/#frag\n"
    assert words(script) == [(3, ("echo", "ok"))]


def test_literal_variables_are_expanded_and_unknown_ones_kept() -> None:
    script = 'SERVER="http://update.example.com/fw"\nLATEST=$(cat /etc/v)\nwget -O /tmp/f "$SERVER/$LATEST/f.bin"\n'
    assert words(script)[-1] == (3, ("wget", "-O", "/tmp/f", "http://update.example.com/fw/$LATEST/f.bin"))


def test_an_unquoted_variable_holding_a_command_splits_into_words() -> None:
    script = 'FETCH="curl -fsS --cacert /etc/ca.crt"\n$FETCH -o /tmp/f https://h/f\n'
    assert words(script)[-1][1] == ("curl", "-fsS", "--cacert", "/etc/ca.crt", "-o", "/tmp/f", "https://h/f")


def test_braced_defaults_and_command_substitutions() -> None:
    script = 'URL=${UPDATE_URL:-http://h/fw.bin}\nV=$(wget -q -O - "$URL")\n'
    commands = parse_script(script).commands
    inner = [c for c in commands if c.substituted]
    assert inner[0].words == ("wget", "-q", "-O", "-", "http://h/fw.bin")
    assert inner[0].line == 2


def test_continuation_lines_join_and_keep_the_first_line_number() -> None:
    script = "curl -k \\\n\t-s https://h/x\nnext\n"
    assert words(script) == [(1, ("curl", "-k", "-s", "https://h/x")), (3, ("next",))]


def test_here_document_bodies_are_data() -> None:
    script = "cat > /tmp/x <<'EOF'\nmtd write /tmp/fw firmware\nEOF\necho done\n"
    assert [w for _, w in words(script)] == [("cat",), ("echo", "done")]


def test_case_patterns_are_not_commands() -> None:
    script = 'case "$1" in\nstart)\n\tdaemon &\n\t;;\nstop) killall daemon ;;\nesac\n'
    assert [w for _, w in words(script)] == [("daemon",), ("killall", "daemon")]


def test_hostile_input_does_not_raise() -> None:
    for text in ("'unclosed", 'a "b', "$(((((", "`x", "if then fi done esac }}}", "\\", "f() {" * 100):
        parse_script(text)


def test_clustered_short_options_and_values() -> None:
    spec = OptionSpec({"-o": "output", "-H": "header"}, clustered=True)
    arguments = read_arguments(["-fsSk", "-o/tmp/x", "-H", "Authorization: x", "https://h"], spec)
    assert {"-f", "-s", "-S", "-k"} <= arguments.flags
    assert arguments.first("output") == "/tmp/x"
    assert arguments.positional == ("https://h",)


# ---- flow: what a failed check stops ----------------------------------------------------------------------


def test_or_exit_gates_everything_after() -> None:
    script = "openssl dgst -verify k -signature s f || exit 1\nmtd write f firmware\n"
    assert gated_tools(script, "openssl") == ["mtd"]


def test_or_brace_group_that_exits_gates() -> None:
    script = 'usign -V -p k -m f || { logger "bad"; exit 1; }\nmtd write f firmware\n'
    assert "mtd" in gated_tools(script, "usign")


def test_negated_if_with_exit_gates() -> None:
    script = "if ! openssl pkeyutl -verify -in f; then\n  rm f\n  exit 1\nfi\nmtd write f firmware\n"
    assert "mtd" in gated_tools(script, "openssl")


def test_positive_if_gates_its_then_part_only() -> None:
    script = "if usign -V -m f -p k; then\n  mtd write f firmware\nfi\nsysupgrade f\n"
    assert gated_tools(script, "usign") == ["mtd"]


def test_a_check_whose_result_is_ignored_gates_nothing() -> None:
    script = "openssl dgst -verify k -signature s f\nmtd write f firmware\n"
    assert gated_tools(script, "openssl") == []


def test_set_e_makes_a_plain_check_gate() -> None:
    script = "set -e\nopenssl dgst -verify k -signature s f\nmtd write f firmware\n"
    assert gated_tools(script, "openssl") == ["mtd"]


def test_a_negated_if_without_exit_gates_nothing() -> None:
    script = 'if ! usign -V -m f -p k; then\n  logger "unsigned image"\nfi\nmtd write f firmware\n'
    assert gated_tools(script, "usign") == []


def test_and_chain_gates_the_chain() -> None:
    script = "usign -V -m f -p k && mtd write f firmware\nreboot\n"
    assert gated_tools(script, "usign") == ["mtd"]


def test_status_test_after_the_check_gates() -> None:
    script = "usign -V -m f -p k\nif [ $? -ne 0 ]; then exit 1; fi\nmtd write f firmware\n"
    assert "mtd" in gated_tools(script, "usign")


def test_a_function_that_returns_the_check_gates_at_its_call_site() -> None:
    script = (
        "verify() {\n  openssl dgst -sha256 -verify /etc/k.pem -signature $1.sig $1\n}\n"
        "flash() {\n  mtd write $1 firmware\n}\n"
        "verify /tmp/fw || exit 1\nflash /tmp/fw\n"
    )
    assert "mtd" in gated_tools(script, "openssl")


def test_die_function_that_exits_counts_as_an_abort() -> None:
    script = 'die() {\n  echo "$1"\n  exit 1\n}\nusign -V -m f -p k || die "bad signature"\nmtd write f firmware\n'
    assert "mtd" in gated_tools(script, "usign")

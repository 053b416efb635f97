"""A security.txt's bytes as numbered lines: UTF-8 without a BOM, lines ended by LF or CRLF (RFC 9116 section 4).

Problems are reported, and reading goes on: a file with a BOM or CR-only line ends is still split and its fields
checked, so one report lists everything to fix.
"""

import codecs
import re
from dataclasses import dataclass

from iotbaseline.documents.security_txt_model import Problem
from iotbaseline.documents.security_txt_rules import SecurityTxtRules

_LINE_END = re.compile(r"(\r\n|\n|\r)")
# C0 controls except tab, DEL and C1 controls: not printable text (RFC 5322 VCHAR / WSP, RFC 6532 UTF-8).
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Line:
    number: int
    """1-based, counting every line end (CR alone included)."""
    text: str
    """Without its line end."""
    ending: str
    """`\\n`, `\\r\\n`, `\\r`, or empty for a last line without one."""


@dataclass(frozen=True)
class DecodedText:
    lines: tuple[Line, ...]
    problems: tuple[Problem, ...]


def decode_lines(content: bytes, rules: SecurityTxtRules) -> DecodedText:
    problems: list[Problem] = []
    if content.startswith(codecs.BOM_UTF8):
        problems.append(rules.problem("bom_in_file", 1))
        content = content[len(codecs.BOM_UTF8) :]
    text = _decode(content, rules, problems)
    lines = _split(text)
    problems += _line_end_problems(lines, rules)
    problems += _control_problems(lines, rules)
    return DecodedText(lines=lines, problems=tuple(problems))


def _decode(content: bytes, rules: SecurityTxtRules, problems: list[Problem]) -> str:
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(_LINE_END.findall(content[: error.start].decode("utf-8", errors="replace"))) + 1
        problems.append(rules.problem("utf8", line))
        return content.decode("utf-8", errors="replace")


def _split(text: str) -> tuple[Line, ...]:
    parts = _LINE_END.split(text)
    lines: list[Line] = []
    for index in range(0, len(parts), 2):
        body = parts[index]
        ending = parts[index + 1] if index + 1 < len(parts) else ""
        if not body and not ending:
            break  # the empty remainder after the last line end
        lines.append(Line(number=len(lines) + 1, text=body, ending=ending))
    return tuple(lines)


def _line_end_problems(lines: tuple[Line, ...], rules: SecurityTxtRules) -> list[Problem]:
    problems: list[Problem] = []
    cr_only = [line for line in lines if line.ending == "\r"]
    if cr_only:
        problems.append(rules.problem("cr_line_separator", cr_only[0].number, count=len(cr_only)))
    endings = {line.ending for line in lines}
    if {"\n", "\r\n"} <= endings:
        problems.append(rules.problem("mixed_line_separators", None))
    if lines and not lines[-1].ending:
        problems.append(rules.problem("no_line_separators", lines[-1].number))
    return problems


def _control_problems(lines: tuple[Line, ...], rules: SecurityTxtRules) -> list[Problem]:
    problems: list[Problem] = []
    for line in lines:
        found = _CONTROL.search(line.text)
        if found:
            problems.append(rules.problem("control_character", line.number, value=f"U+{ord(found.group()):04X}"))
    return problems

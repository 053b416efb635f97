"""A shell script as logical lines: comments removed, `\\` continuations and multi-line quotes joined,
here-document bodies left out (they are data the script writes, not commands it runs).

Line numbers stay those of the file, so a finding can quote the line it came from.
"""

import re
from dataclasses import dataclass

from iotbaseline.checks.hardcoded.comments import strip_comments

MAX_LINES = 50_000
MAX_LOGICAL_CHARS = 16_384
MAX_JOINED_LINES = 64
_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")


@dataclass(frozen=True)
class LogicalLine:
    number: int
    """1-based number of the line it starts on."""
    text: str


def logical_lines(text: str) -> list[LogicalLine]:
    code = strip_comments(text, "shell").split("\n")[:MAX_LINES]
    lines: list[LogicalLine] = []
    index = 0
    while index < len(code):
        start = index
        buffer = code[index]
        while _incomplete(buffer) and index + 1 < len(code) and index - start < MAX_JOINED_LINES:
            buffer = buffer[:-1] if _continues(buffer) else buffer + "\n"
            index += 1
            buffer += code[index]
        lines.append(LogicalLine(start + 1, buffer[:MAX_LOGICAL_CHARS]))
        index += 1
        for match in _HEREDOC.finditer(buffer):
            index = _after_heredoc(code, index, match.group(3), strip_tabs=match.group(1) == "-")
    return lines


def _incomplete(buffer: str) -> bool:
    return _continues(buffer) or _open_quote(buffer)


def _continues(buffer: str) -> bool:
    """Ends with an unescaped backslash outside single quotes."""
    trailing = len(buffer) - len(buffer.rstrip("\\"))
    return trailing % 2 == 1 and not _open_quote(buffer[:-1], single_only=True)


def _open_quote(buffer: str, single_only: bool = False) -> bool:
    quote = ""
    escaped = False
    for char in buffer:
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            if char == quote:
                quote = ""
        elif char == "'" or (char == '"' and not single_only):
            quote = char
    return bool(quote)


def _after_heredoc(code: list[str], index: int, delimiter: str, strip_tabs: bool) -> int:
    while index < len(code):
        line = code[index].lstrip("\t") if strip_tabs else code[index]
        index += 1
        if line.rstrip() == delimiter:
            break
    return index

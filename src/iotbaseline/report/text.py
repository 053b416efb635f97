"""Hostile text made showable.

Firmware chooses its file names, banners and strings. A report shows them exactly enough to find them again, but
none of them may break the report's file format or mislead its reader: undecodable bytes, control characters and
bidirectional overrides ("Trojan Source") are shown as visible escapes. Format-specific escaping (HTML, XML,
Markdown) is applied on top of this by each renderer.
"""

import re

_UNSHOWABLE = re.compile(
    "["
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 and C1 controls except tab, newline and carriage return
    "\r"  # shown, since XML and Markdown would turn it into a line break
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional marks, embeddings, overrides and isolates
    "\ud800-\udfff"  # lone surrogates: the undecodable bytes of a name read with surrogateescape
    "\ufffe\uffff"  # noncharacters XML 1.0 refuses
    "]"
)
_LINE_BREAKS = re.compile("[\t\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the original byte of the name
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every character that cannot be shown or stored as it is replaced by a visible escape (`\\x1b`,
    `\\u202e`; an undecodable byte of a file name as `\\xff`). Tabs and newlines are kept. The result encodes to
    UTF-8 and is valid XML 1.0 character data."""
    return _UNSHOWABLE.sub(_escape, text)


def one_line(text: str) -> str:
    """`visible(text)` with tabs and newlines shown as `\\t` and `\\n`, for table cells and attributes."""
    return _LINE_BREAKS.sub(lambda m: "\\t" if m.group() == "\t" else "\\n", visible(text))

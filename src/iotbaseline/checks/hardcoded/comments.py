"""Comments removed per language, line numbers kept: a commented-out line is not a finding.

One regular expression per language matches string literals (kept, so that `#` or `//` inside a
string is not taken for a comment) and comments (replaced by their newlines only).
"""

import re
from collections.abc import Mapping

_DQ = r'"(?:[^"\\\n]|\\.)*"'
_SQ = r"'(?:[^'\\\n]|\\.)*'"
_BQ = r"`(?:[^`\\]|\\.)*`"
_C_BLOCK = r"/\*.*?\*/"
_LINE = r"[^\n]*"

# (strings, comments) per language; the comment group is what is removed.
_SYNTAX: Mapping[str, tuple[str, str]] = {
    # shell: # starts a comment only at the start of a word ($# and ${#x} are not comments)
    "shell": (f"{_DQ}|{_SQ}", rf"(?:(?<=[\s;&|(])|^)#{_LINE}"),
    "python": (r'"""(?:.|\n)*?"""|' + r"'''(?:.|\n)*?'''|" + f"{_DQ}|{_SQ}", rf"#{_LINE}"),
    "perl": (f"{_DQ}|{_SQ}", rf"(?:(?<=[\s;])|^)#{_LINE}"),
    "lua": (f"{_DQ}|{_SQ}", rf"--\[(=*)\[(?:.|\n)*?\]\1\]|--{_LINE}"),
    "php": (f"{_DQ}|{_SQ}", rf"{_C_BLOCK}|//{_LINE}|#(?!\[){_LINE}"),
    "javascript": (f"{_DQ}|{_SQ}|{_BQ}", rf"{_C_BLOCK}|//{_LINE}"),
    "html": ("", r"<!--.*?-->"),
    "xml": ("", r"<!--.*?-->"),
    "json": ("", ""),
    # configs: only whole-line comments (an inline # may be part of a password)
    "uci": ("", rf"^[ \t]*#{_LINE}"),
    "ini": ("", rf"^[ \t]*[#;]{_LINE}"),
    "config": ("", rf"^[ \t]*[#;]{_LINE}"),
}


def _compile(strings: str, comments: str) -> re.Pattern[str] | None:
    if not comments:
        return None
    pattern = f"(?P<string>{strings})|(?P<comment>{comments})" if strings else f"(?P<comment>{comments})"
    return re.compile(pattern, re.MULTILINE | re.DOTALL)


_COMPILED = {language: _compile(*syntax) for language, syntax in _SYNTAX.items()}


def strip_comments(text: str, language: str) -> str:
    """`text` with every comment of `language` blanked out; the same number of lines."""
    pattern = _COMPILED.get(language, _COMPILED["config"])
    if pattern is None:
        return text
    return pattern.sub(_keep_strings, text)


def _keep_strings(match: re.Match[str]) -> str:
    if match.group("comment") is None:
        return match.group(0)
    return "\n" * match.group(0).count("\n")

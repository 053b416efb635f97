"""Credentials written in the text of scripts and configs: comparisons with a literal password,
password-named variables and keys set to a literal, user:password in URLs and users files.

Every function takes one file's text with its comments already removed (so line numbers are the
file's own) and yields CredentialHits.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from iotbaseline.checks.hardcoded.hits import CredentialHit, Rule
from iotbaseline.checks.hardcoded.literals import is_literal, is_password_name, is_prose, is_user_name, name_words
from iotbaseline.checks.hardcoded.patterns import CredentialPatterns
from iotbaseline.shell.language import is_code

MAX_LINE = 4096
"""Longer lines are examined up to this length (minified JavaScript, binary junk)."""

_QUOTED = r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'"
_BARE = r"[^\s=!~<>&|;,()]+"
_SHELL_BARE = r"[^\s=!<>&|;,()\]]+"
_OPERAND = rf"(?:{_QUOTED}|{_BARE})"
_SHELL_OPERAND = rf"(?:{_QUOTED}|{_SHELL_BARE})"
_CODE_COMPARISON = re.compile(
    rf"(?P<left>{_OPERAND})\s*(?P<op>===|!==|==|!=|~=|(?<=\s)(?:eq|ne)(?=\s))\s*(?P<right>{_OPERAND})"
)
_SHELL_COMPARISON = re.compile(rf"(?P<left>{_SHELL_OPERAND})\s+(?P<op>==?|!=)\s+(?P<right>{_SHELL_OPERAND})")
_COMPARE_CALL = re.compile(
    rf"\b(?:strcmp|strcasecmp|strncmp|strncasecmp|hash_equals|equals|equalsIgnoreCase|compare)\s*\(\s*"
    rf"(?P<left>{_OPERAND})\s*,\s*(?P<right>{_OPERAND})"
)
_VARIABLE_TAIL = re.compile(r"([A-Za-z_]\w*)[\"'\]}]*$")

_SHELL_ASSIGNMENT = re.compile(
    r"(?:^|(?<=[\s;&|(]))(?:(?:export|local|readonly)\s+)?(?P<key>[A-Za-z_]\w*)="
    r"(?P<value>\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|[^\s;&|)]+)"
)
_CODE_ASSIGNMENT = re.compile(
    rf"(?P<key>\$?[A-Za-z_][\w.]*|\"[A-Za-z_][\w.-]*\"|'[A-Za-z_][\w.-]*')\s*(?:=>|:|(?<![=!<>~.])=(?!=))\s*"
    rf"(?P<value>{_QUOTED})"
)
_UCI_OPTION = re.compile(r"^\s*option\s+(?P<key>\S+)\s+(?P<value>'[^'\n]*'|\"[^\"\n]*\"|\S+)\s*$")
_UCI_SECTION = re.compile(r"^\s*config\s+(?P<section>\S+)(?:\s+(?P<name>\S+))?")
_INI_PAIR = re.compile(r"^\s*(?:export\s+)?(?P<key>[A-Za-z_][\w.-]*)\s*(?:[=:]|\s)\s*(?P<value>.*?)\s*$")
_INI_SECTION = re.compile(r"^\s*\[(?P<section>[^\]\n]{1,64})\]\s*$")
_XML_ELEMENT = re.compile(r"<(?P<key>[A-Za-z_][\w:.-]*)(?:\s[^>]*)?>(?P<value>[^<\n]*)</(?P=key)>")
_XML_ATTRIBUTE = re.compile(r"(?P<key>[A-Za-z_][\w:.-]*)\s*=\s*(?P<value>\"[^\"\n]*\"|'[^'\n]*')")
_USER_LINE = re.compile(r"^(?P<user>[A-Za-z_][\w.@-]{0,31}):(?P<password>[^:\s]{1,128})$")
_HASH_LIKE = re.compile(r"[$!*{]|x$|[./0-9A-Za-z]{13}$|[0-9a-fA-F]{32}$|[0-9a-fA-F]{40}$|[0-9a-fA-F]{64}$")
_PATH_LIKE = re.compile(r"(?:/|\./|~/)[\w./-]*$")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})  # noqa: S104 (a host name to compare)


@dataclass(frozen=True)
class SourceText:
    language: str
    lines: Sequence[str]
    """The file's lines with comments removed, each cut at MAX_LINE characters."""
    path_words: frozenset[str]
    """Words of the device path (etc, webui, users): context for config keys and users files."""


def comparisons(source: SourceText, patterns: CredentialPatterns) -> Iterator[CredentialHit]:
    """Input compared with a literal: `[ "$pass" = "x" ]`, `if password == "x"`, `strcmp(pw, "x")`."""
    found: list[tuple[int, str, str, bool]] = []  # line, variable, literal, is a password
    regexes = [_SHELL_COMPARISON] if source.language == "shell" else [_CODE_COMPARISON]
    regexes.append(_COMPARE_CALL)
    for number, line in enumerate(source.lines, 1):
        if "=" not in line and "(" not in line and " eq " not in line and " ne " not in line:
            continue
        for regex in regexes:
            for match in regex.finditer(line):
                pair = _variable_and_literal(match.group("left"), match.group("right"), source.language)
                if pair is not None:
                    variable, literal = pair
                    found.append((number, variable, literal, is_password_name(variable, patterns)))
    users = [(n, literal) for n, variable, literal, _ in found if is_user_name(variable, patterns)]
    for number, variable, literal, is_password in found:
        if is_password and is_literal(literal, patterns):
            user = next((u for n, u in reversed(users) if number - 3 <= n <= number), "")
            yield CredentialHit(Rule.COMPARISON, number, literal, login=True, user=user, name=variable)


def _variable_and_literal(left: str, right: str, language: str) -> tuple[str, str] | None:
    for variable, literal in ((left, right), (right, left)):
        value = _literal_value(literal, language)
        if value is None or _literal_value(variable, language) is not None:
            continue
        name = _VARIABLE_TAIL.search(variable)
        if name is not None:
            return name.group(1), value
    return None


def _literal_value(operand: str, language: str) -> str | None:
    """The text of a literal operand; None for a variable or expression."""
    if len(operand) >= 2 and operand[0] == operand[-1] and operand[0] in "\"'":
        inner = operand[1:-1]
        if language == "shell" and operand[0] == '"' and ("$" in inner or "`" in inner):
            return None
        if language == "php" and operand[0] == '"' and "$" in inner:
            return None
        return inner
    if language == "shell" and not any(ch in operand for ch in "$`\"'"):
        return operand
    return None


def assignments(source: SourceText, patterns: CredentialPatterns) -> Iterator[CredentialHit]:
    """A password-named variable or key set to a literal: `ADMIN_PASS=x`, `"password": "x"`,
    `option password 'x'`, `http_passwd=x`, `<password>x</password>`."""
    section = ""
    for number, line in enumerate(source.lines, 1):
        section = _section(line, source.language) or section
        for key, value in _pairs(line, source.language):
            name = key.strip("\"'$")
            if not is_password_name(name, patterns) or _PATH_LIKE.match(value):
                continue
            if not is_literal(value, patterns) or is_prose(value, patterns):
                continue
            context = {*name_words(name), *name_words(section)}
            if not is_code(source.language):
                context |= source.path_words
            login = bool(context & patterns.login_context_words)
            yield CredentialHit(Rule.ASSIGNMENT, number, value, login=login, user=_user_on(line, source), name=name)


def _section(line: str, language: str) -> str:
    regex = {"uci": _UCI_SECTION, "ini": _INI_SECTION, "config": _INI_SECTION}.get(language)
    match = regex.match(line) if regex is not None else None
    if match is None:
        return ""
    return " ".join(part for part in match.groups() if part).strip("'\"")


def _pairs(line: str, language: str) -> Iterator[tuple[str, str]]:
    if language == "shell":
        for match in _SHELL_ASSIGNMENT.finditer(line):
            yield match.group("key"), _unquote(match.group("value"))
    elif is_code(language) or language == "json":
        for match in _CODE_ASSIGNMENT.finditer(line):
            yield match.group("key"), _unquote(match.group("value"))
    elif language == "uci":
        option = _UCI_OPTION.match(line)
        if option is not None:
            yield option.group("key"), _unquote(option.group("value"))
    elif language == "xml":
        for match in _XML_ELEMENT.finditer(line):
            yield match.group("key"), match.group("value").strip()
        for match in _XML_ATTRIBUTE.finditer(line):
            yield match.group("key"), _unquote(match.group("value"))
    elif language in ("ini", "config"):
        pair = _INI_PAIR.match(line)
        if pair is not None:
            yield pair.group("key"), _unquote(pair.group("value"))


def _user_on(line: str, source: SourceText) -> str:
    """A user name set on the same line (`<user name="admin" password="x"/>`, `user=admin pass=x`)."""
    for match in re.finditer(r"\b(?P<key>[A-Za-z_][\w.-]*)\s*[=:]\s*[\"']?(?P<value>[\w.@-]{1,32})", line):
        if match.group("key").lower() in ("user", "username", "name", "login", "usr", "uname"):
            return match.group("value")
    return ""


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def url_credentials(source: SourceText, patterns: CredentialPatterns) -> Iterator[CredentialHit]:
    """`http://user:password@host`: a login of the device itself when the host is the device."""
    schemes = "|".join(map(re.escape, patterns.url_schemes))
    regex = re.compile(
        rf"\b(?:{schemes})://(?P<user>[^\s:/@'\"<>]{{1,64}}):(?P<password>[^\s/@'\"<>]{{1,128}})@"
        r"(?P<host>\[[0-9a-fA-F:]+\]|[\w.-]+)",
        re.IGNORECASE,
    )
    for number, line in enumerate(source.lines, 1):
        if "://" not in line:
            continue
        for match in regex.finditer(line):
            password = match.group("password")
            if is_literal(password, patterns) and is_literal(match.group("user"), patterns):
                login = match.group("host").lower() in _LOCAL_HOSTS
                yield CredentialHit(
                    Rule.URL_CREDENTIALS, number, password, login=login, user=match.group("user"),
                    name=match.group("host"),
                )  # fmt: skip


def user_file_lines(source: SourceText, patterns: CredentialPatterns) -> Iterator[CredentialHit]:
    """`admin:admin` lines in clear in a web users file (a hash there is the accounts check's)."""
    if is_code(source.language) or not source.path_words & patterns.user_files:
        return
    for number, line in enumerate(source.lines, 1):
        match = _USER_LINE.match(line.strip())
        if match is None or _HASH_LIKE.match(match.group("password")):
            continue
        if is_literal(match.group("password"), patterns):
            yield CredentialHit(Rule.USER_FILE, number, match.group("password"), login=True, user=match.group("user"))


def all_rules(source: SourceText, patterns: CredentialPatterns) -> Iterator[CredentialHit]:
    yield from comparisons(source, patterns)
    if source.language != "html":
        yield from assignments(source, patterns)
    yield from url_credentials(source, patterns)
    yield from user_file_lines(source, patterns)

"""Command lines that carry a credential: a literal password option (`mysql -psecret`,
`curl -u user:pass`), a password piped into chpasswd. Tools and their options come from the pattern
data. (Shells opened without any password are the services checks' business.)"""

import re
import shlex
from collections.abc import Iterator, Sequence

from iotbaseline.checks.hardcoded.hits import CredentialHit, Rule
from iotbaseline.checks.hardcoded.literals import is_literal
from iotbaseline.checks.hardcoded.patterns import CommandRule, CredentialPatterns, OptionForm

_SEPARATORS = frozenset(";&|()")
_EDGE_JUNK = "\"'`);,"


class CommandMatcher:
    """Finds credentials on one line of a script (or in one string of a binary)."""

    def __init__(self, patterns: CredentialPatterns) -> None:
        self.patterns = patterns
        self._commands = {tool: rule for rule in patterns.commands for tool in rule.tools}
        names = sorted(self._commands, key=len, reverse=True)
        self._tool = re.compile(r"(?:^|(?<=[\s;&|(`\"'/=]))(" + "|".join(map(re.escape, names)) + r")(?=\s)")
        pipes = "|".join(map(re.escape, sorted(patterns.password_pipes)))
        self._pipe = re.compile(
            r"\b(?:echo|printf)\s+(?:-[ne]+\s+)?(?P<q>[\"'])(?P<text>(?:(?!(?P=q)).){1,200})(?P=q)"
            rf"\s*\|\s*(?:sudo\s+)?(?:\S*/)?(?P<tool>{pipes})\b(?P<rest>[^|;&]*)"
        )
        self.quick = re.compile("|".join(map(re.escape, [*names, *sorted(patterns.password_pipes)])))
        """A line without any of these words holds no command credential."""

    def find(self, line: str, number: int) -> Iterator[CredentialHit]:
        if not self.quick.search(line):
            return
        for match in self._tool.finditer(line):
            tool = match.group(1)
            words = _words(line[match.end() :])
            yield from self._options(self._commands[tool], tool, words, number)
        for match in self._pipe.finditer(line):
            hit = self._piped(match, number)
            if hit is not None:
                yield hit

    def _options(self, rule: CommandRule, tool: str, words: Sequence[str], number: int) -> Iterator[CredentialHit]:
        user = next((v for form in rule.user for v, _ in _values(form, words)), "")
        for form in rule.password:
            for value, positional_user in _values(form, words):
                if is_literal(value, self.patterns):
                    yield CredentialHit(
                        Rule.COMMAND_LINE, number, value, login=rule.login, user=positional_user or user,
                        name=f"{tool} {form.option}",
                    )  # fmt: skip
        for form in rule.user_password:
            for value, _ in _values(form, words):
                name, separator, password = value.partition(rule.separator)
                if separator and is_literal(password, self.patterns):
                    yield CredentialHit(
                        Rule.COMMAND_LINE, number, password, login=rule.login, user=name, name=f"{tool} {form.option}"
                    )

    def _piped(self, match: re.Match[str], number: int) -> CredentialHit | None:
        text, tool = match.group("text"), match.group("tool")
        first = re.split(r"\\n|\n", text, maxsplit=1)[0]
        if tool == "chpasswd":
            user, separator, password = first.partition(":")
            if not separator:
                return None
        else:
            rest = match.group("rest").split()
            user, password = (rest[-1] if rest and not rest[-1].startswith("-") else "root"), first
        if not is_literal(password, self.patterns):
            return None
        return CredentialHit(Rule.PASSWORD_PIPE, number, password, login=True, user=user, name=tool)


def _words(rest: str) -> list[str]:
    """The command's words up to the end of the command (; & | or a closing bracket)."""
    try:
        lexer = shlex.shlex(rest, posix=True, punctuation_chars=";&|()")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:  # an unclosed quote: fall back to plain words
        tokens = [w.strip(_EDGE_JUNK) for w in rest.split()]
    words: list[str] = []
    for token in tokens:
        if token and set(token) <= _SEPARATORS:
            break
        words.append(token)
        if len(words) >= 64:
            break
    return words


def _values(form: OptionForm, words: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(value, user from a USER word) for each use of `form` among `words`."""
    for index, word in enumerate(words):
        if form.attached:
            if word.startswith(form.option) and len(word) > len(form.option):
                yield word[len(form.option) :].strip(_EDGE_JUNK), ""
            continue
        short = len(form.option) == 2 and form.positional == ("VALUE",) and not form.prefix
        if short and word.startswith(form.option) and len(word) > 2 and not word.startswith("--"):
            yield word[2:].strip(_EDGE_JUNK), ""
            continue
        if word != form.option:
            continue
        following = words[index + 1 : index + 1 + len(form.positional)]
        if len(following) < len(form.positional):
            continue
        user = ""
        for role, value in zip(form.positional, following, strict=True):
            if role == "USER":
                user = value
            elif role == "VALUE" and value.startswith(form.prefix):
                yield value[len(form.prefix) :].strip(_EDGE_JUNK), user

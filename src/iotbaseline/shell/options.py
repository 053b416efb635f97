"""A command's arguments as its program reads them: flags, option values, positional words.

What an option means is data (a role per option name: "output", "key", "skip"...); this module only
knows the three ways Unix programs spell options: `--name=value` and `--name value`, short options
that may be clustered (`curl -fsSo FILE`), and single-dash long options (`openssl -inkey FILE`);
plus `name=value` words (`dd if=FILE`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptionSpec:
    roles: Mapping[str, str] = field(default_factory=dict)
    """Option (`-o`, `--output`, `-inkey`, `if=`) -> the role of its value; options not listed are flags."""
    clustered: bool = False
    """Short options may be clustered (`-fsSk`); a letter listed in `roles` takes the rest or the next word."""
    single_dash_long: bool = False
    """Options are whole words after one dash (`-inkey`), as openssl spells them."""


@dataclass(frozen=True)
class Arguments:
    flags: frozenset[str]
    values: Mapping[str, tuple[str, ...]]
    """Role -> the values given for it, in order."""
    positional: tuple[str, ...]
    given: frozenset[str] = frozenset()
    """Every option named, flags and options with values alike."""

    def first(self, role: str) -> str | None:
        found = self.values.get(role, ())
        return found[0] if found else None


def read_arguments(words: Sequence[str], spec: OptionSpec) -> Arguments:
    """`words` without the program name."""
    reader = _Reader(words, spec)
    reader.run()
    values = {role: tuple(found) for role, found in reader.values.items()}
    return Arguments(frozenset(reader.flags), values, tuple(reader.positional), frozenset(reader.given))


class _Reader:
    def __init__(self, words: Sequence[str], spec: OptionSpec) -> None:
        self.words = words
        self.spec = spec
        self.index = 0
        self.flags: set[str] = set()
        self.values: dict[str, list[str]] = {}
        self.positional: list[str] = []
        self.given: set[str] = set()

    def run(self) -> None:
        while self.index < len(self.words):
            word = self.words[self.index]
            self.index += 1
            if word == "--":
                self.positional.extend(self.words[self.index :])
                return
            if "=" in word and not word.startswith("-"):
                self._keyword(word)
            elif word.startswith("--") and len(word) > 2:
                name, separator, value = word.partition("=")
                self._option(name, value if separator else None)
            elif not word.startswith("-") or len(word) < 2:
                self.positional.append(word)
            elif self.spec.single_dash_long:
                self._option(word, None)
            elif self.spec.clustered:
                self._cluster(word)
            else:
                short = word[:2]
                if short in self.spec.roles and len(word) > 2:
                    self._option(short, word[2:])
                else:
                    self._option(short if short in self.spec.roles else word, None)

    def _keyword(self, word: str) -> None:
        keyword, value = word.split("=", 1)
        role = self.spec.roles.get(keyword + "=")
        self.given.add(keyword + "=")
        if role is None:
            self.positional.append(word)
        else:
            self.values.setdefault(role, []).append(value)

    def _option(self, name: str, value: str | None) -> None:
        self.given.add(name)
        role = self.spec.roles.get(name)
        if role is None:
            self.flags.add(name)
            return
        if value is None and self.index < len(self.words):
            value = self.words[self.index]
            self.index += 1
        if value is not None:
            self.values.setdefault(role, []).append(value)

    def _cluster(self, word: str) -> None:
        for position in range(1, len(word)):
            letter = "-" + word[position]
            if letter not in self.spec.roles:
                self.flags.add(letter)
                self.given.add(letter)
                continue
            rest = word[position + 1 :]
            self._option(letter, rest or None)
            return

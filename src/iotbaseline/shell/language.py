"""The language of a script or configuration file: its #! interpreter, else its extension, else its
device path (`etc/init.d/` holds shell scripts without #!); table in `data/shell/languages.yaml`,
the one every check that reads scripts and configuration uses."""

import functools
from dataclasses import dataclass
from importlib.resources import files
from pathlib import PurePosixPath

import yaml

from iotbaseline.errors import IotBaselineError

CONFIG = "config"
"""A text file no rule claims: read as a generic configuration file."""


class LanguageTableError(IotBaselineError):
    """The shipped language table is malformed (a packaging or editing mistake)."""


@dataclass(frozen=True)
class _Language:
    name: str
    code: bool
    interpreters: frozenset[str]
    extensions: frozenset[str]
    paths: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    languages: tuple[_Language, ...]
    skip_extensions: frozenset[str]


@functools.cache
def _table() -> _Table:
    text = (files("iotbaseline") / "data" / "shell" / "languages.yaml").read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        return _Table(
            tuple(
                _Language(
                    str(name),
                    bool(spec.get("code", False)),
                    frozenset(spec.get("interpreters", ())),
                    frozenset(spec.get("extensions", ())),
                    tuple(spec.get("paths", ())),
                )
                for name, spec in data["languages"].items()
            ),
            frozenset(data["skip_extensions"]),
        )
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise LanguageTableError(f"language table: {type(error).__name__}: {error}") from error


def interpreter(content: bytes) -> str:
    """`#!/usr/bin/env lua` -> lua; `#!/bin/sh /etc/rc.common` -> sh; no #! -> ''."""
    if not content.startswith(b"#!"):
        return ""
    words = content[2:256].split(b"\n", 1)[0].decode("latin-1").split()
    if not words:
        return ""
    name = PurePosixPath(words[0]).name
    if name == "env" and len(words) > 1:
        name = next((w for w in words[1:] if not w.startswith("-")), "")
    return name


def language_of(path: str, content: bytes) -> str | None:
    """The language of the file at `path` (a device path, or a path in the extraction), or None to skip it."""
    table = _table()
    relative = path.lstrip("/")
    program = interpreter(content)
    if program:
        for language in table.languages:
            if program in language.interpreters:
                return language.name
    name = PurePosixPath(relative).name
    extension = name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""
    if extension in table.skip_extensions:
        return None
    if extension:
        for language in table.languages:
            if extension in language.extensions:
                return language.name
    for language in table.languages:
        if any(relative.startswith(prefix) for prefix in language.paths):
            return language.name
    return CONFIG


def is_code(language: str) -> bool:
    """A programming language: its files are counted as scripts, the others as configuration."""
    return any(entry.name == language and entry.code for entry in _table().languages)

"""Which language a script or config file is written in, so that its comments can be removed and
the right rules applied: the #! interpreter first, then the extension, then the device path."""

from pathlib import PurePosixPath

from iotbaseline.checks.hardcoded.patterns import CredentialPatterns

CONFIG = "config"
"""A text file no rule claims: read as a generic config file."""
CODE_LANGUAGES = frozenset({"shell", "lua", "php", "javascript", "python", "perl"})
"""Languages whose files are counted as scripts; the others are config files."""


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


def detect_language(device_path: str, content: bytes, patterns: CredentialPatterns) -> str | None:
    """The language of the file at `device_path` (relative, no leading /), or None to skip it."""
    program = interpreter(content)
    if program:
        for rule in patterns.languages:
            if program in rule.interpreters:
                return rule.name
    name = PurePosixPath(device_path).name
    extension = name.rsplit(".", 1)[1].lower() if "." in name.lstrip(".") else ""
    if extension in patterns.skip_extensions:
        return None
    if extension:
        for rule in patterns.languages:
            if extension in rule.extensions:
                return rule.name
    for rule in patterns.languages:
        if any(device_path.startswith(prefix) for prefix in rule.paths):
            return rule.name
    return CONFIG


def is_documentation(device_path: str, patterns: CredentialPatterns) -> bool:
    return any(device_path.startswith(prefix) for prefix in patterns.documentation_paths)

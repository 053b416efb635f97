"""What a command line starts: the program behind wrappers (`start-stop-daemon --exec`, `nohup`,
`busybox telnetd`, `env A=b`), and whether it is a script to read in turn or a command string
(`sh -c "..."`)."""

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from iotbaseline.services.boot_data import BootData
from iotbaseline.services.device_files import DeviceFiles

MAX_UNWRAP = 8
RC_COMMON = "/etc/rc.common"


@dataclass(frozen=True)
class Launch:
    name: str
    """The program's name as invoked (the applet name for a BusyBox link)."""
    program: str
    """Its device path, or the word as written when the image does not hold it."""
    argv: tuple[str, ...]
    found: bool
    script: str | None = None
    """Device path of a shell script the command runs (to be read in turn)."""
    rc_common: bool = False
    """The script is an OpenWrt init script (`#!/bin/sh /etc/rc.common`)."""
    command_string: str | None = None
    """`sh -c "..."`: the text the shell runs."""


def unwrap(argv: Sequence[str], files: DeviceFiles, data: BootData) -> Launch | None:
    """The program a command starts, or None when it starts nothing (`start-stop-daemon -K`)."""
    words = strip_wrappers(argv, data)
    return _launch(words, files, data) if words else None


def strip_wrappers(argv: Sequence[str], data: BootData) -> list[str]:
    """The command line of the program behind the wrappers; empty when it starts nothing."""
    words = list(argv)
    for _ in range(MAX_UNWRAP):
        if not words:
            return []
        name = posixpath.basename(words[0])
        if name in data.start_stop_daemon.names:
            words = _start_stop_daemon(words[1:], data) or []
            continue
        wrapper = data.wrappers.get(name)
        if wrapper is None:
            break
        words = _after_wrapper(words[1:], wrapper.values, wrapper.skip)
    else:
        return []
    return [] if not words or words[0].startswith("-") else words


def _start_stop_daemon(words: list[str], data: BootData) -> list[str] | None:
    spec = data.start_stop_daemon
    if any(w in spec.stop_options for w in words) and not any(w in spec.start_options for w in words):
        return None
    program = None
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return [program, *words[index + 1 :]] if program else None
        option, _, attached = word.partition("=")
        if option in spec.program_options:
            program = attached or (words[index + 1] if index + 1 < len(words) else None)
        if option in spec.value_options and not attached:
            index += 1
        index += 1
    return [program] if program else None


def _after_wrapper(words: list[str], values: frozenset[str], skip: int) -> list[str]:
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            index += 1
            break
        if "=" in word and not word.startswith("-") and word.split("=", 1)[0].isidentifier():
            index += 1  # env NAME=value
            continue
        if not word.startswith("-") or word == "-":
            break
        index += 2 if word in values else 1
    return words[index + skip :]


def _launch(words: list[str], files: DeviceFiles, data: BootData) -> Launch:
    word = words[0]
    name = posixpath.basename(word)
    program = files.find_program(word, data.program_path)
    launch = Launch(name, program or word, tuple(words), program is not None)
    if name in data.shells:
        return _shell(launch, words, files, data)
    if program is not None:
        return _maybe_script(launch, program, files, data)
    return launch


def _shell(launch: Launch, words: list[str], files: DeviceFiles, data: BootData) -> Launch:
    """`sh -c "cmd"`, `sh /path/script args`, or the interactive shell itself."""
    rest = words[1:]
    if "-c" in rest:
        index = rest.index("-c")
        if index + 1 < len(rest):
            return Launch(launch.name, launch.program, launch.argv, launch.found, command_string=rest[index + 1])
    operands = [w for w in rest if not w.startswith("-")]
    if operands and operands[0].startswith("/"):
        script = files.real_path(operands[0])
        if script is not None:
            return Launch(launch.name, launch.program, launch.argv, launch.found, script=script)
    return launch


def _maybe_script(launch: Launch, program: str, files: DeviceFiles, data: BootData) -> Launch:
    real = files.real_path(program)
    if real is None:
        return launch
    text = files.read_text(real)
    if text is None:
        return launch
    first = text.split("\n", 1)[0]
    if first.startswith("#!"):
        interpreter = first[2:].split()
        if not interpreter or posixpath.basename(interpreter[0]) not in data.shells:
            return launch
        rc_common = len(interpreter) > 1 and interpreter[1] == RC_COMMON
        return Launch(launch.name, launch.program, launch.argv, True, script=real, rc_common=rc_common)
    if "\x00" not in text[:1024] and any(real.startswith(folder + "/") for folder in data.init_script_dirs):
        return Launch(launch.name, launch.program, launch.argv, True, script=real)  # run by sh on ENOEXEC
    return launch

"""The user-data deletion check (EN 303 645 5.11-1): a factory-reset routine, what it erases, and
what starts it (a reset button, the web interface). PASS only when a reset routine erases a whole
user-data store; a routine that removes selected files, or none found, is a hint."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import ClassVar

from iotbaseline.checks.base import MIB, CheckSettings, ScannedImage
from iotbaseline.checks.gathering import GatheringCheck
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity
from iotbaseline.reset.routine import Erasure, ScriptFacts, read_reset_script
from iotbaseline.reset.rules import ResetRules, default_reset_rules
from iotbaseline.shell.language import language_of
from iotbaseline.updates.lookup import glob_match

USER_DATA_DELETION = "EN303645:5.11-1"
MAX_SCRIPT_BYTES = 1 * MIB
CODE_CHARS = 200


@dataclass(frozen=True)
class _Script:
    device_path: str | None
    extracted_path: str
    rootfs: str | None
    facts: ScriptFacts
    lines: tuple[str, ...]
    trigger: str | None
    """button or web, when the script lives where a reset is started from."""

    @property
    def path(self) -> str:
        return self.device_path or self.extracted_path

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    def code(self, line: int) -> str:
        return self.lines[line - 1].strip()[:CODE_CHARS] if 0 < line <= len(self.lines) else ""


@dataclass
class _ImageScan:
    scripts: list[_Script] = field(default_factory=list)
    web_mentions: list[tuple[str, str]] = field(default_factory=list)
    """(device path, text) of web-interface files, to find the reset routines they start."""


class FactoryResetCheck(GatheringCheck[_ImageScan]):
    id: ClassVar[str] = "firmware.reset.user-data"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "User data deletion (factory reset)"
    provisions: ClassVar[tuple[str, ...]] = (USER_DATA_DELETION,)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.SCRIPT, FileKind.TEXT})
    max_file_bytes: ClassVar[int] = MAX_SCRIPT_BYTES

    def __init__(self, settings: CheckSettings | None = None, rules: ResetRules | None = None) -> None:
        self.rules = rules or default_reset_rules()
        super().__init__(settings, _ImageScan, self.rules.documentation_paths)

    def gather(self, scan: _ImageScan, image: ScannedImage, file: TreeFile, shown: str, content: bytes) -> None:
        trigger = self._trigger(file.device_path)
        named = bool(self.rules.routine_name.match(PurePosixPath(shown).name))
        if trigger == "web" and not named:
            if self.rules.quick.search(content):
                scan.web_mentions.append((shown, content.decode("utf-8", "replace")))
            return
        shell = language_of(shown, content) == "shell" or trigger == "button"
        if not shell or not (named or trigger or self.rules.quick.search(content)):
            return
        text = content.decode("utf-8", "replace")
        facts = read_reset_script(text, self.rules)
        if named or trigger or facts.erasures:
            lines = tuple(text.split("\n"))
            scan.scripts.append(_Script(file.device_path, file.path, file.rootfs, facts, lines, trigger))

    def _trigger(self, device_path: str | None) -> str | None:
        if device_path is None:
            return None
        if any(glob_match(device_path, pattern) for pattern in self.rules.button_triggers):
            return "button"
        if any(glob_match(device_path, pattern) for pattern in self.rules.web_triggers):
            return "web"
        return None

    def judge(self, image: ScannedImage, scan: _ImageScan) -> Iterable[Finding]:
        routines = [s for s in scan.scripts if self.rules.routine_name.match(s.name)]
        routines += [s for s in scan.scripts if s.trigger and s.facts.erasures and s not in routines]
        if not routines:
            return [self._nothing(image)]
        found = []
        for routine in routines:
            erasures = self._erasures(routine, scan.scripts)
            triggers = self._triggers(routine, scan)
            found.append(self._routine_finding(image, routine, erasures, triggers))
        return found

    def _erasures(self, routine: _Script, scripts: list[_Script]) -> list[tuple[_Script, Erasure]]:
        """The routine's own erasures, then those of the reset scripts it calls."""
        own = [(routine, erasure) for erasure in routine.facts.erasures]
        called = [
            s
            for s in scripts
            if s is not routine
            and s.rootfs == routine.rootfs
            and (s.name in routine.facts.calls or (s.device_path and s.device_path in routine.facts.calls))
        ]
        return own + [(s, erasure) for s in called for erasure in s.facts.erasures]

    def _triggers(self, routine: _Script, scan: _ImageScan) -> list[str]:
        found = [f"{routine.trigger}: {routine.path}"] if routine.trigger else []
        for script in scan.scripts:
            if script is not routine and script.trigger and routine.name in script.facts.calls:
                found.append(f"{script.trigger}: {script.path}")
        word = re.compile(rf"(?<![\w.-]){re.escape(routine.name)}(?![\w.-])")
        found += [f"web: {path}" for path, text in scan.web_mentions if word.search(text)]
        return found

    def _routine_finding(
        self, image: ScannedImage, routine: _Script, erasures: list[tuple[_Script, Erasure]], triggers: list[str]
    ) -> Finding:
        complete = [(s, e) for s, e in erasures if e.complete]
        started = (
            f" It is started from {', '.join(triggers)}."
            if triggers
            else " No reset button handler or web page that starts it was found in the image."
        )
        evidence: dict[str, JSONValue] = {
            "routine": routine.path,
            "erases": [
                {"path": s.path, "line": e.line, "code": s.code(e.line), "target": e.target, "complete": e.complete}
                for s, e in erasures[:20]
            ],
            "triggers": triggers,
        }
        if complete:
            script, erasure = complete[0]
            outcome, severity = Outcome.PASS, Severity.INFO
            title = "Factory reset erases the user data store"
            detail = (
                f"{routine.path} is a factory-reset routine; {script.path} line {erasure.line} erases "
                f"{erasure.target} (`{script.code(erasure.line)}`), where settings and user data are kept.{started}"
            )
            location = Location(
                image=image.name, path=script.device_path, extracted_path=script.extracted_path, line=erasure.line
            )
        else:
            outcome, severity = Outcome.INFO, Severity.LOW
            removed = ", ".join(sorted({e.target for _, e in erasures})) or "nothing this check recognises"
            title = "Factory reset removes selected files only"
            detail = (
                f"{routine.path} is a factory-reset routine, but it erases {removed}, not a whole partition or data "
                f"folder: whether every piece of user data (Wi-Fi keys, account tokens, pairings, logs) goes cannot "
                f"be told from the image.{started} Erase the whole user-data partition or folder instead."
            )
            location = Location(image=image.name, path=routine.device_path, extracted_path=routine.extracted_path)
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=(USER_DATA_DELETION,),
            severity=severity,
            title=title,
            location=location,
            detail=detail,
            evidence=evidence,
            discriminator=f"reset:{routine.path}",
        )

    def _nothing(self, image: ScannedImage) -> Finding:
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.INFO,
            provisions=(USER_DATA_DELETION,),
            severity=Severity.LOW,
            title="No factory-reset routine found",
            location=Location(image=image.name),
            detail=(
                "No script named as a factory reset, and no reset-button or web handler that erases data, was found: "
                "the reset may live in a vendor program this check cannot read. Ask for the documented reset "
                "function, or test it on the device."
            ),
            discriminator="no-reset",
        )

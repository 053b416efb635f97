"""The check over scripts and configs: every rule on each file's comment-free text."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from iotbaseline.checks.base import MIB, Check, CheckSettings, ScannedImage
from iotbaseline.checks.hardcoded.commands import CommandMatcher
from iotbaseline.checks.hardcoded.comments import strip_comments
from iotbaseline.checks.hardcoded.findings import HARD_CODED, UNIVERSAL_LOGIN, hit_finding
from iotbaseline.checks.hardcoded.hits import CredentialHit
from iotbaseline.checks.hardcoded.literals import name_words
from iotbaseline.checks.hardcoded.patterns import CredentialPatterns, default_patterns
from iotbaseline.checks.hardcoded.source_rules import MAX_LINE, SourceText, all_rules
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.shell.language import is_code, language_of


@dataclass
class _Tally:
    scripts: int = 0
    configs: int = 0
    failed: int = 0


class HardcodedCredentialsCheck(Check):
    """Scripts (shell, CGI, Lua, PHP, JavaScript, Python) and configs (ini, conf, UCI, JSON, XML)."""

    id = "firmware.credentials.hardcoded"
    version = "1"
    title = "Hard-coded credentials in scripts and configuration"
    provisions = (HARD_CODED, *UNIVERSAL_LOGIN)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.SCRIPT, FileKind.TEXT})
    max_file_bytes: ClassVar[int] = 2 * MIB

    def __init__(self, settings: CheckSettings | None = None, patterns: CredentialPatterns | None = None) -> None:
        super().__init__(settings)
        """Show the literal in clear in the evidence (off by default: reports travel)."""
        self.patterns = patterns or default_patterns()
        self._commands = CommandMatcher(self.patterns)
        self._tallies: dict[str, _Tally] = {}

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._tallies[image.name] = _Tally()
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        device_path = (file.device_path or file.path).lstrip("/")
        language = language_of(device_path, content)
        if language is None:
            return []
        tally = self._tallies.setdefault(image.name, _Tally())
        if is_code(language):
            tally.scripts += 1
        else:
            tally.configs += 1
        raw_lines = content.decode("utf-8", "replace").split("\n")
        source = SourceText(
            language,
            [line[:MAX_LINE] for line in strip_comments("\n".join(raw_lines), language).split("\n")],
            frozenset(name_words(device_path)),
        )
        documentation = self.patterns.is_documentation(device_path)
        location = Location(image=image.name, path="/" + device_path, extracted_path=file.path)
        findings = [
            hit_finding(
                self.id,
                self.version,
                Location(
                    image=location.image, path=location.path, extracted_path=location.extracted_path, line=hit.line
                ),
                hit,
                reveal=self.reveal,
                documentation=documentation,
                excerpt=raw_lines[hit.line - 1][:MAX_LINE] if hit.line <= len(raw_lines) else "",
                extra={"language": language},
            )
            for hit in _unique(self._hits(source))
        ]
        tally.failed += sum(1 for f in findings if f.outcome is Outcome.FAIL)
        return findings

    def _hits(self, source: SourceText) -> Iterator[CredentialHit]:
        yield from all_rules(source, self.patterns)
        for number, line in enumerate(source.lines, 1):
            yield from self._commands.find(line, number)

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        tally = self._tallies.pop(image.name, _Tally())
        examined = f"examined {tally.scripts} scripts and {tally.configs} config files"
        if tally.failed:
            return []
        if not tally.scripts and not tally.configs:
            outcome, title = Outcome.INFO, f"{self.title}: no scripts or config files to examine"
        else:
            outcome, title = Outcome.PASS, f"{examined}; no hard-coded credentials"
        return [
            Finding(
                check=self.id,
                check_version=self.version,
                outcome=outcome,
                provisions=(HARD_CODED, *UNIVERSAL_LOGIN),
                severity=Severity.INFO,
                title=title,
                location=Location(image=image.name),
                detail=(
                    f"{examined} (comments removed) for comparisons with literal passwords, passwords on command "
                    "lines, credentials in URLs and password settings; none found."
                ),
                evidence={"scripts": tally.scripts, "configs": tally.configs},
                discriminator="examined",
            )
        ]


def _unique(hits: Iterable[CredentialHit]) -> Iterator[CredentialHit]:
    """One hit per line and literal: a comparison seen by two rules is one finding."""
    seen: set[tuple[int, str]] = set()
    for hit in hits:
        key = (hit.line, hit.literal)
        if key not in seen:
            seen.add(key)
            yield hit

"""The communication-security check: server configurations (TLS versions, ciphers, listeners
without TLS, bridges) and clients in scripts and code, read in the scan's single pass. Update
scripts are left to the update-mechanism check, which judges their downloads."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from iotbaseline.checks.base import MIB, CheckSettings, ScannedImage
from iotbaseline.checks.gathering import GatheringCheck
from iotbaseline.comms.clients import ClientIssue, code_issues, script_issues
from iotbaseline.comms.findings import (
    BEST_PRACTICE_CRYPTO,
    COMMS_PROVISIONS,
    FilePlace,
    client_finding,
    problem_finding,
)
from iotbaseline.comms.judge import ConfigFile, ServerJudgement, judge_server
from iotbaseline.comms.rules import CommsRules, default_comms_rules
from iotbaseline.comms.servers import read_server_config
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.shell.language import language_of
from iotbaseline.updates.lookup import TreeLookup, glob_match
from iotbaseline.updates.rules import default_rules
from iotbaseline.updates.script import read_updater

MAX_TEXT_BYTES = 1 * MIB


@dataclass
class _ImageScan:
    files: int = 0
    updaters: int = 0
    configs: dict[tuple[str | None, str], list[ConfigFile]] = field(default_factory=lambda: defaultdict(list))
    issues: list[tuple[FilePlace, ClientIssue, str]] = field(default_factory=list)


class CommunicationSecurityCheck(GatheringCheck[_ImageScan]):
    id: ClassVar[str] = "firmware.comms.config"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Communication security in configuration"
    provisions: ClassVar[tuple[str, ...]] = COMMS_PROVISIONS
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.SCRIPT, FileKind.TEXT})
    max_file_bytes: ClassVar[int] = MAX_TEXT_BYTES

    def __init__(self, settings: CheckSettings | None = None, rules: CommsRules | None = None) -> None:
        self.rules = rules or default_comms_rules()
        super().__init__(settings, _ImageScan, self.rules.documentation_paths)

    def gather(self, scan: _ImageScan, image: ScannedImage, file: TreeFile, shown: str, content: bytes) -> None:
        if file.device_path is not None and self._server_config(scan, file, content):
            return
        language = language_of(shown, content)
        if language is None:
            return
        scan.files += 1
        text = content.decode("utf-8", "replace")
        place = FilePlace(image.name, file.device_path, file.path)
        lines = text.split("\n")
        issues = list(code_issues(text, language, self.rules))
        if language == "shell" and self.rules.quick_clients.search(content):
            if self._is_updater(content, text):
                scan.updaters += 1
            else:
                issues.extend(script_issues(text, self.rules))
        for issue in issues:
            code = lines[issue.line - 1].strip() if 0 < issue.line <= len(lines) else ""
            scan.issues.append((place, issue, code))

    def _server_config(self, scan: _ImageScan, file: TreeFile, content: bytes) -> bool:
        assert file.device_path is not None
        for server, rule in self.rules.servers.items():
            if any(glob_match(file.device_path, pattern) for pattern in rule.configs):
                text = content.decode("utf-8", "replace")
                config = read_server_config(server, file.device_path, text, self.rules)
                if config is not None:
                    scan.configs[(file.rootfs, server)].append(ConfigFile(file.device_path, file.path, config))
                return True
        return False

    @staticmethod
    def _is_updater(content: bytes, text: str) -> bool:
        rules = default_rules()
        if not rules.quick.search(content):
            return False
        script = read_updater(text, rules)
        return script is not None and script.networked

    def judge(self, image: ScannedImage, scan: _ImageScan) -> Iterable[Finding]:
        lookup = TreeLookup(image.tree)
        judgements: list[ServerJudgement] = []
        for (rootfs, server), files in sorted(scan.configs.items(), key=lambda item: (item[0][0] or "", item[0][1])):
            rule = self.rules.servers[server]
            if lookup.has_program(rootfs, rule.programs, self.rules.program_folders):
                judgements.append(judge_server(server, rule.kind, files, self.rules))
        remedies = self.rules.remediation
        found = [
            problem_finding(self.id, self.version, image.name, problem, remedies)
            for judged in judgements
            for problem in judged.problems
        ]
        found.extend(
            client_finding(self.id, self.version, place, issue, code, remedies) for place, issue, code in scan.issues
        )
        found.append(self._summary(image, scan, judgements))
        return found

    def _summary(self, image: ScannedImage, scan: _ImageScan, judgements: list[ServerJudgement]) -> Finding:
        servers = [
            f"{j.server} ({', '.join(_listener_text(item.port, item.tls) for _, item in j.listeners) or 'no listener'})"
            for j in judgements
        ]
        secured = any(item.tls for j in judgements for _, item in j.listeners)
        clean = secured and not any(j.problems for j in judgements) and not scan.issues
        examined = (
            f"examined {len(judgements)} server configurations ({'; '.join(servers) or 'none'}) and {scan.files} "
            f"scripts and configuration files for clients ({scan.updaters} update scripts left to the update check)"
        )
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.PASS if clean else Outcome.INFO,
            provisions=(BEST_PRACTICE_CRYPTO,) if clean else (),
            severity=Severity.INFO,
            title="Servers use TLS and clients check certificates" if clean else "Communication settings examined",
            location=Location(image=image.name),
            detail=(
                f"{examined}: every remotely reachable listener uses TLS with no weak version or cipher allowed, and "
                "no client turns certificate checks off or sends a request in clear. Services this check does not "
                "know (telnet, vendor daemons) are judged by the service checks."
                if clean
                else f"{examined}."
            ),
            evidence={
                "servers": [j.server for j in judgements],
                "files": scan.files,
                "update_scripts": scan.updaters,
                "problems": sum(len(j.problems) for j in judgements) + len(scan.issues),
            },
            discriminator="examined",
        )


def _listener_text(port: int | None, tls: bool) -> str:
    return f"{port or '?'}{'/TLS' if tls else ''}"

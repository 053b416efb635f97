"""The update-mechanism check: vendor update scripts (download, check, flash), update frameworks
(opkg, Mender, RAUC, SWUpdate, sysupgrade) and hints of updaters in binaries, read in the scan's
single pass; judged once the image's keys and programs can be looked up."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import ClassVar

from iotbaseline.checks.base import MIB, CheckSettings, ScannedImage
from iotbaseline.checks.gathering import GatheringCheck
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding, Location, Outcome, Severity
from iotbaseline.shell.language import language_of
from iotbaseline.updates.binaries import BinaryHint, binary_hint, binary_hint_finding, swu_package_hint
from iotbaseline.updates.findings import (
    SECURE_INSTALL,
    UPDATE_PROVISIONS,
    ScriptPlace,
    installer_flash,
    unverified_flash,
    verified_flash,
)
from iotbaseline.updates.framework_findings import FrameworkPlace, framework_findings, sysupgrade_hint
from iotbaseline.updates.frameworks import FrameworkConfig, read_framework_config
from iotbaseline.updates.judge import FlashJudgement, judge_flashes
from iotbaseline.updates.lookup import TreeLookup, glob_match
from iotbaseline.updates.rules import UpdateRules, default_rules
from iotbaseline.updates.script import Flash, UpdaterScript, read_updater

MAX_SCRIPT_BYTES = 1 * MIB
SWU_DESCRIPTION = "sw-description"


@dataclass
class _Updater:
    place: ScriptPlace
    rootfs: str | None
    script: UpdaterScript


@dataclass
class _Config:
    place: FrameworkPlace
    rootfs: str | None
    config: FrameworkConfig


@dataclass
class _ImageScan:
    scripts: int = 0
    updaters: list[_Updater] = field(default_factory=list)
    configs: list[_Config] = field(default_factory=list)
    binaries: list[BinaryHint] = field(default_factory=list)
    signature_required: dict[str | None, str] = field(default_factory=dict)
    """Root file system -> the upgrade script that sets REQUIRE_IMAGE_SIGNATURE=1."""
    swu_packages: list[TreeFile] = field(default_factory=list)
    """sw-description files: SWUpdate packages (.swu) the image carries or was extracted from."""


class UpdateMechanismCheck(GatheringCheck[_ImageScan]):
    id: ClassVar[str] = "firmware.updates.mechanism"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Update mechanism"
    provisions: ClassVar[tuple[str, ...]] = UPDATE_PROVISIONS
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.SCRIPT, FileKind.TEXT, FileKind.ELF})
    max_file_bytes: ClassVar[int] = 8 * MIB

    def __init__(self, settings: CheckSettings | None = None, rules: UpdateRules | None = None) -> None:
        self.rules = rules or default_rules()
        super().__init__(settings, _ImageScan, self.rules.documentation_paths)

    def gather(self, scan: _ImageScan, image: ScannedImage, file: TreeFile, shown: str, content: bytes) -> None:
        if file.type.kind is FileKind.ELF:
            hint = binary_hint(file, content[: self.rules.binary.max_bytes], self.rules)
            if hint is not None:
                scan.binaries.append(hint)
            return
        content = content[:MAX_SCRIPT_BYTES]
        if PurePosixPath(file.path).name == SWU_DESCRIPTION:
            scan.swu_packages.append(file)
            return
        if file.device_path is not None and self._framework_config(image, scan, file, content):
            return
        if language_of(shown, content) != "shell":
            return
        scan.scripts += 1
        sysupgrade = self.rules.sysupgrade
        if shown.startswith(sysupgrade.setting_folder) and _sets(content, sysupgrade.setting):
            scan.signature_required.setdefault(file.rootfs, shown)
        if not self.rules.quick.search(content):
            return
        text = content.decode("utf-8", "replace")
        script = read_updater(text, self.rules)
        if script is not None:
            place = ScriptPlace(image.name, file.device_path, file.path, tuple(text.split("\n")))
            scan.updaters.append(_Updater(place, file.rootfs, script))

    def _framework_config(self, image: ScannedImage, scan: _ImageScan, file: TreeFile, content: bytes) -> bool:
        assert file.device_path is not None
        for name, rule in self.rules.frameworks.items():
            if any(glob_match(file.device_path, pattern) for pattern in rule.configs):
                config = read_framework_config(name, file.device_path, content.decode("utf-8", "replace"))
                if config is not None:
                    place = FrameworkPlace(image.name, file.device_path, file.path)
                    scan.configs.append(_Config(place, file.rootfs, config))
                return True
        return False

    def judge(self, image: ScannedImage, scan: _ImageScan) -> Iterable[Finding]:
        lookup = TreeLookup(image.tree)
        found: list[Finding] = []
        networked = 0
        for updater in scan.updaters:
            checks = partial(self._installer_checks, updater=updater, scan=scan, lookup=lookup)
            judgements = judge_flashes(updater.script, checks)
            if judgements:
                networked += 1
                found.extend(self._script_findings(updater, judgements, lookup))
        frameworks = self._framework_findings(scan, lookup)
        found.extend(frameworks)
        found.extend(self._sysupgrade(image, scan, lookup))
        found.extend(binary_hint_finding(self.id, self.version, image.name, hint) for hint in scan.binaries)
        found.extend(
            swu_package_hint(self.id, self.version, image.name, item, image.tree.file(item.path + ".sig") is not None)
            for item in scan.swu_packages
        )
        found.append(self._summary(image, scan, networked, len(frameworks)))
        return found

    def _script_findings(
        self, updater: _Updater, judgements: list[FlashJudgement], lookup: TreeLookup
    ) -> list[Finding]:
        unverified = [j for j in judgements if not j.verified]
        if unverified:
            return [unverified_flash(self.id, self.version, updater.place, unverified[0])]
        judged = judgements[0]
        if judged.signature is None:
            why = {name: rule.why for name, rule in self.rules.installers.items()}
            return [installer_flash(self.id, self.version, updater.place, judged, why)]
        key = None
        if judged.signature.key is not None:
            key = lookup.key_facts(updater.rootfs, judged.signature.key, self.rules)
        return verified_flash(self.id, self.version, updater.place, judged, key, self.rules.weak_digests)

    def _installer_checks(self, flash: Flash, updater: _Updater, scan: _ImageScan, lookup: TreeLookup) -> bool:
        if flash.installer is None:
            return False
        verifies = self.rules.installers[flash.installer].verifies
        configured = [
            c.config for c in scan.configs if c.config.framework == flash.installer and c.rootfs == updater.rootfs
        ]
        if verifies == "always":
            return True
        if verifies == "key-option":
            return flash.key is not None or any(c.signature_setting for c in configured)
        if verifies == "config":
            return any(c.signature_setting for c in configured)
        if verifies == "openwrt":
            return not flash.forced and self._sysupgrade_enforced(updater.rootfs, scan, lookup)
        return False

    def _sysupgrade_enforced(self, rootfs: str | None, scan: _ImageScan, lookup: TreeLookup) -> bool:
        rule = self.rules.sysupgrade
        ucert = lookup.file(rootfs, rule.signature_tool) is not None
        return ucert and bool(lookup.files_under(rootfs, rule.keys)) and rootfs in scan.signature_required

    def _framework_findings(self, scan: _ImageScan, lookup: TreeLookup) -> list[Finding]:
        found: list[Finding] = []
        for item in scan.configs:
            rule = self.rules.frameworks[item.config.framework]
            if not lookup.has_program(item.rootfs, rule.programs, self.rules.program_folders):
                continue
            key_path = rule.keys if item.config.framework == "opkg" else None
            if item.config.signature_setting is not None and key_path is None:
                key_path = item.config.signature_setting.value
            key = None if key_path is None else lookup.key_facts(item.rootfs, key_path, self.rules)
            found.extend(framework_findings(self.id, self.version, item.place, item.config, rule, key))
        return found

    def _sysupgrade(self, image: ScannedImage, scan: _ImageScan, lookup: TreeLookup) -> list[Finding]:
        rule = self.rules.sysupgrade
        found = []
        for rootfs in image.tree.rootfs:
            if not lookup.has_program(rootfs.path, rule.programs, self.rules.program_folders):
                continue
            ucert = lookup.file(rootfs.path, rule.signature_tool) is not None
            keys = len(lookup.files_under(rootfs.path, rule.keys))
            required = scan.signature_required.get(rootfs.path)
            found.append(sysupgrade_hint(self.id, self.version, image.name, ucert, keys, required))
        return found

    def _summary(self, image: ScannedImage, scan: _ImageScan, networked: int, frameworks: int) -> Finding:
        local = len(scan.updaters) - networked
        examined = (
            f"examined {scan.scripts} shell scripts: {networked} download and flash firmware, {local} flash a local "
            f"file; {frameworks} findings on update frameworks; {len(scan.binaries)} binaries look like updaters"
        )
        nothing = not networked and not frameworks and not scan.binaries and not local
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.INFO,
            provisions=(SECURE_INSTALL,) if nothing else (),
            severity=Severity.INFO,
            title="No update mechanism found in the image" if nothing else "Update mechanisms examined",
            location=Location(image=image.name),
            detail=examined
            + (
                ". No update script, update framework or updater binary was recognised: the device may update "
                "through a vendor program this check does not know, or not at all."
                if nothing
                else "."
            ),
            evidence={"scripts": scan.scripts, "network_updaters": networked, "local_flashers": local},
            discriminator="examined",
        )


def _sets(content: bytes, setting: str) -> bool:
    return any(line.strip().startswith(setting.encode()) for line in content.split(b"\n"))

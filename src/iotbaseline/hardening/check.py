"""The binary hardening check: the exploit mitigations of every ELF of an image, in the scan's
single pass (the runner's content, and the file only for section headers past it).

Findings, per image:
- one summary (INFO, EN 303 645 5.6-9 and CRA Annex I 2(k)): counts of binaries lacking each
  mitigation, network-facing programs apart, and the worst offenders. Compiler hardening is
  supporting evidence only: 5.6-9 asks for a secure development process, which the binaries hint
  at but do not prove, and CRA 2(k) asks for mitigation mechanisms of every kind. So the summary
  never PASSes nor FAILs; the findings below FAIL where the binary alone decides;
- a network-facing program importing strcpy/sprintf/gets/system/popen: FAIL when an unbounded copy
  has neither a canary nor a non-executable stack in its way, INFO otherwise;
- an RPATH/RUNPATH entry anyone can write to (/tmp, relative, empty): FAIL, 5.6-9;
- a set-ID program a system does not usually need (5.6-7): FAIL when it hands out a root shell
  (BusyBox without its privilege dropping, shells, editors), INFO otherwise.
"""

from collections import Counter
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import ClassVar

from iotbaseline.checks.base import MIB, Check, ScannedImage
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import FirmwareTree, TreeFile
from iotbaseline.hardening.elf_properties import elf_properties
from iotbaseline.hardening.judgement import (
    Binary,
    overflow_is_decisive,
    set_id_grants_root_shell,
    unbounded_functions,
    writable_search_paths,
)
from iotbaseline.hardening.rules import HardeningRules, default_rules
from iotbaseline.hardening.source import ContentSource
from iotbaseline.hardening.summary import BUILD_FLAGS, HardeningSummary, summarise, summary_text
from iotbaseline.model import Finding, Location, Outcome, Severity

SECURE_DEVELOPMENT = "EN303645:5.6-9"
MITIGATIONS = "CRA:I.2(k)"
LEAST_PRIVILEGE = "EN303645:5.6-7"


class BinaryHardeningCheck(Check):
    id: ClassVar[str] = "firmware.hardening.binaries"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Binary hardening"
    provisions: ClassVar[tuple[str, ...]] = (SECURE_DEVELOPMENT, MITIGATIONS, LEAST_PRIVILEGE)
    file_kinds: ClassVar[frozenset[FileKind]] = frozenset({FileKind.ELF})
    max_file_bytes: ClassVar[int] = 24 * MIB
    """As much as the component inventory reads, so that one read serves both; headers past it
    (section headers at the end of large binaries) are read from the file."""
    time_budget: ClassVar[float] = 300.0

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._binaries: list[Binary] = []
        self._skipped: Counter[str] = Counter()
        self._libc = image_libc(image.tree, default_rules())
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        rules = default_rules()
        device_path = file.device_path
        if device_path and device_path.startswith(rules.not_programs):
            self._skipped["not a Linux program"] += 1
            return ()
        source = ContentSource(content, file.size, lambda: image.tree.open(file.path))
        try:
            properties = elf_properties(source, mode=file.mode, libc_hint=self._libc, rules=rules)
        finally:
            source.close()
        path = device_path or "/" + file.path
        drops = _drops_privileges(path, content, file.size) if properties.setuid or properties.setgid else None
        self._binaries.append(Binary(path, file.path, file.sha256, properties, drops))
        return ()

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        rules = default_rules()
        binaries = sorted(self._binaries, key=lambda b: b.path)
        summary = summarise(binaries, self._skipped, rules)
        yield self._summary(image, summary)
        for binary in binaries:
            if not binary.counted:
                continue
            properties = binary.properties
            if properties.network_facing and properties.dangerous_functions:
                yield self._dangerous(image, binary, rules)
            if writable_search_paths(properties, rules):
                yield self._search_path(image, binary, rules)
            if (properties.setuid or properties.setgid) and binary.name not in rules.setuid_expected:
                yield self._set_id(image, binary, rules)

    # --- findings

    def _finding(
        self,
        image: ScannedImage,
        binary: Binary | None,
        outcome: Outcome,
        provisions: tuple[str, ...],
        severity: Severity,
        title: str,
        detail: str,
        evidence: dict[str, object],
        discriminator: str,
    ) -> Finding:
        location = Location(image=image.name)
        if binary is not None:
            location = Location(image=image.name, path=binary.path, extracted_path=binary.extracted_path)
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=provisions,
            severity=severity,
            title=title,
            detail=detail,
            location=location,
            evidence=evidence,
            discriminator=discriminator,
        )

    def _summary(self, image: ScannedImage, summary: HardeningSummary) -> Finding:
        return self._finding(
            image,
            None,
            outcome=Outcome.INFO,
            provisions=(SECURE_DEVELOPMENT, MITIGATIONS),
            severity=Severity.INFO,
            title="Binary hardening: exploit mitigations of the image's programs and libraries",
            detail=summary_text(summary),
            evidence=summary.to_dict(),
            discriminator="summary",
        )

    def _dangerous(self, image: ScannedImage, binary: Binary, rules: HardeningRules) -> Finding:
        properties = binary.properties
        decisive = overflow_is_decisive(properties, rules)
        functions = properties.dangerous_functions
        reasons = "; ".join(f"{n} {rules.dangerous_functions[n].why}" for n in functions)
        unbounded = unbounded_functions(properties, rules)
        if decisive:
            detail = (
                f"{binary.path} receives network input ({', '.join(properties.network_functions)}) and calls "
                f"{', '.join(unbounded)} with neither a stack canary nor a non-executable stack: one overflow "
                f"of a stack buffer is code execution. {reasons}. Replace them with bounded calls (snprintf, "
                f"strlcpy or a length-checked copy) and rebuild with the mitigations. {BUILD_FLAGS}"
            )
        else:
            detail = (
                f"{binary.path} receives network input ({', '.join(properties.network_functions)}) and calls "
                f"{', '.join(functions)}: {reasons}. Review that no network input reaches them unchecked; "
                "prefer snprintf and length-checked copies, and exec*() with an argument list over a shell."
            )
        return self._finding(
            image,
            binary,
            outcome=Outcome.FAIL if decisive else Outcome.INFO,
            provisions=(SECURE_DEVELOPMENT, MITIGATIONS),
            severity=Severity.HIGH if decisive else Severity.LOW,
            title=f"Network-facing program calls {', '.join(functions)}"
            + (" without stack protection" if decisive else ""),
            detail=detail,
            evidence={
                "sha256": binary.sha256,
                "dangerous_functions": list(functions),
                "network_functions": list(properties.network_functions),
                "canary": properties.canary.value,
                "nx": properties.nx.value,
                "notes": list(properties.notes),
            },
            discriminator="dangerous-functions",
        )

    def _search_path(self, image: ScannedImage, binary: Binary, rules: HardeningRules) -> Finding:
        properties = binary.properties
        entries = writable_search_paths(properties, rules)
        shown = ", ".join(repr(e) if e else "'' (the current directory)" for e in entries)
        return self._finding(
            image,
            binary,
            outcome=Outcome.FAIL,
            provisions=(SECURE_DEVELOPMENT,),
            severity=Severity.MEDIUM,
            title="Library search path anyone can write to",
            detail=(
                f"{binary.path} looks for its libraries in {shown}: whoever can write there (or choose the "
                "working directory) has code run inside it. These are usually build-machine paths left by "
                "the SDK. Remove the RPATH/RUNPATH (chrpath -d, or link without -rpath) or use $ORIGIN or an "
                "absolute read-only path."
            ),
            evidence={
                "sha256": binary.sha256,
                "rpath": list(properties.rpath),
                "runpath": list(properties.runpath),
                "writable": list(entries),
            },
            discriminator="search-path",
        )

    def _set_id(self, image: ScannedImage, binary: Binary, rules: HardeningRules) -> Finding:
        properties = binary.properties
        bits = " and ".join(
            b for b, on in (("set-user-ID", properties.setuid), ("set-group-ID", properties.setgid)) if on
        )
        root_shell = set_id_grants_root_shell(binary, rules)
        if root_shell:
            detail = (
                f"{binary.path} is {bits}: anyone who may run it gets its owner's rights (root on firmware) with "
                "a shell or file access it offers by design"
                + (
                    ", and it was built without BusyBox's privilege dropping"
                    if binary.drops_privileges is False
                    else ""
                )
                + ". Remove the bit; give su or passwd their own set-ID binary if the device needs them."
            )
        else:
            detail = (
                f"{binary.path} is {bits}, which a device rarely needs: every bug in it is a way to its owner's "
                "rights (root on firmware). Remove the bit unless the program must change privileges, and "
                "then keep it small and audited."
            )
        return self._finding(
            image,
            binary,
            outcome=Outcome.FAIL if root_shell else Outcome.INFO,
            provisions=(LEAST_PRIVILEGE,),
            severity=Severity.HIGH if root_shell else Severity.LOW,
            title=f"Set-ID program: {binary.name}",
            detail=detail,
            evidence={
                "sha256": binary.sha256,
                "setuid": properties.setuid,
                "setgid": properties.setgid,
                "drops_privileges": binary.drops_privileges,
                "owner": "not recorded by the extraction",
            },
            discriminator="set-id",
        )


def image_libc(tree: FirmwareTree, rules: HardeningRules) -> str | None:
    """The image's C library, from the dynamic linkers it ships: what libraries that do not name
    their interpreter were built against. None when there is none or more than one."""
    paths = [f.device_path for f in tree.files] + [link.device_path for link in tree.links]
    found = {rules.libc_of_interpreter(p) for p in paths if p and "/ld" in p}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _drops_privileges(path: str, content: bytes, size: int) -> bool | None:
    """For a set-ID multi-call binary (BusyBox): whether its privilege dropping was compiled in.
    None: not such a binary, or too large for the content to tell."""
    marker = default_rules().drops_privileges.get(PurePosixPath(path).name)
    if marker is None:
        return None
    if marker in content:
        return True
    return False if len(content) >= size else None

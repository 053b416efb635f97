"""The binary hardening check on a small root filesystem of real binaries: which weaknesses FAIL,
which are hints, and what the per-image summary says."""

import hashlib
from pathlib import Path

import pytest

from iotbaseline.catalogue.loader import default_catalogue
from iotbaseline.checks.base import Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.firmware.extract import ExtractionResult
from iotbaseline.firmware.filetype import classify
from iotbaseline.firmware.rootfs import RootFilesystem
from iotbaseline.firmware.tree import FirmwareTree, TreeFile, TreeLink
from iotbaseline.hardening.check import BinaryHardeningCheck
from iotbaseline.model import Finding, Outcome
from tests.unit.hardening_build import build

BUSYBOX_SUID_FEATURE = b"\0must be suid to work properly\0"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("elf")


def image_of(root: Path, files: dict[str, tuple[bytes, int]]) -> ScannedImage:
    """A root filesystem `fs` holding `files` (device path -> content, mode) and glibc's loader."""
    indexed = []
    for device_path, (data, mode) in files.items():
        path = "fs" + device_path
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        indexed.append(TreeFile(path, len(data), digest, classify(data[:4096], len(data)), mode, (), "fs", device_path))
    loader = TreeLink("fs/lib/ld-linux-x86-64.so.2", "/lib/ld-2.36.so", "fs", "/lib/ld-linux-x86-64.so.2")
    tree = FirmwareTree(root, tuple(indexed), (loader,), (), frozenset({"fs"}), (RootFilesystem("fs", ("etc",)),))
    result = ExtractionResult(root / "fw.bin", 1, "00", root, tree, [], [], [], 0.1, 0, 1)
    return ScannedImage("fw.bin", result)


def run(image: ScannedImage) -> tuple[Finding, dict[tuple[str, str | None], Finding]]:
    findings, runs = run_checks([BinaryHardeningCheck()], [image], frozenset({Need.FIRMWARE}))
    assert [r.status for r in runs] == ["ran"], runs
    [summary] = [f for f in findings if f.discriminator == "summary"]
    return summary, {(f.discriminator, f.location.path): f for f in findings if f.discriminator != "summary"}


@pytest.fixture
def device(tmp_path: Path, built: Path) -> ScannedImage:
    def elf(variant: str) -> bytes:
        return build(built, variant).read_bytes()

    return image_of(
        tmp_path,
        {
            "/usr/sbin/httpd": (elf("hardened"), 0o755),
            "/usr/sbin/legacyd": (elf("bare"), 0o755),
            "/usr/sbin/cloudd": (elf("rpath"), 0o755),
            "/usr/bin/tool": (elf("runpath-origin"), 0o755),
            "/usr/lib/libgreet.so": (elf("library"), 0o644),
            "/bin/busybox": (elf("static-stripped"), 0o4755),
            "/usr/bin/passwd": (elf("hardened"), 0o4755),
            "/usr/bin/vendor-helper": (elf("hardened"), 0o2755),
            "/lib/firmware/wifi.elf": (elf("bare"), 0o644),
            "/lib/modules/extra.ko": (elf("object"), 0o644),
        },
    )


def test_a_network_server_with_strcpy_and_no_canary_or_nx_fails(device: ScannedImage) -> None:
    _, found = run(device)
    legacy = found["dangerous-functions", "/usr/sbin/legacyd"]
    assert legacy.outcome is Outcome.FAIL and legacy.provisions == ("EN303645:5.6-9", "CRA:I.2(k)")
    assert {"strcpy", "sprintf"} <= set(legacy.evidence["dangerous_functions"])
    assert (legacy.evidence["canary"], legacy.evidence["nx"]) == ("absent", "absent")
    assert legacy.location.extracted_path == "fs/usr/sbin/legacyd" and "snprintf" in legacy.detail


def test_the_same_calls_in_a_hardened_server_are_a_hint_to_review(device: ScannedImage) -> None:
    _, found = run(device)
    httpd = found["dangerous-functions", "/usr/sbin/httpd"]
    assert httpd.outcome is Outcome.INFO and set(httpd.evidence["dangerous_functions"]) == {"strcpy", "system"}


def test_a_library_path_in_tmp_or_the_working_directory_fails_and_origin_does_not(device: ScannedImage) -> None:
    _, found = run(device)
    cloud = found["search-path", "/usr/sbin/cloudd"]
    assert cloud.outcome is Outcome.FAIL and cloud.provisions == ("EN303645:5.6-9",)
    assert cloud.evidence["writable"] == ["/tmp/lib", "", "lib"]  # /usr/lib is fine
    assert ("search-path", "/usr/bin/tool") not in found


def test_set_id_busybox_without_privilege_dropping_fails_and_usual_set_id_programs_pass_silently(
    device: ScannedImage,
) -> None:
    _, found = run(device)
    busybox = found["set-id", "/bin/busybox"]
    assert busybox.outcome is Outcome.FAIL and busybox.provisions == ("EN303645:5.6-7",)
    assert busybox.evidence["drops_privileges"] is False and busybox.evidence["setuid"] is True
    helper = found["set-id", "/usr/bin/vendor-helper"]
    assert helper.outcome is Outcome.INFO and helper.evidence["setgid"] is True
    assert ("set-id", "/usr/bin/passwd") not in found


def test_set_id_busybox_built_to_drop_root_for_its_other_applets_is_a_hint(tmp_path: Path, built: Path) -> None:
    busybox = build(built, "static-stripped").read_bytes() + BUSYBOX_SUID_FEATURE
    _, found = run(image_of(tmp_path, {"/bin/busybox": (busybox, 0o4755)}))
    finding = found["set-id", "/bin/busybox"]
    assert finding.outcome is Outcome.INFO and finding.evidence["drops_privileges"] is True


def test_the_summary_counts_by_group_and_ranks_the_worst_offenders(device: ScannedImage) -> None:
    summary, _ = run(device)
    assert summary.outcome is Outcome.INFO and summary.provisions == ("EN303645:5.6-9", "CRA:I.2(k)")
    evidence = summary.evidence
    groups = evidence["groups"]
    assert groups["network-facing programs"]["binaries"] == 6  # httpd, legacyd, cloudd, tool, passwd, helper
    assert groups["other programs"]["binaries"] == 1  # busybox: static, its imports are not visible
    assert groups["libraries"]["binaries"] == 1
    lacking = groups["network-facing programs"]["lacking"]
    assert lacking == {"no-canary": 1, "no-fortify": 1, "no-nx": 1, "no-pie": 1, "no-relro": 1}
    assert groups["other programs"]["unknown"] == {"canary": 1, "fortify": 1}
    assert evidence["skipped"] == {"not a Linux program": 2}
    assert evidence["set_id"] == 3 and evidence["examined"] == 8
    worst = evidence["worst_offenders"]
    assert worst[0]["path"] == "/usr/sbin/legacyd" and worst[0]["network_facing"]
    assert "/usr/sbin/legacyd (network-facing): no-nx; no-canary" in summary.detail


def test_a_hardened_image_has_no_fail(tmp_path: Path, built: Path) -> None:
    hardened = build(built, "hardened").read_bytes()
    library = build(built, "library").read_bytes()
    summary, found = run(image_of(tmp_path, {"/usr/sbin/httpd": (hardened, 0o755), "/lib/libg.so": (library, 0o644)}))
    assert found and all(f.outcome is not Outcome.FAIL for f in found.values())
    assert all(offender["lacks"] == [] for offender in summary.evidence["worst_offenders"])


def test_an_image_without_binaries_still_says_what_was_examined(tmp_path: Path) -> None:
    summary, found = run(image_of(tmp_path, {"/etc/motd": (b"hello\n", 0o644)}))
    assert found == {} and summary.evidence["examined"] == 0 and summary.detail.startswith("0 ELF files examined")


def test_a_damaged_binary_is_counted_as_unreadable_not_an_error(tmp_path: Path, built: Path) -> None:
    broken = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\xff" * 48
    truncated = build(built, "hardened").read_bytes()[:3000]
    summary, _ = run(image_of(tmp_path, {"/bin/broken": (broken, 0o755), "/bin/cut": (truncated, 0o755)}))
    assert summary.evidence["examined"] == 2


def test_every_cited_provision_is_in_the_catalogue() -> None:
    catalogue = default_catalogue()
    for provision in BinaryHardeningCheck.provisions:
        assert catalogue.get(provision).qualified_id == provision

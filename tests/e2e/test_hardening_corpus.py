"""Binary hardening on real images: the corpus' Debian binaries for MIPS, ARM and AArch64 read exactly
as binutils' readelf reads them; over the corpus, every planted set-ID escalation and writable library
search path is a FAIL at its path, the traps (a set-ID BusyBox that drops root, an `$ORIGIN` RUNPATH)
give none, and nothing else FAILs (Debian builds its binaries hardened); and a real extracted image
with the weaknesses the check must FAIL."""

import re
import shutil
import subprocess
import tarfile
from functools import cache
from pathlib import Path

import pytest

from iotbaseline.checks.base import Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.firmware.extract import extract_firmware
from iotbaseline.firmware.filetype import FileKind
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.hardening import BytesSource, ElfProperties, default_rules, elf_properties
from iotbaseline.hardening.check import BinaryHardeningCheck, image_libc
from iotbaseline.model import Finding, Outcome
from tests.corpus import IMAGES, build_image, ground_truth
from tests.e2e.conftest import tar_member
from tests.unit.hardening_build import build

pytestmark = pytest.mark.e2e

# One image per CPU family and packing: MIPS (SquashFS 4 in a TRX, big-endian SquashFS 3), ARM EABI soft
# and hard float, AArch64 (ext4, FIT ramdisk); and the benchmark image with every package for four CPUs.
SAMPLED = (
    "sample-camera-mipsel",
    "router-mipsel-trx-squashfs-xz",
    "router-mipsel-squashfs3-be-lzma",
    "router-armel-tar-zstd",
    "hub-armhf-squashfs-lz4",
    "hub-arm64-ext4",
    "camera-arm64-fit-cpio-gzip",
    "bench-arm64-uimage-squashfs-lzo",
)


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hardening")


@cache
def scanned(name: str, output: Path) -> ScannedImage:
    return ScannedImage(name, extract_firmware(build_image(name), output / name))


def elf_files(image: ScannedImage) -> list[TreeFile]:
    return [f for f in image.tree.files if f.type.kind is FileKind.ELF]


def run_check(image: ScannedImage) -> list[Finding]:
    findings, runs = run_checks([BinaryHardeningCheck()], [image], frozenset({Need.FIRMWARE}))
    assert [r.status for r in runs] == ["ran"], runs
    return findings


# --- readelf as the independent reading


def readelf_expectation(path: Path, image_libc_name: str | None) -> dict[str, object]:
    """What our properties must be, derived from binutils' readelf output with the documented rules."""
    readelf = shutil.which("readelf")
    assert readelf, "readelf (binutils, installed with gcc) is needed as the reference reader"
    text = subprocess.run(
        [readelf, "-W", "-h", "-l", "-d", "-S", "--dyn-syms", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rules = default_rules()
    elf_type = re.search(r"Type:\s+(\w+)", text)
    assert elf_type
    segments = {m.group(1): m.group(2) for m in re.finditer(r"^\s+(GNU_STACK|GNU_RELRO|INTERP)\s+(.*)$", text, re.M)}
    dynamic = {m.group(1): m.group(2) for m in re.finditer(r"^\s+0x[0-9a-f]+ \((\w+)\)\s+(.*)$", text, re.M)}
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", text)
    undefined, every = set(), set()
    for match in re.finditer(r"^\s+\d+: [0-9a-f]+\s+\d+ \w+\s+\w+\s+\w+\s+(\w+)\s+(\S+)", text, re.M):
        name = match.group(2).split("@")[0]
        every.add(name)
        if match.group(1) == "UND":
            undefined.add(name)
    has_dynsym = ".dynsym' contains" in text
    arch = re.search(r"Machine:\s+(.*)", text)
    assert arch
    mips, aarch64 = "MIPS" in arch.group(1), "AArch64" in arch.group(1)

    program = elf_type.group(1) == "EXEC" or (
        elf_type.group(1) == "DYN"
        and ("PIE" in dynamic.get("FLAGS_1", "") or ("INTERP" in segments and "SONAME" not in dynamic))
    )
    stack = segments.get("GNU_STACK")
    if stack is not None and "E" not in "".join(stack.split()[5:-1]):
        nx = "present"
    elif mips:
        nx = "not-applicable"
    elif aarch64 and stack is None:
        nx = "present"
    else:
        nx = "absent"
    now = "BIND_NOW" in dynamic or "BIND_NOW" in dynamic.get("FLAGS", "") or "NOW" in dynamic.get("FLAGS_1", "").split()
    relro = ("full" if now else "partial") if "GNU_RELRO" in segments else "none"
    checked = {n for n in undefined if n.startswith("__") and n.endswith("_chk") and n not in rules.canary_symbols}
    if not has_dynsym:
        canary = fortify = "unknown"  # the corpus' only static binary, BusyBox, is stripped
    else:
        canary = "present" if every & rules.canary_symbols else "absent"
        fortify = "present" if checked else "absent" if undefined & rules.fortifiable else "not-applicable"
    rpath = re.search(r"\(RPATH\)\s+Library rpath: \[(.*)\]", text)
    runpath = re.search(r"\(RUNPATH\)\s+Library runpath: \[(.*)\]", text)
    libc = "glibc" if "libc.so.6" in needed or "INTERP" in segments else image_libc_name
    return {
        "role": "program" if program else "library",
        "nx": nx,
        "pie": ("present" if elf_type.group(1) == "DYN" else "absent") if program else "not-applicable",
        "relro": relro,
        "canary": canary,
        "fortify": fortify,
        "stripped": "] .symtab" not in text,
        "rpath": rpath.group(1).split(":") if rpath else [],
        "runpath": runpath.group(1).split(":") if runpath else [],
        "dangerous_functions": sorted(undefined & set(rules.dangerous_functions)),
        "network_functions": sorted(undefined & rules.network_functions),
        "libc": libc,
    }


def ours(properties: ElfProperties) -> dict[str, object]:
    data = properties.to_dict()
    return {key: data[key] for key in ("role", "nx", "pie", "relro", "canary", "fortify", "stripped", "rpath",
                                      "runpath", "dangerous_functions", "network_functions", "libc")}  # fmt: skip


@pytest.mark.parametrize("name", SAMPLED)
def test_every_elf_of_the_image_reads_as_readelf_reads_it(name: str, output: Path) -> None:
    image = scanned(name, output)
    files = elf_files(image)
    assert len(files) >= 10
    libc = image_libc(image.tree, default_rules())
    assert libc == "glibc"
    for file in files:
        data = image.tree.read_bytes(file.path)
        properties = elf_properties(BytesSource(data), mode=file.mode, libc_hint=libc)
        assert properties.problems == ()
        assert ours(properties) == readelf_expectation(image.tree.root / file.path, libc), file.path


# Truth kind -> the discriminator of the FAIL the check must give at the plant's path.
PLANTS = {"setuid-escalation": "set-id", "writable-search-path": "search-path"}


def at(findings: list[Finding], path: str, discriminator: str) -> list[Finding]:
    return [f for f in findings if f.location.path == "/" + path and f.discriminator == discriminator]


def properties_of(image: ScannedImage, path: str) -> ElfProperties:
    [file] = [f for f in elf_files(image) if f.device_path == "/" + path]
    return elf_properties(BytesSource(image.tree.read_bytes(file.path)), mode=file.mode, libc_hint="glibc")


@pytest.mark.parametrize("name", IMAGES)
def test_hardening_plants_fail_exactly_traps_do_not_and_debian_builds_fail_nowhere_else(
    name: str, output: Path
) -> None:
    truth = ground_truth(name)
    image = scanned(name, output)
    findings = run_check(image)
    fails = [f for f in findings if f.outcome is Outcome.FAIL]

    expected: set[tuple[str, str]] = set()
    for plant in truth["plants"]:
        if plant["kind"] not in PLANTS:
            continue
        discriminator = PLANTS[plant["kind"]]
        expected.add((discriminator, "/" + plant["path"]))
        [found] = at(fails, plant["path"], discriminator)
        if plant["kind"] == "setuid-escalation":
            assert found.evidence["setuid"] is plant["setuid"]
            assert found.title == f"Set-ID program: {plant['program']}"
        else:
            assert found.evidence[plant["tag"].lower()] == [plant["entry"]]
            assert found.evidence["writable"] == [plant["entry"]]

    for trap in truth["traps"]:
        if trap["kind"] == "setuid-drops-privileges":
            # The bit survives extraction and the check sees it, yet BusyBox gives up root: a hint only.
            [hint] = at(findings, trap["path"], "set-id")
            assert hint.outcome is Outcome.INFO
            assert hint.evidence["setuid"] is trap["setuid"] and hint.evidence["drops_privileges"] is True
        elif trap["kind"] == "origin-search-path":
            runpath = properties_of(image, trap["path"]).runpath
            assert runpath == (trap["entry"],) and trap["tag"] == "RUNPATH"
            assert at(findings, trap["path"], "search-path") == []

    assert {(f.discriminator, f.location.path) for f in fails} == expected, [f.to_dict() for f in fails]
    assert len(fails) == len(expected)

    [summary] = [f for f in findings if f.discriminator == "summary"]
    assert summary.evidence["examined"] == len(elf_files(image))
    groups = summary.evidence["groups"].values()
    if ground_truth(name)["arch"] == "mipsel":
        # Debian's glibc, BusyBox, dropbear and dnsmasq for mipsel mark the stack executable, lighttpd does not.
        assert sum(g["not_applicable"].get("nx", 0) for g in groups) > 0
        assert all("no-nx" not in g["lacking"] for g in groups)
    dnsmasq = [c for c in ground_truth(name)["components"] if c["name"] == "dnsmasq"]
    elf_paths = {f.device_path for f in elf_files(image)}
    hints = {f.location.path for f in findings if f.discriminator == "dangerous-functions"}
    for component in dnsmasq:
        # Debian's dnsmasq serves DNS and DHCP and calls popen and strcpy, behind a canary: a hint, not a FAIL.
        programs = {"/" + p for p in component["paths"] if "/sbin/" in "/" + p} & elf_paths
        assert programs and programs <= hints


def test_the_corpus_plants_and_traps_every_hardening_kind_in_more_than_one_packing() -> None:
    kinds: dict[str, set[str]] = {}
    for name in IMAGES:
        truth = ground_truth(name)
        for record in truth["plants"] + truth["traps"]:
            kinds.setdefault(record["kind"], set()).add(truth["layers"][-1])
    for kind in (*PLANTS, "setuid-drops-privileges", "origin-search-path"):
        assert len(kinds.get(kind, ())) >= 2, kind


# --- a real image with what the check must FAIL


def test_an_extracted_image_with_an_unhardened_server_set_id_busybox_and_a_tmp_rpath_fails(
    tmp_path: Path,
) -> None:
    binaries = tmp_path / "built"
    binaries.mkdir()
    image = tmp_path / "rootfs.tar.gz"
    with tarfile.open(image, "w:gz") as archive:
        for folder in ("rootfs", "rootfs/bin", "rootfs/etc", "rootfs/lib", "rootfs/usr", "rootfs/usr/sbin"):
            tar_member(archive, folder, type=tarfile.DIRTYPE, mode=0o755)
        tar_member(archive, "rootfs/etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n", mode=0o644)
        tar_member(archive, "rootfs/etc/inittab", b"::sysinit:/etc/init.d/rcS\n", mode=0o644)
        tar_member(archive, "rootfs/bin/busybox", build(binaries, "static-stripped").read_bytes(), mode=0o4755)
        tar_member(archive, "rootfs/usr/sbin/camd", build(binaries, "bare").read_bytes(), mode=0o755)
        tar_member(archive, "rootfs/usr/sbin/cloudd", build(binaries, "rpath").read_bytes(), mode=0o755)
        tar_member(archive, "rootfs/usr/sbin/httpd", build(binaries, "hardened").read_bytes(), mode=0o755)
    scanned_image = ScannedImage("camera.tar.gz", extract_firmware(image, tmp_path / "out"))
    fails = {(f.discriminator, f.location.path) for f in run_check(scanned_image) if f.outcome is Outcome.FAIL}
    assert fails == {
        ("set-id", "/bin/busybox"),
        ("dangerous-functions", "/usr/sbin/camd"),
        ("search-path", "/usr/sbin/cloudd"),
    }

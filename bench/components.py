"""Component identification benchmark: iotbaseline against cve-bin-tool on the same extracted trees.

Each corpus image is extracted once, outside the timing. Then, in the same run, on that extraction:

- ours: `ComponentInventoryCheck` through the checks runner (what `scan` does), in this process, over
  the whole tree (root filesystems, kernels, boot loaders);
- cve-bin-tool: its command on the image's root filesystem folder(s) (several are hard-linked into one
  folder, since it scans one), or with --scope all on everything extracted; offline: an empty CVE
  database prepared once by /work/shared/tools/cve-bin-tool-offline, `-u never`, and no network at all
  when `unshare -n` works.
  Its CycloneDX SBOM gives the components.

Times are wall-clock medians of --repeat runs. Each tool's start-up is measured once on its own: ours is
a fresh interpreter importing the check and loading the catalogue; cve-bin-tool's is its command on an
empty folder. Two ratios: "whole" = (ours + our start-up) / the cve-bin-tool command, process against
process; "scan" = ours / (the cve-bin-tool command - its start-up), identification against identification.

cve-bin-tool names products as NVD does (`linux_kernel`, `dropbear_ssh`); they are mapped onto our
components through the catalogue's CPE and `data/vulndb/aliases.yaml`.

    .venv/bin/python -m bench.components [--repeat 3] [--images NAME ...] [--scope rootfs|all]
                                         [--cve-bin-tool-venv /tmp/cve-bin-tool-venv]
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tests.corpus import IMAGES, build_image

from iotbaseline.checks.base import Need, ScannedImage
from iotbaseline.checks.runner import run_checks
from iotbaseline.components.catalogue import load_catalogue
from iotbaseline.components.check import ComponentInventoryCheck
from iotbaseline.components.model import Component
from iotbaseline.firmware.extract import ExtractionResult, extract_firmware
from iotbaseline.vulndb.aliases import ProductKey, bundled_aliases, normalise_name

PREPARE_SCRIPT = Path("/work/shared/tools/cve-bin-tool-offline")
CVE_BIN_TOOL_DATA = Path.home() / ".cache" / "cve-bin-tool"
OUR_START_UP = (
    "from iotbaseline.checks.runner import run_checks\n"
    "from iotbaseline.components.check import ComponentInventoryCheck\n"
    "from iotbaseline.components.catalogue import load_catalogue\n"
    "load_catalogue()\n"
)


@dataclass(frozen=True)
class Found:
    """One component as a tool reports it, with the names it may go by."""

    name: str
    version: str | None
    keys: frozenset[ProductKey]
    names: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.name} {self.version or '(no version)'}"


@dataclass(frozen=True)
class Comparison:
    same: list[tuple[Found, Found]]
    other_version: list[tuple[Found, list[Found]]]
    missed: list[Found]
    ours_only: list[Found]


@dataclass(frozen=True)
class ImageResult:
    name: str
    inputs: int
    ours_seconds: float
    theirs_seconds: float
    ours: list[Found]
    theirs: list[Found]
    comparison: Comparison


# --- cve-bin-tool ----------------------------------------------------------------------------------


class CveBinTool:
    def __init__(self, venv: Path, scratch: Path) -> None:
        self.program = venv / "bin" / "cve-bin-tool"
        self.scratch = scratch
        self.prefix = ["unshare", "-n"] if _can_unshare_network() else []

    def ensure_ready(self) -> None:
        """Create the venv and the empty offline database once (not timed)."""
        if self.program.exists() and (CVE_BIN_TOOL_DATA / "cve.db").exists():
            return
        print(
            f"preparing cve-bin-tool in {self.program.parents[1]} with {PREPARE_SCRIPT} "
            "(pip install from the package registry, an empty CVE database; once)",
            file=sys.stderr,
        )
        subprocess.run([str(PREPARE_SCRIPT), str(self.program.parents[1])], check=True, stdout=sys.stderr)

    def version(self) -> str:
        done = subprocess.run([str(self.program), "--version"], capture_output=True, text=True, check=False)
        return done.stdout.strip() or done.stderr.strip()

    def scan(self, folder: Path) -> tuple[float, Path]:
        """Wall seconds of one run on `folder`, and its CycloneDX SBOM."""
        sbom = self.scratch / "cve-bin-tool.cdx.json"
        sbom.unlink(missing_ok=True)
        command = [
            *self.prefix, str(self.program), "--offline", "-u", "never", "--disable-version-check",
            "--disable-validation-check", "-l", "error", "-f", "json", "-o", str(self.scratch / "report.json"),
            "--sbom-output", str(sbom), "--sbom-type", "cyclonedx", "--sbom-format", "json", str(folder),
        ]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=3600)
        seconds = time.perf_counter() - started
        # 0: no CVEs, 1: CVEs (impossible with the empty database); anything else is a failure
        if done.returncode not in (0, 1) or not sbom.exists():
            raise RuntimeError(f"cve-bin-tool failed on {folder} ({done.returncode}): {done.stderr[-2000:]}")
        return seconds, sbom


def _can_unshare_network() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode == 0


def sbom_components(sbom: Path) -> list[Found]:
    """The components of cve-bin-tool's SBOM, less its root (the scanned folder)."""
    document = json.loads(sbom.read_text())
    found: dict[tuple[str, str | None], Found] = {}
    for component in document.get("components", []):
        name = str(component.get("name") or "")
        if not name or name.startswith("CVEBINTOOL-"):
            continue
        keys: set[ProductKey] = set()
        names = {normalise_name(name)}
        parts = str(component.get("cpe") or "").split(":")  # cpe:/a:vendor:product:version (CPE 2.2 URI)
        if len(parts) >= 4:
            keys.add((parts[2].lower(), parts[3].lower()))
            names.add(normalise_name(parts[3]))
        version = component.get("version")
        version = None if version in (None, "", "UNKNOWN") else str(version)
        found.setdefault((name, version), Found(name, version, frozenset(keys), frozenset(names)))
    return sorted(found.values(), key=lambda f: (f.name, f.version or ""))


def cve_bin_tool_input(extraction: ExtractionResult, scratch: Path, scope: str) -> tuple[Path, int]:
    """The folder to give cve-bin-tool. Scope "rootfs": the image's root filesystem, or its root
    filesystems hard-linked side by side (it scans one folder); "all" (or an image without a root
    filesystem): everything extracted, as our identification sees it."""
    root = extraction.tree.root
    folders = sorted({root / fs.path for fs in extraction.tree.rootfs}) if scope == "rootfs" else []
    folders = [f for f in folders if not any(other in f.parents for other in folders)]
    if not folders:
        folders = [p for p in root.iterdir() if p.is_dir() and p.name != ".iotbaseline"]
    if len(folders) == 1:
        return folders[0], 1
    staged = scratch / "cve-bin-tool-input"
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir()
    for index, folder in enumerate(folders):
        subprocess.run(["cp", "-al", str(folder), str(staged / f"{index}-{folder.name}")], check=True)
    return staged, len(folders)


# --- ours ------------------------------------------------------------------------------------------


def identify_ours(name: str, extraction: ExtractionResult) -> list[Component]:
    image = ScannedImage(name, extraction)
    _, runs = run_checks([ComponentInventoryCheck()], [image], frozenset({Need.FIRMWARE}))
    if runs[0].status != "ran" or image.facts.components is None:
        raise RuntimeError(f"component identification failed on {name}: {runs[0].note}")
    return image.facts.components


def our_found(components: Iterable[Component]) -> list[Found]:
    catalogue = load_catalogue()
    aliases = bundled_aliases()
    found = []
    for component in components:
        spec = catalogue.components.get(component.key)
        own_key = (spec.cpe_vendor, spec.cpe_product) if spec else None
        keys = aliases.keys_for(component.name, own_key)
        names = {normalise_name(component.name), normalise_name(component.key.removeprefix("package:"))}
        names |= {normalise_name(product) for _, product in keys}
        found.append(Found(component.name, component.version, keys, frozenset(names)))
    return found


# --- comparison ------------------------------------------------------------------------------------


def same_component(ours: Found, theirs: Found) -> bool:
    return bool(ours.keys & theirs.keys) or bool(ours.names & theirs.names)


def same_version(ours: str | None, theirs: str | None) -> bool:
    def norm(version: str | None) -> str:
        return (version or "").strip().lower().removeprefix("v")

    return theirs is None or norm(ours) == norm(theirs)


def compare(ours: list[Found], theirs: list[Found]) -> Comparison:
    same: list[tuple[Found, Found]] = []
    other_version: list[tuple[Found, list[Found]]] = []
    missed: list[Found] = []
    matched: set[int] = set()
    for their in theirs:
        candidates = [(i, o) for i, o in enumerate(ours) if same_component(o, their)]
        matched |= {i for i, _ in candidates}
        exact = [o for _, o in candidates if same_version(o.version, their.version)]
        if exact:
            same.append((their, exact[0]))
        elif candidates:
            other_version.append((their, [o for _, o in candidates]))
        else:
            missed.append(their)
    ours_only = [o for i, o in enumerate(ours) if i not in matched]
    return Comparison(same, other_version, missed, ours_only)


# --- measurement and report ------------------------------------------------------------------------


def median_seconds(run: Callable[[], float], repeat: int) -> float:
    return statistics.median(run() for _ in range(repeat))


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def our_start_up(repeat: int) -> float:
    command = [sys.executable, "-c", OUR_START_UP]
    return median_seconds(lambda: timed(lambda: subprocess.run(command, check=True)), repeat)


def bench_image(name: str, tool: CveBinTool, work: Path, repeat: int, scope: str) -> ImageResult:
    extraction = extract_firmware(build_image(name), work / name, force=True)
    components: list[Component] = []

    def ours_once() -> float:
        nonlocal components
        started = time.perf_counter()
        components = identify_ours(name, extraction)
        return time.perf_counter() - started

    ours_seconds = median_seconds(ours_once, repeat)
    folder, inputs = cve_bin_tool_input(extraction, work, scope)
    sboms: list[Path] = []

    def theirs_once() -> float:
        seconds, sbom = tool.scan(folder)
        sboms.append(sbom)
        return seconds

    theirs_seconds = median_seconds(theirs_once, repeat)
    ours, theirs = our_found(components), sbom_components(sboms[-1])
    shutil.rmtree(work / name)
    return ImageResult(name, inputs, ours_seconds, theirs_seconds, ours, theirs, compare(ours, theirs))


def labels(found: Iterable[Found]) -> str:
    return ", ".join(f.label for f in found) or "none"


def print_details(result: ImageResult) -> None:
    c = result.comparison
    print(f"== {result.name}")
    print(f"   cve-bin-tool ({result.inputs} folder(s)): {labels(result.theirs)}")
    print(f"   ours: {labels(result.ours)}")
    print(f"   same version: {', '.join(f'{t.label} = {o.label}' for t, o in c.same) or 'none'}")
    if c.other_version:
        print(f"   OTHER VERSION: {', '.join(f'{t.label} vs ours {labels(o)}' for t, o in c.other_version)}")
    if c.missed:
        print(f"   MISSED BY US: {labels(c.missed)}")
    print(f"   ours only: {labels(f for f in c.ours_only if f.version)}", flush=True)


def print_row(label: str, ours: float, theirs: float, ours_start: float, theirs_start: float, counts: str) -> None:
    whole = (ours + ours_start) / theirs
    scan = ours / max(theirs - theirs_start, 1e-3)
    print(f"{label:40} {ours:7.3f} {theirs:7.2f} {whole:6.2f} {scan:6.2f} {counts}")


def print_summary(results: list[ImageResult], ours_start: float, theirs_start: float) -> None:
    print()
    print(
        f"{'image':40} {'ours s':>7} {'cbt s':>7} {'whole':>6} {'scan':>6} {'cbt':>4} {'same':>5} "
        f"{'other':>5} {'miss':>5} {'ours':>5} {'ours+':>5}"
    )
    for r in results:
        c = r.comparison
        counts = (
            f"{len(r.theirs):4d} {len(c.same):5d} {len(c.other_version):5d} {len(c.missed):5d} "
            f"{sum(1 for f in r.ours if f.version):5d} {sum(1 for f in c.ours_only if f.version):5d}"
        )
        print_row(r.name, r.ours_seconds, r.theirs_seconds, ours_start, theirs_start, counts)
    n = len(results)
    found = sum(len(r.theirs) for r in results)
    same = sum(len(r.comparison.same) for r in results)
    other = sum(len(r.comparison.other_version) for r in results)
    missed = sum(len(r.comparison.missed) for r in results)
    ours_total = sum(r.ours_seconds for r in results)
    theirs_total = sum(r.theirs_seconds for r in results)
    counts = f"{found:4d} {same:5d} {other:5d} {missed:5d}"
    print_row(f"TOTAL ({n} images)", ours_total, theirs_total, ours_start * n, theirs_start * n, counts)
    print(
        f"start-up: ours {ours_start:.2f} s (interpreter, imports, catalogue), cve-bin-tool {theirs_start:.2f} s "
        "(its command on an empty folder)"
    )
    print(
        "whole = (ours + our start-up) / cve-bin-tool's command; scan = ours / (cve-bin-tool's command - its "
        "start-up);\ncbt = components cve-bin-tool found; ours = ours with a version; ours+ = of those, not found "
        "by cve-bin-tool"
    )
    whole = (ours_total + ours_start * n) / theirs_total
    worst = max((r.ours_seconds + ours_start) / r.theirs_seconds for r in results)
    print(
        f"target (every cve-bin-tool component, same version, in at most half its time): {same}/{found} same "
        f"version, {other} other version, {missed} missed; whole-process time ratio {whole:.2f} in total, "
        f"{worst:.2f} on the worst image"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--images", nargs="*", default=list(IMAGES))
    parser.add_argument(
        "--scope",
        choices=("rootfs", "all"),
        default="rootfs",
        help="what cve-bin-tool scans: the root filesystem folder(s), or everything extracted (kernels too)",
    )
    parser.add_argument("--cve-bin-tool-venv", type=Path, default=Path("/tmp/cve-bin-tool-venv"))
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
        help="where extractions go; tmpfs by default, so that both tools read from memory",
    )
    args = parser.parse_args()
    load_catalogue()  # our start-up, measured apart
    with tempfile.TemporaryDirectory(prefix="iotbaseline-bench-components-", dir=args.workdir) as scratch:
        work = Path(scratch)
        tool = CveBinTool(args.cve_bin_tool_venv, work)
        tool.ensure_ready()
        empty = work / "empty"
        empty.mkdir()
        theirs_start = median_seconds(lambda: tool.scan(empty)[0], args.repeat)
        ours_start = our_start_up(args.repeat)
        network = "no network namespace" if tool.prefix else "--offline only (unshare -n unavailable)"
        print(
            f"cve-bin-tool {tool.version()}, offline, {network}, scope {args.scope}; "
            f"{args.repeat} runs each, medians\n",
            flush=True,
        )
        results = []
        for name in args.images:
            results.append(bench_image(name, tool, work, args.repeat, args.scope))
            print_details(results[-1])
    print_summary(results, ours_start, theirs_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())

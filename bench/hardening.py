"""Binary hardening benchmark: our ELF analysis against `checksec --dir` on the same tree, same run.

    .venv/bin/python -m bench.hardening [--count 1000] [--tree DIR]

The tree: regular ELF files copied into a temporary folder (or `--tree`, an existing folder), from
the corpus' Debian packages for device CPUs (ARM, AArch64, MIPS; downloaded once by the corpus
builder) and the host's /usr/bin, /usr/sbin and libraries, up to `--count` files. Both tools walk
the whole folder and decide themselves which files are ELF. Ours runs in one process on one core,
as checksec (a shell script calling `file` and `readelf` per property) does.

Prints both wall times, the ratio, and per property (NX, PIE, RELRO, canary, FORTIFY) how many
files agree, disagree, and where we say "unknown" or "not applicable" while checksec says yes or
no, with examples of each disagreement.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import zip_longest
from pathlib import Path

from tests.corpus.cache import Cache

from iotbaseline.hardening import ElfProperties, FileSource, Mitigation, Relro, Role, elf_properties

HOST_FOLDERS = ("/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib")
PROPERTIES = ("nx", "pie", "relro", "canary", "fortify")


def build_tree(target: Path, count: int) -> int:
    """Copy up to `count` ELF files into `target`, flat, with safe names: one from each device CPU's
    Debian packages (the corpus') and one of the host's in turn, so that all are well represented."""
    debs = Cache.default().debs
    per_cpu = [_elf_files([folder]) for folder in sorted(debs.iterdir()) if folder.is_dir()] if debs.is_dir() else []
    host = _elf_files([Path(p) for p in HOST_FOLDERS])
    chosen = [p for group in zip_longest(*per_cpu, host) for p in group if p is not None][:count]
    for index, path in enumerate(chosen):
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in path.name)
        shutil.copyfile(path, target / f"{index:05d}-{safe}")
    return len(chosen)


def _elf_files(roots: list[Path]) -> list[Path]:
    seen: set[tuple[int, int]] = set()
    found = []
    for root in roots:
        for path in sorted(_regular_files(root)):
            info = path.stat()
            if (info.st_dev, info.st_ino) not in seen and _is_elf(path):
                seen.add((info.st_dev, info.st_ino))
                found.append(path)
    return found


def _regular_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def _is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(4) == b"\x7fELF"
    except OSError:
        return False


def run_ours(tree: Path) -> tuple[float, dict[str, ElfProperties]]:
    started = time.perf_counter()
    results = {}
    for path in _regular_files(tree):
        with path.open("rb") as stream:
            source = FileSource(stream)
            if source.read(0, 4) == b"\x7fELF":
                results[str(path)] = elf_properties(source, mode=os.fstat(stream.fileno()).st_mode)
    return time.perf_counter() - started, results


def time_other_parsers(paths: list[str]) -> None:
    """What reading the same structures (segments, dynamic entries, imports, section names) costs with
    lief and pyelftools, when installed: the measurement behind our own reader."""
    try:
        import lief
    except ImportError:
        print("lief        not installed")
    else:
        lief.logging.disable()
        config = lief.ELF.ParserConfig()
        config.parse_relocations = config.parse_symbol_versions = config.parse_notes = False
        config.parse_overlay = config.parse_symtab_symbols = False
        started = time.perf_counter()
        for path in paths:
            binary = lief.ELF.parse(path, config)
            if binary is not None:
                _ = ([s.type for s in binary.segments], [e.tag for e in binary.dynamic_entries])
                _ = ({s.name for s in binary.imported_symbols}, [s.name for s in binary.sections])
        print(f"lief        {time.perf_counter() - started:8.2f} s (parser trimmed to these structures)")
    try:
        from elftools.elf.elffile import ELFFile  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        print("pyelftools  not installed")
        return
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as stream:
            elf = ELFFile(stream)
            _ = [segment["p_type"] for segment in elf.iter_segments()]
            dynsym = elf.get_section_by_name(".dynsym")
            if dynsym is not None:
                _ = {s.name for s in dynsym.iter_symbols() if s["st_shndx"] == "SHN_UNDEF"}  # type: ignore[attr-defined,unused-ignore]
            _ = elf.get_section_by_name(".symtab")
    print(f"pyelftools  {time.perf_counter() - started:8.2f} s")


def run_checksec(tree: Path, checksec: str) -> tuple[float, dict[str, dict[str, str]]]:
    started = time.perf_counter()
    done = subprocess.run(
        [checksec, f"--dir={tree}", "--output=json"], capture_output=True, text=True, check=True, timeout=7200
    )
    seconds = time.perf_counter() - started
    data = json.loads(done.stdout)
    data.pop("dir", None)
    return seconds, data


def ours_as_checksec(properties: ElfProperties, name: str) -> str:
    """Our value in checksec's words; `unknown`/`n/a` where we decline to say yes or no."""
    value = getattr(properties, name)
    if name == "relro":
        return {Relro.FULL: "full", Relro.PARTIAL: "partial", Relro.NONE: "no"}.get(value, "n/a")
    if name == "pie" and properties.role is Role.LIBRARY:
        return "dso"
    return {Mitigation.PRESENT: "yes", Mitigation.ABSENT: "no", Mitigation.UNKNOWN: "unknown"}.get(value, "n/a")


def checksec_value(entry: dict[str, str], name: str) -> str:
    return entry["fortify_source"] if name == "fortify" else entry[name]


def compare(ours: dict[str, ElfProperties], theirs: dict[str, dict[str, str]]) -> None:
    both = sorted(set(ours) & set(theirs))
    counted = [p for p in both if ours[p].role in (Role.PROGRAM, Role.LIBRARY)]
    print(
        f"ELF files: ours {len(ours)}, checksec {len(theirs)}, both {len(both)}; programs and libraries {len(counted)}"
    )
    for name in PROPERTIES:
        tally: Counter[str] = Counter()
        examples: dict[str, list[str]] = defaultdict(list)
        for path in counted:
            mine, their = ours_as_checksec(ours[path], name), checksec_value(theirs[path], name)
            if mine == their or (name, mine, their) == ("fortify", "n/a", "no"):
                key = "agree"  # checksec's "no" FORTIFY includes "nothing to fortify"
            elif mine in ("unknown", "n/a"):
                key = f"we say {mine}, checksec {their}"
            else:
                key = f"ours {mine} / checksec {their}"
            tally[key] += 1
            if key != "agree" and len(examples[key]) < 3:
                examples[key].append(f"{Path(path).name} ({ours[path].arch})")
        agree = tally.pop("agree", 0)
        rest = "; ".join(f"{key}: {n} e.g. {', '.join(examples[key])}" for key, n in tally.most_common())
        print(f"  {name:8} agree {agree}/{len(counted)}" + (f"; {rest}" if rest else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--tree", type=Path, help="an existing folder of files instead of the copied one")
    parser.add_argument("--parsers", action="store_true", help="also time lief and pyelftools on the same files")
    arguments = parser.parse_args()
    checksec = shutil.which("checksec")
    if checksec is None:
        print("checksec is not installed (Debian package `checksec`)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-hardening-") as scratch:
        tree = arguments.tree
        if tree is None:
            tree = Path(scratch)
            copied = build_tree(tree, arguments.count)
            print(f"tree: {copied} ELF files copied into {tree}")
        ours_seconds, ours = run_ours(tree)
        theirs_seconds, theirs = run_checksec(tree, checksec)
        print(f"ours     {ours_seconds:8.2f} s  ({ours_seconds / max(len(ours), 1) * 1000:.2f} ms per ELF)")
        print(f"checksec {theirs_seconds:8.2f} s  ({theirs_seconds / max(len(theirs), 1) * 1000:.2f} ms per ELF)")
        print(f"ratio: ours is {theirs_seconds / ours_seconds:.0f}x faster")
        if arguments.parsers:
            time_other_parsers(sorted(ours))
    compare(ours, theirs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

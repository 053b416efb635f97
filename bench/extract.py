"""Extraction benchmark: iotbaseline vs the `unblob` command alone, and vs the native floor.

For every corpus image, in the same run: wall time (median of --repeat runs), peak memory (the
largest process's maximum RSS, from GNU time, the same measure for both) and regular files
recovered. The floor is `unsquashfs` alone on the SquashFS carved out of the ~64 MB bench image.

    .venv/bin/python -m bench.extract [--repeat 3] [--images NAME ...]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.corpus import IMAGES, build_image

VENV_BIN = Path(sys.executable).parent
GNU_TIME = "/usr/bin/time"
# Both tools find the extractors their Python dependencies install (jefferson, ubireader_*).
ENVIRONMENT = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kib: int
    files: int


def timed(command: list[str], output: Path) -> tuple[float, int]:
    """Wall seconds and the largest process's peak RSS (KiB) of one command."""
    if output.exists():
        shutil.rmtree(output)
    done = subprocess.run(
        [GNU_TIME, "-f", "%e %M", *command], capture_output=True, text=True, check=False, timeout=3600, env=ENVIRONMENT
    )
    seconds, peak = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(peak)


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and not p.is_symlink() and ".iotbaseline" not in p.parts)


def measure(command: list[str], output: Path, repeat: int) -> Run:
    runs = [timed(command, output) for _ in range(repeat)]
    return Run(
        seconds=statistics.median(r[0] for r in runs),
        peak_kib=max(r[1] for r in runs),
        files=count_files(output),
    )


def ours(image: Path, output: Path) -> list[str]:
    return [str(VENV_BIN / "iotbaseline"), "extract", str(image), "-o", str(output), "--json", "--force"]


def unblob_alone(image: Path, output: Path) -> list[str]:
    log = output.with_name(output.name + ".unblob.log")  # not in the current folder
    return [str(VENV_BIN / "unblob"), "-e", str(output), "--force", "--log", str(log), str(image)]


def squashfs_floor(image: Path, work: Path, repeat: int) -> tuple[Run, Run] | None:
    """unsquashfs alone on the SquashFS inside `image`, against our whole extraction of `image`."""
    probe = work / "probe"
    done = subprocess.run(ours(image, probe), capture_output=True, text=True, check=True)
    chunks = [f for f in json.loads(done.stdout)["formats"] if f["format"].startswith("squashfs")]
    if not chunks:
        return None
    chunk = max(chunks, key=lambda c: c["end"] - c["offset"])
    carved = work / "rootfs.sqfs"
    with image.open("rb") as source:
        source.seek(chunk["offset"])
        carved.write_bytes(source.read(chunk["end"] - chunk["offset"]))
    floor = measure(["unsquashfs", "-q", "-n", "-d", str(work / "floor"), str(carved)], work / "floor", repeat)
    whole = measure(ours(image, work / "ours-floor"), work / "ours-floor", repeat)
    return floor, whole


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--images", nargs="*", default=list(IMAGES))
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
        help="where outputs go; tmpfs by default, so that the VM disk's write-back does not dominate",
    )
    args = parser.parse_args()

    print(
        f"{'image':44} {'ours s':>7} {'unblob s':>8} {'ratio':>6} {'ours MiB':>8} {'unblob MiB':>10} "
        f"{'ours files':>10} {'unblob files':>12}"
    )
    ratios = []
    with tempfile.TemporaryDirectory(prefix="iotbaseline-bench-", dir=args.workdir) as scratch:
        work = Path(scratch)
        for name in args.images:
            image = build_image(name)
            mine = measure(ours(image, work / "ours"), work / "ours", args.repeat)
            theirs = measure(unblob_alone(image, work / "unblob"), work / "unblob", args.repeat)
            ratio = mine.seconds / theirs.seconds if theirs.seconds else float("inf")
            ratios.append(ratio)
            print(
                f"{name:44} {mine.seconds:7.2f} {theirs.seconds:8.2f} {ratio:6.2f} {mine.peak_kib / 1024:8.0f} "
                f"{theirs.peak_kib / 1024:10.0f} {mine.files:10d} {theirs.files:12d}"
            )
        print(f"time ratio ours/unblob: median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}")
        bench_images = [n for n in args.images if n.startswith("bench-")]
        for name in bench_images:
            result = squashfs_floor(build_image(name), work, args.repeat)
            if result is None:
                continue
            floor, whole = result
            print(
                f"floor on {name}: unsquashfs {floor.seconds:.2f} s ({floor.files} files), "
                f"ours on the whole image {whole.seconds:.2f} s ({whole.files} files): "
                f"{whole.seconds / floor.seconds:.2f}x the floor"
            )


if __name__ == "__main__":
    main()

"""Batch throughput: `iotbaseline batch` over 50 corpus images on 1 and 2 local workers and on a two-worker Dask
LocalCluster, in the same run.

The corpus has 31 device images besides the 60 MB benchmark image (left out: one image that long would make the
end of every run a single worker's wait); the first 19 are copied a second time under other names to reach 50.
Each configuration runs the command as a user would (`python -m iotbaseline.batch_cli`, a fresh output folder,
imports and worker start-up included). The Dask cluster is started before its timing, as a standing cluster
would be; its workers import iotbaseline on their first image, inside the timing, as the local pool does.

    .venv/bin/python -m bench.batch [--rounds 1] [--images 50]

Reports images per minute, the scaling factor from 1 to 2 local workers (target >= 1.8) and the Dask overhead
against the 2-worker local pool (target <= 10%). Medians over the rounds; configurations interleaved per round,
so that a busy neighbour on the machine weighs on all of them alike.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.corpus import IMAGES, build_image

CONFIGURATIONS = ("local-1", "local-2", "dask-2")


def corpus(folder: Path, count: int) -> list[str]:
    names = [name for name in IMAGES if not name.startswith("bench-")]
    folder.mkdir(parents=True)
    written: list[str] = []
    for index in range(count):
        source = build_image(names[index % len(names)])
        copy = source.name if index < len(names) else f"copy{index // len(names)}-{source.name}"
        shutil.copyfile(source, folder / copy)
        written.append(copy)
    return written


@contextmanager
def dask_cluster() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(  # type: ignore[no-untyped-call]  # distributed has no type hints
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def timed_batch(images: Path, out: Path, options: list[str]) -> float:
    command = [sys.executable, "-m", "iotbaseline.batch_cli", str(images), "-o", str(out), *options]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=3600)
    seconds = time.monotonic() - started
    counts = json.loads((out / "batch.json").read_text())["counts"] if (out / "batch.json").exists() else {}
    if done.returncode != 0 or counts.get("failed"):
        raise SystemExit(f"batch {' '.join(options)} failed ({done.returncode}, {counts}):\n{done.stderr[-2000:]}")
    shutil.rmtree(out)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
        help="where outputs go; tmpfs by default, so that the VM disk's write-back does not dominate",
    )
    args = parser.parse_args()
    seconds: dict[str, list[float]] = {name: [] for name in CONFIGURATIONS}
    with tempfile.TemporaryDirectory(prefix="iotbaseline-bench-batch-", dir=args.workdir) as scratch:
        work = Path(scratch)
        names = corpus(work / "images", args.images)
        print(f"{len(names)} images ({len(set(names))} files), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        with dask_cluster() as address:
            options = {"local-1": ["--workers", "1"], "local-2": ["--workers", "2"], "dask-2": ["--dask", address]}
            for round_number in range(args.rounds):
                for name in CONFIGURATIONS:
                    taken = timed_batch(work / "images", work / f"out-{name}", options[name])
                    seconds[name].append(taken)
                    print(f"round {round_number + 1} {name:8} {taken:7.1f} s {60 * len(names) / taken:6.1f} images/min")
    median = {name: statistics.median(values) for name, values in seconds.items()}
    for name in CONFIGURATIONS:
        print(f"{name:8} median {median[name]:7.1f} s  {60 * len(names) / median[name]:6.1f} images/min")
    print(f"scaling 1 -> 2 local workers: {median['local-1'] / median['local-2']:.2f}x (target >= 1.8x)")
    overhead = median["dask-2"] / median["local-2"] - 1
    print(f"Dask overhead vs the 2-worker local pool: {100 * overhead:+.1f}% (target <= 10%)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""Our cracker against John the Ripper on the same hashes and the same candidate list, same run.

    .venv/bin/python bench/crack.py [--workers 2]

Hashes: md5crypt, sha512crypt, DES and bcrypt (cost 5), some with a password from the list (early,
middle, late) and some without. Candidates: the dictionary the check uses (vendor defaults and weak
passwords). John runs in wordlist mode, one format at a time (it loads one format per run), with
`--fork=N` and its own pot file: core john has no `--pot`, so HOME (where it keeps ~/.john/john.pot)
is a temporary folder. Prints wall times, the ratio, and whether
both cracked the same set.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bcrypt

from iotbaseline.checks.accounts.cracker import Cracker, CrackTarget, Parallelism
from iotbaseline.checks.accounts.dictionary import Dictionary
from iotbaseline.checks.accounts.hashing import libxcrypt
from iotbaseline.checks.accounts.schemes import identify

# Debian's john is 1.9.0 core: no sha512crypt of its own; `crypt` is the system's crypt(3) (libxcrypt).
JOHN_FORMATS = {"md5crypt": "md5crypt", "sha512crypt": "crypt", "descrypt": "descrypt", "bcrypt": "bcrypt"}


def candidate_list() -> list[bytes]:
    """The check's dictionary, less what a wordlist file cannot carry (empty, newlines, non-UTF-8)."""
    return [c for c in Dictionary().passwords if c and b"\n" not in c and b"\r" not in c and c.strip() == c]


def make_hashes(words: list[bytes]) -> dict[str, tuple[str, bytes | None]]:
    """user -> (hash, the password if it is in the list)."""
    picks = {"early": words[3], "middle": words[len(words) // 2], "late": words[-2]}
    unlisted = b"Unlisted-9f3c1e7a"
    settings = {
        "md5crypt": lambda i: f"$1$bench{i:03d}$".encode(),
        "sha512crypt": lambda i: f"$6$benchsalt{i:06d}$".encode(),
        "descrypt": lambda i: f"{'./abcdefgh'[i]}{'0123456789'[i]}".encode(),
    }
    hashes: dict[str, tuple[str, bytes | None]] = {}
    index = 0
    for scheme in ("md5crypt", "sha512crypt", "descrypt", "bcrypt"):
        for label, password in [*picks.items(), ("absent", unlisted)]:
            if scheme == "descrypt" and label == "late" and len(password) > 8:
                password = words[-3]
            index += 1
            if scheme == "bcrypt":
                stored = bcrypt.hashpw(password, bcrypt.gensalt(5)).decode()
            else:
                result = libxcrypt().crypt(password, settings[scheme](index % 10))
                assert result is not None
                stored = result.decode()
            hashes[f"{scheme}-{label}"] = (stored, None if label == "absent" else password)
    return hashes


def run_ours(
    hashes: dict[str, tuple[str, bytes | None]], words: list[bytes], workers: int, mode: Parallelism
) -> tuple[float, set[str]]:
    targets = []
    for stored, _ in hashes.values():
        scheme = identify(stored)
        assert scheme is not None
        targets.append(CrackTarget(scheme, stored, tuple(words)))
    started = time.perf_counter()
    outcomes = Cracker(workers=workers, budget_per_hash=None, parallelism=mode).crack(targets)
    seconds = time.perf_counter() - started
    return seconds, {user for user, outcome in zip(hashes, outcomes, strict=True) if outcome.password is not None}


def run_john(
    hashes: dict[str, tuple[str, bytes | None]], words: list[bytes], workers: int, john: str
) -> tuple[float, set[str]]:
    with tempfile.TemporaryDirectory(prefix="bench-john-") as scratch:
        folder = Path(scratch)
        wordlist = folder / "words.txt"
        wordlist.write_bytes(b"\n".join(words) + b"\n")
        environment = {**os.environ, "HOME": str(folder)}
        cracked: set[str] = set()
        seconds = 0.0
        for scheme, john_format in JOHN_FORMATS.items():
            file = folder / f"{scheme}.txt"
            file.write_text("".join(f"{u}:{h}\n" for u, (h, _) in hashes.items() if u.startswith(scheme + "-")))
            argv = [john, f"--format={john_format}", f"--wordlist={wordlist}",
                    f"--session={scheme}", str(file)]  # fmt: skip
            if workers > 1:
                argv.insert(1, f"--fork={workers}")
            started = time.perf_counter()
            subprocess.run(argv, cwd=folder, env=environment, capture_output=True, check=False, timeout=3600)
            seconds += time.perf_counter() - started
            show = subprocess.run(
                [john, "--show", f"--format={john_format}", str(file)],
                cwd=folder, env=environment, capture_output=True, text=True, check=False,
            )  # fmt: skip
            cracked |= {line.split(":", 1)[0] for line in show.stdout.splitlines() if line.startswith(scheme + "-")}
        return seconds, cracked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    john = shutil.which("john") or ("/usr/sbin/john" if Path("/usr/sbin/john").exists() else None)
    if john is None:
        print("john not found: apt-get install john", file=sys.stderr)
        return 2
    words = candidate_list()
    hashes = make_hashes(words)
    expected = {user for user, (_, password) in hashes.items() if password is not None}
    print(
        f"{len(hashes)} hashes (md5crypt, sha512crypt, DES, bcrypt cost 5), "
        f"{len(words):,} candidates, {args.workers} workers"
    )
    results = {}
    for mode in Parallelism:
        results[f"ours ({mode.value})"] = run_ours(hashes, words, args.workers, mode)
    results["john --fork"] = run_john(hashes, words, args.workers, john)
    for name, (seconds, cracked) in results.items():
        print(f"{name:22} {seconds:7.2f} s   cracked {len(cracked)}/{len(hashes)}   as expected: {cracked == expected}")
    john_seconds, john_cracked = results["john --fork"]
    ours_seconds, ours_cracked = results[f"ours ({Parallelism.THREADS.value})"]
    print(
        f"ratio ours (threads, the default)/john: {ours_seconds / john_seconds:.2f}  "
        f"same set cracked: {ours_cracked == john_cracked}"
    )
    return 0 if ours_cracked == john_cracked == expected else 1


if __name__ == "__main__":
    sys.exit(main())

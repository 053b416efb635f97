"""python -m tests.corpus build [NAME ...] | list | sample OUTDIR"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from tests.corpus import HOSTILE, IMAGES, build_all, build_image, ground_truth
from tests.corpus.cache import Cache
from tests.corpus.recipes import BY_NAME, SAMPLE
from tests.corpus.tools import CorpusError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build images (all by default)")
    build.add_argument("names", nargs="*", metavar="NAME")
    build.add_argument("-j", "--jobs", type=int, default=2)
    commands.add_parser("list", help="list the images, with their layers")
    sample = commands.add_parser("sample", help="write the README sample image and its truth")
    sample.add_argument("outdir", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            started = time.monotonic()
            build_all(args.jobs, tuple(args.names) or None)
            print(f"built in {time.monotonic() - started:.1f}s into {Cache.default().root}")
        elif args.command == "list":
            for name in IMAGES + HOSTILE:
                recipe = BY_NAME[name]
                print(f"{name:42} {recipe.arch:7} {recipe.description}")
        else:
            image = build_image(SAMPLE)
            args.outdir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(image, args.outdir / image.name)
            truth = Cache.default().truth(SAMPLE)
            ground_truth(SAMPLE)
            shutil.copyfile(truth, args.outdir / truth.name)
            print(f"wrote {args.outdir / image.name} and {args.outdir / truth.name}")
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

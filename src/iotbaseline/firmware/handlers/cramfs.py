"""cramfs handler: unblob's detection, extraction with util-linux's fsck.cramfs.

unblob extracts cramfs with 7z, which refuses ordinary relative links such as
`usr/bin/xargs -> ../../bin/busybox` ("dangerous link path") and turns absolute ones into links
to the host's output folder. fsck.cramfs (util-linux, the filesystem's own tool) writes links as
the device has them; unblob's post-extraction fix then makes absolute ones relative, and device
nodes are indexed and removed by our secure walk. It reads host-endian (little-endian) images
only; big-endian ones (rare: cramfsswap exists for them) still go to 7z. Writes stay inside the
output folder: Landlock confines the extractor where the kernel has it, and fsck.cramfs refuses
names with a slash.
"""

from pathlib import Path
from typing import Any

from unblob.extractors import Command
from unblob.handlers.filesystem import cramfs
from unblob.models import Extractor, ExtractResult, Handler

_LITTLE_ENDIAN_MAGIC = b"\x45\x3d\xcd\x28"
# fsck.cramfs creates its target folder itself and refuses one that exists.
_STAGING = ".cramfs-root"


class CramfsExtractor(Extractor):
    def __init__(self) -> None:
        self._native = Command("fsck.cramfs", "--extract={outdir}/" + _STAGING, "{inpath}")
        self._big_endian = Command("7z", "x", "-y", "{inpath}", "-o{outdir}")

    def get_dependencies(self) -> list[str]:
        return ["fsck.cramfs", "7z"]

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult | None:
        with inpath.open("rb") as image:
            little_endian = image.read(4) == _LITTLE_ENDIAN_MAGIC
        if not little_endian:
            return self._big_endian.extract(inpath, outdir)  # type: ignore[no-any-return]
        outdir.mkdir(parents=True, exist_ok=True)
        try:
            self._native.extract(inpath, outdir)
        finally:
            _move_up(outdir / _STAGING, outdir)  # keep what a failed run wrote
        return None


def _move_up(staging: Path, outdir: Path) -> None:
    if not staging.is_dir() or staging.is_symlink():
        return
    for child in staging.iterdir():
        child.rename(outdir / child.name)
    staging.rmdir()


class CramFSHandler(cramfs.CramFSHandler):
    EXTRACTOR = CramfsExtractor()  # type: ignore[assignment]


HANDLERS: tuple[type[Handler[Any]], ...] = (CramFSHandler,)

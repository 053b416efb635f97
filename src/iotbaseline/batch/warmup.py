"""A scan of a tiny image made here, once per worker process before its first image.

The scan loads its data on first use and keeps it: the standards, the signature and rule tables of the checks
(a dozen YAML files), the compiled pattern databases, report templates. Each image is scanned in a fork of the
worker, which inherits what the worker has loaded but loses what it loads itself; without this warm-up every
image paid the loading again (measured on a 0.8 MB corpus image, in its child: 1.4 s of which 1.0 s CPU without,
0.8 s of which 0.55 s CPU with the warm-up).
"""

import io
import sys
import tarfile
import tempfile
from pathlib import Path

_SCRIPT = b"""#!/bin/sh
telnetd -l /bin/sh
wget http://update.invalid/fw.bin -O /tmp/fw.bin && mtd write /tmp/fw.bin firmware
"""


def warm_up() -> None:
    """Raises what the scan raises: a scan that cannot scan this cannot scan the batch's images either."""
    from iotbaseline.catalogue import default_catalogue
    from iotbaseline.report import write_reports
    from iotbaseline.sbom.writer import write_sboms
    from iotbaseline.scan import ScanOptions, scan

    with tempfile.TemporaryDirectory(prefix="iotbaseline-warm-up-") as folder:
        image = _write_image(Path(folder) / "warm-up.tar")
        output = Path(folder) / "out"
        outcome = scan([image], output, options=ScanOptions(fetch_documents=False))
        write_reports(outcome.assessment, default_catalogue(), output)
        write_sboms(outcome, output)


def _write_image(path: Path) -> Path:
    """A root file system with what most checks read: accounts, a boot script, an ELF program."""
    with tarfile.open(path, "w") as archive:
        _add(archive, "etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n")
        _add(archive, "etc/shadow", b"root:$1$warmup$0123456789abcdefghijkl:19000:0:99999:7:::\n")
        _add(archive, "etc/init.d/rcS", _SCRIPT, mode=0o755)
        with Path(sys.executable).open("rb") as program:  # an ELF of this host: real headers, bounded read
            _add(archive, "bin/busybox", program.read(64 * 1024), mode=0o755)
    return path


def _add(archive: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    archive.addfile(info, io.BytesIO(data))

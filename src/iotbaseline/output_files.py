"""Writing result files (reports, SBOMs): all rendered first, each written whole or not at all."""

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from iotbaseline.errors import OutputError


def write_rendered(out_dir: Path, rendered: Sequence[tuple[str, str | bytes]], what: str) -> list[Path]:
    """Write each (file name, text or bytes) into `out_dir`, created if needed; text as UTF-8. Each file goes under a
    temporary name and is renamed into place, so a reader never sees half of one; render everything
    before calling, so that a renderer's error leaves nothing behind. `what` names the files in the
    error a user sees."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return [_write_atomically(out_dir / name, text) for name, text in rendered]
    except OSError as error:
        raise OutputError(f"cannot write {what} to {out_dir}: {error.strerror or error}") from error


def _write_atomically(path: Path, content: str | bytes) -> Path:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if isinstance(content, bytes):
            with os.fdopen(descriptor, "wb") as binary:
                binary.write(content)
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
                out.write(content)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path

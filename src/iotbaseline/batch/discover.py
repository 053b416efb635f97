"""Which files a batch scans, and the folder under OUT each one's results go to.

A PATH is an image file, a folder, or `@LIST`: a text file naming one image or folder per line (blank lines and
`#` comments ignored, relative paths taken from the list file's folder). Folders are walked recursively; the
walk passes over hidden files and folders, symbolic links, the batch's own output folder, and files that are
plainly not images (`data/batch/not_images.yaml`: documents, checksums, signatures, pictures). A file named on
the command line or in a list is always taken, even if it no longer exists: it becomes a failed entry, not a
stop of the whole batch.
"""

import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from iotbaseline.errors import InputError

LIST_PREFIX = "@"
MAX_LIST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class BatchImage:
    path: Path
    """Absolute (workers may run in another folder, or on another machine with the same mounts)."""
    name: str
    """Its folder under OUT: the file name, numbered (`fw.bin.2`) when two images share one."""


@dataclass(frozen=True)
class Discovery:
    images: tuple[BatchImage, ...]
    passed_over: int
    """Files the folder walks did not take as images."""


@dataclass(frozen=True)
class NotImages:
    suffixes: frozenset[str]
    names: frozenset[str]

    def excludes(self, file_name: str) -> bool:
        lowered = file_name.lower()
        return lowered in self.names or any(lowered.endswith(suffix) for suffix in self.suffixes)


def discover_images(paths: Sequence[str], output: Path, reserved: Iterable[str] = ()) -> Discovery:
    """The images named by `paths`, in the order given (a folder's files sorted), each once. `reserved`: names
    an image folder must not take (the batch's own files in OUT)."""
    walker = _Walker(_absolute(str(output), Path.cwd()), not_images())
    found: dict[Path, None] = {}
    for path in paths:
        for image in walker.expand(path, Path.cwd(), from_list=False):
            found.setdefault(image)
    names = distinct_names(list(found), frozenset(reserved))
    images = tuple(BatchImage(path, name) for path, name in zip(found, names, strict=True))
    return Discovery(images, walker.passed_over)


def distinct_names(paths: Sequence[Path], reserved: frozenset[str] = frozenset()) -> list[str]:
    """Folder names for `paths`: each file name, with a number when it is taken (by an earlier path or reserved)."""
    taken = set(reserved)
    names: list[str] = []
    for path in paths:
        name, number = path.name, 2
        while name in taken:
            name, number = f"{path.name}.{number}", number + 1
        taken.add(name)
        names.append(name)
    return names


@functools.cache
def not_images() -> NotImages:
    text = (files("iotbaseline") / "data" / "batch" / "not_images.yaml").read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        suffixes = frozenset(s.lower() for group in data["suffixes"].values() for s in group)
        names = frozenset(n.lower() for n in data["names"])
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"data/batch/not_images.yaml: {type(error).__name__}: {error}") from error
    if not all(s.startswith(".") for s in suffixes):
        raise ValueError("data/batch/not_images.yaml: every suffix starts with a dot")
    return NotImages(suffixes, names)


class _Walker:
    def __init__(self, output: Path, skipped: NotImages) -> None:
        self._output = output
        self._skipped = skipped
        self._lists: set[Path] = set()
        self.passed_over = 0

    def expand(self, given: str, base: Path, *, from_list: bool) -> Iterator[Path]:
        if given.startswith(LIST_PREFIX) and not from_list:
            yield from self._read_list(_absolute(given[len(LIST_PREFIX) :], base))
            return
        path = _absolute(given, base)
        if path.is_dir():
            if path == self._output or self._output in path.parents:
                raise InputError(f"{given}: inside the output folder; images and results must be apart")
            yield from self._walk(path)
        elif path.exists() or from_list:
            yield path
        else:
            raise InputError(f"{given}: no such file or folder")

    def _read_list(self, list_file: Path) -> Iterator[Path]:
        if list_file in self._lists:
            return
        self._lists.add(list_file)
        try:
            with list_file.open("rb") as stream:
                data = stream.read(MAX_LIST_BYTES + 1)
        except OSError as error:
            raise InputError(f"{list_file}: cannot read the list ({error.strerror or error})") from error
        if len(data) > MAX_LIST_BYTES:
            raise InputError(f"{list_file}: larger than {MAX_LIST_BYTES // (1024 * 1024)} MiB; not a list of images")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"{list_file}: not UTF-8 text ({error.reason} at byte {error.start})") from error
        for line in text.splitlines():
            entry = line.strip()
            if entry and not entry.startswith("#"):
                yield from self.expand(entry, list_file.parent, from_list=True)

    def _walk(self, folder: Path) -> Iterator[Path]:
        for root, folders, names in os.walk(folder, onerror=_walk_error):
            here = Path(root)
            folders[:] = sorted(f for f in folders if not f.startswith(".") and here / f != self._output)
            for name in sorted(names):
                path = here / name
                if name.startswith(".") or path.is_symlink() or not path.is_file() or self._skipped.excludes(name):
                    self.passed_over += 1
                    continue
                yield path


def _absolute(given: str, base: Path) -> Path:
    return Path(os.path.normpath(base / Path(given).expanduser()))


def _walk_error(error: OSError) -> None:
    raise InputError(f"{error.filename}: cannot list the folder ({error.strerror or error})") from error

"""What a static run reads from the root filesystem a script runs on: its files, links and folders by
device path. `services.device_files.DeviceFiles` is the implementation; a run never reads the host."""

import posixpath
from typing import Protocol

_GLOB_CHARS = frozenset("*?[")


class ImageFile(Protocol):
    @property
    def size(self) -> int: ...


class ImageFiles(Protocol):
    def read_text(self, device_path: str) -> str | None: ...

    def glob(self, pattern: str) -> list[str]: ...

    def exists(self, device_path: str) -> bool: ...

    def is_dir(self, device_path: str) -> bool: ...

    def file(self, device_path: str) -> ImageFile | None:
        """The regular file at the path, or None."""
        ...

    def link_target(self, device_path: str) -> str | None: ...

    def is_executable(self, device_path: str) -> bool | None:
        """None when the file is missing."""
        ...


def normalize(path: str) -> str:
    """An absolute device path without `.`, `..` or doubled slashes (`..` stops at `/`)."""
    normal = posixpath.normpath("/" + path)
    return "/" + normal.lstrip("/")


def has_glob(word: str) -> bool:
    return any(char in _GLOB_CHARS for char in word)

"""Where the ELF reader gets its bytes: random reads at an offset, never past the file's end.

The checks runner hands a check the first bytes of each file; the headers of an ELF are there, but
section headers sit at its end and the dynamic section in its data segment. `ContentSource` serves
what the content covers and reads the rest from the file, so that a scan reads each binary once.
"""

import os
from collections.abc import Callable
from typing import BinaryIO, Protocol

HEAD_READ = 64 * 1024
"""What `FileSource` reads first: ELF and program headers, and usually the dynamic symbols."""


class ElfSource(Protocol):
    @property
    def size(self) -> int: ...

    def read(self, offset: int, length: int) -> bytes:
        """Up to `length` bytes at `offset`; fewer at the end of the file, none past it."""
        ...


class BytesSource:
    def __init__(self, data: bytes) -> None:
        self._data = data

    @property
    def size(self) -> int:
        return len(self._data)

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0:
            return b""
        return self._data[offset : offset + length]


class FileSource:
    """Positional reads on an open file; its first `HEAD_READ` bytes are read once and kept."""

    def __init__(self, stream: BinaryIO) -> None:
        self._fd = stream.fileno()
        self._size = os.fstat(self._fd).st_size
        self._head = os.pread(self._fd, HEAD_READ, 0)

    @property
    def size(self) -> int:
        return self._size

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0 or offset >= self._size:
            return b""
        if offset + length <= len(self._head):
            return self._head[offset : offset + length]
        return os.pread(self._fd, min(length, self._size - offset), offset)


class ContentSource:
    """The content the runner read (a prefix of the file), then the file itself beyond it."""

    def __init__(self, content: bytes, size: int, open_file: Callable[[], BinaryIO]) -> None:
        self._content = content
        self._size = max(size, len(content))
        self._open_file = open_file
        self._stream: BinaryIO | None = None

    @property
    def size(self) -> int:
        return self._size

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0 or offset >= self._size:
            return b""
        if offset + length <= len(self._content):
            return self._content[offset : offset + length]
        if self._stream is None:
            self._stream = self._open_file()
        return os.pread(self._stream.fileno(), min(length, self._size - offset), offset)

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

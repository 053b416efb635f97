"""Where an extracted file came from: the chain of containers and offsets down from the image.

unblob tags every task with the id of the chunk it was extracted from, and every chunk report
names its container file, handler and offsets; following ids upwards gives the chain.
"""

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iotbaseline.firmware.journal import TaskRecord  # imports unblob, which reading a tree does not need


@dataclass(frozen=True)
class Layer:
    container: str
    """The file the chunk was found in, relative to the output folder (the image's own name for
    the outermost layer)."""
    format: str
    """unblob handler name, e.g. trx_v1, uimage, squashfs_v4_le."""
    offset: int
    end: int

    def to_dict(self) -> dict[str, str | int]:
        return {"container": self.container, "format": self.format, "offset": self.offset, "end": self.end}


class OriginIndex:
    def __init__(self, records: "list[TaskRecord]", relative: dict[str, str]) -> None:
        """`relative` maps the absolute paths in the journal to paths relative to the output
        folder (the input image maps to its name)."""
        self._blob_of: dict[str, str] = {}
        self._chunk: dict[str, tuple[str, str, int, int]] = {}
        for record in records:
            path = relative.get(record.path, record.path)
            self._blob_of[path] = record.blob_id
            for chunk in record.chunks:
                self._chunk[chunk.id] = (path, chunk.handler, chunk.start, chunk.end)
        self._cache: dict[str, tuple[Layer, ...]] = {}

    def chain(self, path: str) -> tuple[Layer, ...]:
        """Layers from the outermost container to the one `path` was extracted from."""
        blob = self._nearest_blob(path)
        return self._chain_of_blob(blob) if blob else ()

    def _nearest_blob(self, path: str) -> str:
        for candidate in (path, *(str(p) for p in PurePosixPath(path).parents)):
            if candidate in self._blob_of:
                return self._blob_of[candidate]
        return ""

    def _chain_of_blob(self, first: str) -> tuple[Layer, ...]:
        cached = self._cache.get(first)
        if cached is not None:
            return cached
        blob = first
        layers: list[Layer] = []
        seen: set[str] = set()
        while blob and blob in self._chunk and blob not in seen:
            seen.add(blob)
            container, handler, start, end = self._chunk[blob]
            layers.append(Layer(container, handler, start, end))
            blob = self._blob_of.get(container, "")
        chain = tuple(reversed(layers))
        self._cache[first] = chain
        return chain

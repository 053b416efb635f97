"""A firmware check that gathers what it reads in an image's files and judges it once the image is done.

It keeps one record per image: made at `start`, filled by `gather` for each file `visit` passes on, handed to
`judge` at `finish`. Files under the documentation folders its rules name are not passed on: an example
configuration or script there is not what the device runs.
"""

from abc import abstractmethod
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from iotbaseline.checks.base import Check, CheckSettings, ScannedImage
from iotbaseline.firmware.tree import TreeFile
from iotbaseline.model import Finding

Record = TypeVar("Record")


class GatheringCheck(Check, Generic[Record]):
    def __init__(
        self, settings: CheckSettings | None, new_record: Callable[[], Record], documentation_paths: Iterable[str]
    ) -> None:
        super().__init__(settings)
        self._new_record = new_record
        self._documentation_paths = tuple(documentation_paths)
        self._records: dict[str, Record] = {}

    def start(self, image: ScannedImage) -> Iterable[Finding]:
        self._records[image.name] = self._new_record()
        return ()

    def visit(self, image: ScannedImage, file: TreeFile, content: bytes) -> Iterable[Finding]:
        shown = file.device_path or file.path
        if not any(shown.startswith(prefix) for prefix in self._documentation_paths):
            record = self._records.setdefault(image.name, self._new_record())
            self.gather(record, image, file, shown, content)
        return ()

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        return self.judge(image, self._records.pop(image.name, self._new_record()))

    @abstractmethod
    def gather(self, record: Record, image: ScannedImage, file: TreeFile, shown: str, content: bytes) -> None:
        """Read one file into the image's record; `shown` is its path on the device, else in the extraction."""

    @abstractmethod
    def judge(self, image: ScannedImage, record: Record) -> Iterable[Finding]:
        """The image's findings, from all it gathered."""

"""The batch's progress on stderr: on a terminal a bar with counts and the time remaining; elsewhere (a CI log)
one line per finished image."""

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from iotbaseline.batch.manifest import BatchEntry
from iotbaseline.batch.plan import Action, PlannedImage
from iotbaseline.store.interface import ScanStatus


class BatchProgress:
    """A `BatchObserver`. Use as a context manager, after the worker processes have started (it runs a thread)."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._live = console.is_terminal
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            disable=not self._live,
        )
        self._checking = self._progress.add_task("Checking images", total=None, failed=0)
        self._scanning: TaskID | None = None
        self._kept = 0
        self._failed = 0

    def __enter__(self) -> "BatchProgress":
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._progress.stop()

    def planned(self, image: PlannedImage) -> None:
        self._progress.advance(self._checking)
        if image.action == Action.KEEP:
            self._kept += 1
        elif image.action == Action.UNREADABLE:
            self._failed += 1
            self._console.print(f"failed  {image.image.name}: {image.problem}", highlight=False, soft_wrap=True)

    def scanning(self, count: int) -> None:
        self._progress.update(self._checking, visible=False)
        if self._kept:
            self._console.print(f"{self._kept} images keep the results of an earlier run", highlight=False)
        self._scanning = self._progress.add_task("Scanning", total=count, failed=self._failed)

    def finished(self, entry: BatchEntry) -> None:
        if self._scanning is None:
            return
        failed = entry.status == ScanStatus.FAILED
        self._failed += failed
        self._progress.update(self._scanning, advance=1, failed=self._failed)
        if failed or not self._live:
            line = f"{entry.status.value:<7} {entry.name} ({entry.seconds or 0:.1f} s)"
            self._console.print(line + (f": {entry.reason}" if failed else ""), highlight=False, soft_wrap=True)

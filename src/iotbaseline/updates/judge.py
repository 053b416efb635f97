"""What an update script does for the image it flashes: where it came from, and which check, if
any, must succeed before it is written."""

from collections.abc import Callable
from dataclasses import dataclass

from iotbaseline.updates.script import Download, Flash, UpdaterScript, Verification, same_file


@dataclass(frozen=True)
class FlashJudgement:
    flash: Flash
    download: Download | None
    """The download the flashed image came from."""
    signature: Verification | None = None
    """A signature check of the image that the flash cannot run without."""
    installer_checked: bool = False
    """The installer the image is handed to (RAUC, SWUpdate with a key...) checks its signature."""
    ignored: Verification | None = None
    """A signature check whose failure does not stop the flash (or that runs after it)."""
    checksum: Verification | None = None
    fetched_key: Verification | None = None
    """A signature check against a key the script downloads itself: it proves nothing."""

    @property
    def verified(self) -> bool:
        return self.signature is not None or self.installer_checked


def judge_flashes(script: UpdaterScript, installer_checks: Callable[[Flash], bool]) -> list[FlashJudgement]:
    """One judgement per flash of a script that downloads before it flashes."""
    if not script.networked:
        return []
    return [_judge(script, flash, installer_checks(flash)) for flash in script.flashes]


def _judge(script: UpdaterScript, flash: Flash, installer_checked: bool) -> FlashJudgement:
    download = image_download(script, flash)
    outputs = {d.output for d in script.downloads if d.output and d.order < flash.order}
    signature = ignored = fetched = checksum = None
    for check in script.checks:
        if check.order > flash.order or not _covers(check, flash, download):
            if check.signature and check.order > flash.order and ignored is None:
                ignored = check
            continue
        if not check.signature:
            checksum = checksum or check
        elif check.key is not None and any(same_file(check.key, output) for output in outputs):
            fetched = fetched or check
        elif flash.order in check.gates:
            signature = signature or check
        else:
            ignored = ignored or check
    return FlashJudgement(flash, download, signature, installer_checked, ignored, checksum, fetched)


def image_download(script: UpdaterScript, flash: Flash) -> Download | None:
    """The download whose output is flashed; else the last file downloaded before the flash."""
    before = [d for d in script.downloads if d.order < flash.order]
    named = [d for d in before if same_file(d.output, flash.input)]
    if named:
        return named[-1]
    to_file = [d for d in before if not d.to_stdout]
    if to_file:
        return to_file[-1]
    return before[-1] if before else None


def _covers(check: Verification, flash: Flash, download: Download | None) -> bool:
    """Whether a check is about the flashed image (as far as the script names its files)."""
    if check.input is None or flash.input is None or flash.input.startswith("$"):
        return True
    if same_file(check.input, flash.input):
        return True
    return download is not None and same_file(check.input, download.output)

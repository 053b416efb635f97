"""Our unblob handlers, registered through unblob's plugin hook.

unblob has no handler for U-Boot images, needs the unpackaged `sasquatch` for SquashFS, and
loses device nodes and problems in cpio, extracts cramfs links wrongly with 7z, and does not say
when a zip holds unsafe names; it starts a process for every compressed stream; and its cpio,
ext, UBIFS and romfs extractions lose file modes (set-ID, executable). These fill those gaps.
The registry is this one explicit tuple; `unblob_setup.selected_handlers` builds the final
handler list from unblob's built-ins and what this hook returns.
"""

from typing import Any

from unblob.models import Handler
from unblob.plugins import hookimpl

from iotbaseline.firmware.handlers import cpio, cramfs, extfs, romfs, squashfs, streams, ubifs, uboot, zip

HANDLERS: tuple[type[Handler[Any]], ...] = (
    *squashfs.HANDLERS,
    *cpio.HANDLERS,
    *cramfs.HANDLERS,
    *extfs.HANDLERS,
    *ubifs.HANDLERS,
    *romfs.HANDLERS,
    *zip.HANDLERS,
    *streams.HANDLERS,
    *uboot.HANDLERS,
)


@hookimpl
def unblob_register_handlers() -> list[type[Handler[Any]]]:
    return list(HANDLERS)

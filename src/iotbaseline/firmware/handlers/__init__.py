"""Our unblob handlers, registered through unblob's plugin hook.

unblob has no handler for U-Boot images and needs the unpackaged `sasquatch` for SquashFS; these fill
those gaps. The registry is this one explicit tuple; `unblob_handlers.selected_handlers` builds the
final handler list from unblob's built-ins and what this hook returns.
"""

from typing import Any

from unblob.models import Handler
from unblob.plugins import hookimpl

from iotbaseline.firmware.handlers import squashfs, uboot

HANDLERS: tuple[type[Handler[Any]], ...] = (
    *squashfs.HANDLERS,
    *uboot.HANDLERS,
)


@hookimpl
def unblob_register_handlers() -> list[type[Handler[Any]]]:
    return list(HANDLERS)

"""unblob's SquashFS handlers, re-pointed at our extractor so that no sasquatch is needed.

Each class keeps unblob's NAME, PATTERNS, C_DEFINITIONS and calculate_chunk, so reports read the same;
only EXTRACTOR and DOC change. The handler selection drops unblob's built-ins with the same NAME.
SquashFS 1.x stays with unblob's built-in: our reader does not parse that layout.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from unblob.handlers.filesystem import squashfs as builtin
from unblob.models import Handler, HandlerDoc

from iotbaseline.firmware.squashfs import SquashfsExtractor

_NOTE = (
    "Extracted by iotbaseline's pure-Python SquashFS reader, which needs no sasquatch; standard 4.x "
    "little-endian images go to Debian's unsquashfs first."
)
SQUASHFS_EXTRACTOR = SquashfsExtractor()


def _doc(doc: HandlerDoc) -> HandlerDoc:
    return dataclasses.replace(doc, description=f"{doc.description} {_NOTE}")


class SquashFSv2Handler(builtin.SquashFSv2Handler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv2Handler.DOC)


class SquashFSv2NonStandardHandler(builtin.SquashFSv2NonStandardHandler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv2NonStandardHandler.DOC)


class SquashFSv3Handler(builtin.SquashFSv3Handler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv3Handler.DOC)


class SquashFSv3DDWRTHandler(builtin.SquashFSv3DDWRTHandler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv3DDWRTHandler.DOC)


class SquashFSv3BroadcomHandler(builtin.SquashFSv3BroadcomHandler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv3BroadcomHandler.DOC)


class SquashFSv3NSHandler(builtin.SquashFSv3NSHandler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv3NSHandler.DOC)


class SquashFSv4LEHandler(builtin.SquashFSv4LEHandler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv4LEHandler.DOC)


class SquashFSv4BEHandler(builtin.SquashFSv4BEHandler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv4BEHandler.DOC)


class SquashFSv4BroadcomHandler(builtin.SquashFSv4BroadcomHandler):
    EXTRACTOR = SQUASHFS_EXTRACTOR  # type: ignore[assignment]  # unblob's base narrows it to sasquatch's class
    DOC = _doc(builtin.SquashFSv4BroadcomHandler.DOC)


HANDLERS: tuple[type[Handler[Any]], ...] = (
    SquashFSv2Handler,
    SquashFSv2NonStandardHandler,
    SquashFSv3Handler,
    SquashFSv3DDWRTHandler,
    SquashFSv3BroadcomHandler,
    SquashFSv3NSHandler,
    SquashFSv4LEHandler,
    SquashFSv4BEHandler,
    SquashFSv4BroadcomHandler,
)

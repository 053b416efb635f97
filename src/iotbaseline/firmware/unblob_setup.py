"""How we drive unblob: which handlers, which configuration, where its logs go."""

import logging
import os
from pathlib import Path
from typing import Any, TextIO

import structlog
from unblob.handlers import BUILTIN_DIR_HANDLERS, BUILTIN_HANDLERS
from unblob.models import DirectoryHandler, Handler
from unblob.plugins import UnblobPluginManager
from unblob.processing import ExtractionConfig

from iotbaseline.firmware import handlers as our_handlers
from iotbaseline.firmware.declared_modes import recording_directory_modes, recording_modes
from iotbaseline.firmware.journal import JournalReporter
from iotbaseline.firmware.limits import ExtractionLimits

EXTRACT_SUFFIX = "_extract"


def selected_handlers() -> tuple[type[Handler[Any]], ...]:
    """unblob's built-ins, with ours (and any installed unblob plugin) registered through unblob's
    plugin hook. A plugin handler with the NAME of a built-in replaces it: that is how our
    SquashFS handlers take over from the built-ins that need the unpackaged sasquatch. Each one
    keeps the modes of what it extracts before unblob's clean-up changes them (`declared_modes`)."""
    manager = UnblobPluginManager()
    manager.load_setuptools_entrypoints()
    if not manager.is_registered(our_handlers):
        manager.register(our_handlers)
    extra = tuple(manager.load_handlers_from_plugins())
    replaced = {handler.NAME for handler in extra}
    kept = tuple(handler for handler in BUILTIN_HANDLERS if handler.NAME not in replaced)
    return tuple(recording_modes(handler) for handler in kept + extra)


def selected_directory_handlers() -> tuple[type[DirectoryHandler[Any]], ...]:
    return tuple(recording_directory_modes(handler) for handler in BUILTIN_DIR_HANDLERS)


def extraction_config(extract_root: Path, limits: ExtractionLimits) -> ExtractionConfig:
    return ExtractionConfig(
        extract_root=extract_root,
        randomness_depth=0,
        max_depth=limits.max_depth,
        process_num=max(1, len(os.sched_getaffinity(0))),
        handlers=selected_handlers(),
        dir_handlers=selected_directory_handlers(),
        progress_reporter=JournalReporter,
        keep_extracted_chunks=False,
        extract_suffix=EXTRACT_SUFFIX,
        carve_suffix=EXTRACT_SUFFIX,
    )


def send_unblob_logs_to(log_file: TextIO) -> None:
    """unblob logs through structlog, by default to stdout; warnings and worse go to our log file
    instead, and debug events are dropped before they are formatted (they cost time per file)."""
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.WriteLoggerFactory(file=log_file),
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.KeyValueRenderer(key_order=["timestamp", "level", "event"]),
        ],
        cache_logger_on_first_use=True,
    )

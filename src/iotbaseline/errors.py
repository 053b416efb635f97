"""Domain exceptions: each carries a message a user can act on; the CLI prints it as one line."""

EXIT_USAGE_ERROR = 2
"""Exit code for input or options a user must correct."""


class IotBaselineError(Exception):
    """Base of the errors iotbaseline reports to users instead of a traceback."""


class InputError(IotBaselineError):
    """The input cannot be used as given (missing file, not a regular file, unreadable)."""


class OutputError(IotBaselineError):
    """The output folder cannot be used (exists and is not empty, not writable)."""

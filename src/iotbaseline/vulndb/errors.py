"""The vulnerability database's errors: each message says what to do next."""

from iotbaseline.errors import IotBaselineError


class VulnDbError(IotBaselineError):
    """The vulnerability database or one of its inputs cannot be used as given."""


class DownloadError(VulnDbError):
    """A download from NVD or CISA failed; what was completed before it is kept."""

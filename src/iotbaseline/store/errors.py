from iotbaseline.errors import IotBaselineError


class StoreError(IotBaselineError):
    """The results database cannot be opened, migrated or written as asked."""

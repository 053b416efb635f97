"""iotbaseline: checks consumer IoT products against the legal security baseline."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("iotbaseline")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"

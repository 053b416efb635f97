"""iotbaseline: checks consumer IoT products against the legal security baseline."""

__version__ = "0.1.0"

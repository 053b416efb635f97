"""User data deletion (EN 303 645 5.11-1): factory-reset routines, what starts them and what they erase."""

from iotbaseline.reset.check import FactoryResetCheck

__all__ = ["FactoryResetCheck"]

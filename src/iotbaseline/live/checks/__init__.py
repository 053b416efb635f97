"""Checks over the live evidence (`Need.LIVE`): pure judgements of what the probe observed."""

from iotbaseline.live.checks.services_check import LiveServicesCheck

__all__ = ["LiveServicesCheck"]

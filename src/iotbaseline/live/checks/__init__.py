"""Checks over the live evidence (`Need.LIVE`): pure judgements of what the probe observed."""

from iotbaseline.live.checks.access_check import LiveAccessCheck
from iotbaseline.live.checks.credentials_check import LiveCredentialsCheck
from iotbaseline.live.checks.services_check import LiveServicesCheck
from iotbaseline.live.checks.tls_check import LiveTlsCheck

__all__ = ["LiveAccessCheck", "LiveCredentialsCheck", "LiveServicesCheck", "LiveTlsCheck"]

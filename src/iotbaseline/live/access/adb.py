"""ADB over TCP: identification's CNXN was answered with the device banner (open to any host) or with
AUTH (an authorised key is needed). No further exchange."""

from iotbaseline.live.access.place import AccessPlace, result
from iotbaseline.live.model import ObservedService
from iotbaseline.live.trials import AccessResult


async def adb_connect(place: AccessPlace, service: ObservedService) -> AccessResult | None:
    if service.protocol != "adb":
        return None
    required = service.evidence.get("authentication_required")
    if required is False:
        banner = str(service.evidence.get("device_banner", ""))
        return result(
            service, "adb-connect", True, f"CNXN answered with the device banner {banner[:80]!r}", banner=banner
        )
    if required is True:
        return result(service, "adb-connect", False, "CNXN answered with AUTH (an authorised key is needed)")
    return None

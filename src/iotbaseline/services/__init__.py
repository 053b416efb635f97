"""What starts at boot, and the dangerous services and interfaces among it (issue 6, points 1-2).

`boot_services(tree, rootfs)` reads the init system statically (boot.py and the modules it uses);
five checks judge the result: `BootServicesCheck` (the inventory), `NetworkServicesCheck` (telnet,
FTP, TFTP, r-services, network shells, UPnP), `DebugInterfacesCheck` (console shells, kernel command
line, adb), `ServiceConfigCheck` (SNMP, MQTT, SSH, web servers as root) and `BackdoorCheck` (known
backdoor strings, shells opened without login outside the boot path). What they match is data
(`data/services/*.yaml`).
"""

from iotbaseline.services.backdoor_check import BackdoorCheck
from iotbaseline.services.boot import boot_services, read_boot
from iotbaseline.services.boot_check import BootServicesCheck
from iotbaseline.services.config_check import ServiceConfigCheck
from iotbaseline.services.debug_check import DebugInterfacesCheck
from iotbaseline.services.model import BootService, How
from iotbaseline.services.network_check import NetworkServicesCheck

__all__ = [
    "BackdoorCheck",
    "BootService",
    "BootServicesCheck",
    "DebugInterfacesCheck",
    "How",
    "NetworkServicesCheck",
    "ServiceConfigCheck",
    "boot_services",
    "read_boot",
]

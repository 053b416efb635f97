"""miniupnpd's settings: whether UPnP IGD is on and whether secure mode (mappings only towards the
requesting host) is on, from its command line, miniupnpd.conf, and OpenWrt's /etc/config/upnpd."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.services.device_files import DeviceFiles
from iotbaseline.services.model import BootService, How
from iotbaseline.services.shell_access import option_values
from iotbaseline.services.uci import UciStore

_YES = ("yes", "1", "true", "on")


@dataclass(frozen=True)
class Setting:
    value: bool
    path: str
    line: int | None
    quoted: str


@dataclass(frozen=True)
class UpnpState:
    upnp: Setting | None
    """None: not set, and on by default."""
    secure: Setting | None
    """None: not set; secure by default since miniupnpd 2.0, not before."""
    config: str | None


def miniupnpd_state(service: BootService, files: DeviceFiles, spec: Mapping[str, Any]) -> UpnpState:
    upnp: Setting | None = None
    secure: Setting | None = None
    configs = option_values(service.words, "-f") or [str(p) for p in spec["config_files"]]
    config = next((path for path in configs if files.read_text(path) is not None), None)
    if config is not None:
        for number, raw in enumerate((files.read_text(config) or "").split("\n"), 1):
            key, separator, value = raw.split("#", 1)[0].strip().partition("=")
            if not separator:
                continue
            setting = Setting(value.strip().lower() in _YES, config, number, raw.strip())
            if key.strip() == "enable_upnp":
                upnp = setting
            elif key.strip() == "secure_mode":
                secure = setting
    uci_spec = spec["uci"]
    if service.how is How.PROCD:
        store = UciStore(files)
        uci = store.config(str(uci_spec["config"]))
        for section in uci.of_type(str(uci_spec["section"])) if uci is not None else ():
            for name, target in ((uci_spec["upnp"], "upnp"), (uci_spec["secure"], "secure")):
                option = section.get(str(name))
                if option is None:
                    continue
                setting = Setting(option.value.lower() in _YES, uci.path if uci else "", option.line, option.text)
                if target == "upnp":
                    upnp = setting
                else:
                    secure = setting
    for word in service.words:  # -S (1.x: secure on) and -S0 (2.x: secure off) override the file
        if word in ("-S", "-S1", "-S0"):
            secure = Setting(word != "-S0", service.source, service.line, service.text)
    return UpnpState(upnp, secure, config)

"""The inventory check: what each root filesystem starts at boot, as one INFO finding per root
filesystem. EN 303 645 5.6-1 and 5.6-5 cannot be decided from the firmware (only the manufacturer
knows which services the intended use needs), so this is the list an assessor weighs, never a PASS."""

from collections.abc import Iterable

from iotbaseline.checks.base import Check, ScannedImage
from iotbaseline.model import Finding, JSONValue
from iotbaseline.services.boot import BootReading, image_readings
from iotbaseline.services.findings import service_evidence, service_finding
from iotbaseline.services.rules import default_rules

SHOWN = 40


class BootServicesCheck(Check):
    id = "firmware.services.boot"
    version = "1"
    title = "Services started at boot"
    provisions = default_rules().kind("inventory").provisions

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        kind = default_rules().kind("inventory")
        for reading in image_readings(image.tree):
            yield service_finding(
                self.id, self.version, kind,
                image=image.name, path=None, line=None, quoted="",
                detail=_summary(reading),
                discriminator=reading.files.rootfs.path,
                evidence=_inventory(reading),
                title=f"{kind.title}: {len(reading.enabled)} ({reading.init.kind.value})",
            )  # fmt: skip


def _summary(reading: BootReading) -> str:
    enabled = reading.enabled
    disabled = [s for s in reading.services if not s.enabled]
    if not reading.sources:
        return f"no boot configuration found (init: {reading.init.kind.value}, {reading.init.evidence})"
    names = ", ".join(dict.fromkeys(s.name for s in enabled[:SHOWN]))
    text = f"{reading.init.kind.value} ({reading.init.evidence}) starts {len(enabled)} programs: {names or 'none'}"
    if disabled:
        text += f"; {len(disabled)} more are configured but not started"
    return text


def _inventory(reading: BootReading) -> dict[str, JSONValue]:
    return {
        "rootfs": reading.files.rootfs.path,
        "init": reading.init.kind.value,
        "init_evidence": reading.init.evidence,
        "services": [service_evidence(s) for s in reading.services if s.enabled],
        "not_started": [service_evidence(s) for s in reading.services if not s.enabled],
        "sources": list(reading.sources),
    }

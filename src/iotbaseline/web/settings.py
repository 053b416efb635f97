"""What the dashboard was started with."""

from dataclasses import dataclass, field
from pathlib import Path

from iotbaseline.batch.isolation import ProcessLimits
from iotbaseline.checks.base import CheckSettings
from iotbaseline.firmware.limits import MIB, ExtractionLimits

UPLOADS_FOLDER = "uploads"
SCANS_FOLDER = "scans"
MIN_TOKEN_CHARS = 16
"""A shorter token could be guessed over the network."""


@dataclass(frozen=True)
class DashboardSettings:
    data: Path
    """Absolute, resolved: uploads go to `data/uploads/`, each scan's reports to `data/scans/<folder>/`."""
    token: str | None = None
    """The access token; None only when every client is on loopback (nothing else can reach the server)."""
    token_for_loopback: bool = False
    """The token is asked of loopback clients too (`--token` given), not only of the others."""
    allow_paths: tuple[Path, ...] = ()
    """Absolute, resolved folders whose images may be named by path (`--allow-path`)."""
    max_upload_bytes: int = 512 * MIB
    workers: int = 1
    limits: ExtractionLimits = field(default_factory=ExtractionLimits)
    process: ProcessLimits = field(default_factory=lambda: ProcessLimits(3600.0, 4096 * MIB))
    checks: CheckSettings = field(default_factory=CheckSettings)
    secure_cookies: bool = False
    """Cookies marked Secure (the server is reached over HTTPS, e.g. behind a TLS proxy)."""

    @property
    def uploads(self) -> Path:
        return self.data / UPLOADS_FOLDER

    @property
    def scans(self) -> Path:
        return self.data / SCANS_FOLDER

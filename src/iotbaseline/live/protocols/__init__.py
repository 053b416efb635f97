"""Protocol readers: each sends the one harmless request its protocol expects (or none, for a service
that speaks first) and turns the answer into a Reading. Nothing here logs in, writes or configures."""

from dataclasses import dataclass, field

from iotbaseline.model import JSONValue


@dataclass
class Reading:
    """What one exchange established about a port."""

    protocol: str
    banner: str = ""
    """Sanitised text the service said (its banner, status line and Server header...)."""
    fields: dict[str, str] = field(default_factory=dict)
    """Values the product rules read (fingerprints.FIELDS: ssh, server, banner, negotiation, adb)."""
    evidence: dict[str, JSONValue] = field(default_factory=dict)

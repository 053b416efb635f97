"""The access-test data (`data/live/access.yaml`), loaded once and validated."""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from iotbaseline.checks.finding_kinds import FindingKind, parse_finding_kinds
from iotbaseline.live.data import LiveDataError, load_yaml


@dataclass(frozen=True)
class AccessSettings:
    mqtt_topic: str
    mqtt_seconds: float
    mqtt_messages: int
    rtsp_paths: tuple[str, ...]
    admin_paths: tuple[str, ...]
    admin_markers: tuple[str, ...]
    min_markers: int
    upnp_services: frozenset[str]
    findings: Mapping[str, FindingKind]

    def markers_in(self, text: str) -> list[str]:
        lowered = " ".join(text.lower().split())
        return [marker for marker in self.admin_markers if marker in lowered]


@functools.cache
def access_settings() -> AccessSettings:
    try:
        return parse_access_settings(load_yaml("access.yaml"))
    except (KeyError, TypeError, ValueError) as error:
        raise LiveDataError(f"data/live/access.yaml: {type(error).__name__}: {error}") from error


def parse_access_settings(data: Mapping[str, Any]) -> AccessSettings:
    paths = tuple(str(path) for path in data["rtsp_paths"]) + tuple(str(path) for path in data["admin_paths"])
    if not all(path.startswith("/") for path in paths):
        raise ValueError("rtsp_paths and admin_paths must start with /")
    mqtt = data["mqtt"]
    return AccessSettings(
        mqtt_topic=str(mqtt["topic"]),
        mqtt_seconds=float(mqtt["seconds"]),
        mqtt_messages=int(mqtt["messages"]),
        rtsp_paths=tuple(str(path) for path in data["rtsp_paths"]),
        admin_paths=tuple(str(path) for path in data["admin_paths"]),
        admin_markers=tuple(str(marker).lower() for marker in data["admin_markers"]),
        min_markers=int(data["min_markers"]),
        upnp_services=frozenset(str(kind) for kind in data["upnp_services"]),
        findings=parse_finding_kinds(data["findings"]),
    )

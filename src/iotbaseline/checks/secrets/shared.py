"""The cross-image index: a secret seen in two images is on every unit (PSTI's universal-default test).

Checks keep one index for the whole scan and report, when the scan concludes, one finding for each
secret seen in more than one image, listing every image and path.
"""

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Sighting:
    image: str
    path: str
    line: int | None = None

    def to_dict(self) -> dict[str, str | int]:
        shown: dict[str, str | int] = {"image": self.image, "path": self.path}
        if self.line is not None:
            shown["line"] = self.line
        return shown


class SharedSecretIndex:
    def __init__(self) -> None:
        self._sightings: dict[str, list[Sighting]] = defaultdict(list)

    def add(self, identity: str, sighting: Sighting) -> None:
        if sighting not in self._sightings[identity]:
            self._sightings[identity].append(sighting)

    def sightings(self, identity: str) -> list[Sighting]:
        return list(self._sightings.get(identity, ()))

    def images(self, identity: str) -> list[str]:
        return list(dict.fromkeys(s.image for s in self._sightings.get(identity, ())))

    def shared(self) -> list[str]:
        """Identities seen in more than one image, in the order first seen."""
        return [identity for identity, sightings in self._sightings.items() if len({s.image for s in sightings}) > 1]

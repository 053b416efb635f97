"""What identification produces: a Component (name, version, purl, CPE) and the evidence behind it.

Frozen and JSON-ready: the inventory check, the SBOM writers and vulnerability matching share them.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from iotbaseline.model import JSONValue


class Method(StrEnum):
    """How a component was recognised, best first."""

    PACKAGE_DB = "package-db"
    """A package manager's record (dpkg, opkg, Yocto/Buildroot manifest, os-release)."""
    SIGNATURE = "signature"
    """A version string inside a binary, found by a signature of `data/components/signatures.yaml`."""
    FILE_NAME = "file-name"
    """A library's soname, for libraries that carry no version text."""


CONFIDENCE = {Method.PACKAGE_DB: 0.95, Method.SIGNATURE: 0.8, Method.FILE_NAME: 0.5}
"""How far a version read by each method can be trusted (CycloneDX's identity confidence, 0..1)."""
PRESENCE_ONLY_CONFIDENCE = 0.3
"""A signature that proves the component is there but not which version it is."""


@dataclass(frozen=True)
class Evidence:
    method: Method
    path: str
    """The device path of the file (or the extracted path when outside a root filesystem)."""
    matched: str
    """The text that gave the component away (a version banner, a package stanza's Version line)."""
    offset: int | None = None
    """Byte offset of `matched` in the file (signatures)."""
    sha256: str | None = None
    distro_version: str | None = None
    """The distribution's full version (Debian's `2.90-4~deb12u2`), when the evidence shows it."""
    package: str | None = None
    """The package that holds it, as the package database names it."""
    confidence: float = 0.0

    def to_dict(self) -> dict[str, JSONValue]:
        data: dict[str, JSONValue] = {"method": self.method.value, "path": self.path, "matched": self.matched}
        optional = {
            "offset": self.offset,
            "sha256": self.sha256,
            "distro_version": self.distro_version,
            "package": self.package,
        }
        data["confidence"] = self.confidence
        data.update({key: value for key, value in optional.items() if value is not None})
        return data


@dataclass(frozen=True)
class Component:
    key: str
    """The catalogue id (`busybox`, `linux-kernel`) or, for packages we do not know, `package:NAME`."""
    name: str
    version: str | None
    """The upstream version (`2.90`), or None when only the component's presence is proven."""
    type: str
    """CycloneDX component type: library, application, operating-system, firmware."""
    purl: str
    cpe: str | None
    confidence: float
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    """Best first: package databases, then signatures, then file names."""

    @property
    def distro_version(self) -> str | None:
        return next((e.distro_version for e in self.evidence if e.distro_version), None)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.path for e in self.evidence))

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "key": self.key,
            "name": self.name,
            "version": self.version,
            "type": self.type,
            "purl": self.purl,
            "cpe": self.cpe,
            "confidence": self.confidence,
            "distro_version": self.distro_version,
            "evidence": [e.to_dict() for e in self.evidence],
        }

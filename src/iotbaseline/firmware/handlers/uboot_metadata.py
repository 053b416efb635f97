"""The records the U-Boot handlers write beside the payloads (uimage.json, fit.json).

They are evidence for later checks (which kernel, which board, whether boot images are signed), so
each field says exactly what was observed; nothing here is verified cryptographically.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from iotbaseline.firmware.handlers.uboot_payload import PayloadOutput

FORMAT_VERSION = 1


@dataclass(frozen=True)
class PayloadFile:
    path: str
    output: PayloadOutput


@dataclass(frozen=True)
class UImageMetadata:
    """The legacy header. Enumerations use mkimage's short names, `unknown-N` for others."""

    name: str
    os: str
    arch: str
    type: str
    compression: str
    load_address: str
    entry_point: str
    timestamp: int
    created: str | None
    data_size: int
    data_crc32: str
    data_crc_valid: bool | None  # None when the payload is truncated and the CRC cannot be checked
    files: list[PayloadFile]


@dataclass(frozen=True)
class FitSignature:
    """A `signature*` node of a configuration or an image."""

    node: str
    algo: str | None
    key_name_hint: str | None
    padding: str | None
    # The configuration properties the author asked to sign; None means mkimage's default list.
    sign_images: list[str] | None
    # What mkimage hashed for a configuration signature (the authoritative coverage), and the image
    # nodes the signature covers: those among the hashed nodes, or the image an image signature is in.
    hashed_nodes: list[str]
    covered_images: list[str]
    signer_name: str | None
    signer_version: str | None
    timestamp: int | None
    # True when the node carries a non-empty `value`, i.e. mkimage signed it with a key. A node
    # without a value only declares an intent to sign. The value itself is not verified here.
    signed: bool


@dataclass(frozen=True)
class FitImage:
    node: str
    description: str | None
    type: str | None
    arch: str | None
    os: str | None
    compression: str | None
    load_address: str | None
    entry_point: str | None
    data_location: str  # "embedded" (`data`), "external" (data-offset / data-position), or "missing"
    data_size: int | None
    hash_algorithms: list[str]
    signatures: list[FitSignature]
    cipher: str | None  # algorithm of a `cipher` node: the data is encrypted
    file: str | None
    output: PayloadOutput | None


@dataclass(frozen=True)
class FitConfiguration:
    node: str
    description: str | None
    compatible: list[str]
    images: dict[str, list[str]]  # kernel, fdt, ramdisk, loadables, ... -> image node names
    signatures: list[FitSignature]
    signed: bool  # at least one signature node carries a value


@dataclass(frozen=True)
class FitMetadata:
    description: str | None
    timestamp: int | None
    created: str | None
    images: list[FitImage]
    default_configuration: str | None
    configurations: list[FitConfiguration]


def utc_timestamp(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, OSError, ValueError):
        return None


def to_json(record: UImageMetadata | FitMetadata) -> bytes:
    return json.dumps({"format_version": FORMAT_VERSION, **asdict(record)}, indent=2).encode()

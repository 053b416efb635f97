"""Reading a FIT image's tree: where each image's data lies, what it is, and how it is signed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from iotbaseline.firmware.handlers.uboot_metadata import (
    FitConfiguration,
    FitImage,
    FitMetadata,
    FitSignature,
    utc_timestamp,
)
from iotbaseline.firmware.handlers.uboot_payload import PayloadOutput, record_problem, write_payload

if TYPE_CHECKING:
    from unblob.file_utils import File, FileSystem

    from iotbaseline.firmware.handlers.fdt import FdtNode, FlattenedDeviceTree

# U-Boot matches hash and signature subnodes by name prefix (FIT_HASH_NODENAME, FIT_SIG_NODENAME).
HASH_NODE_PREFIX = "hash"
SIGNATURE_NODE_PREFIX = "signature"
# Configuration properties that name images (FIT_*_PROP in U-Boot's image.h).
IMAGE_REFERENCE_PROPERTIES = (
    "kernel", "fdt", "ramdisk", "loadables", "firmware", "fpga", "setup", "standalone", "script",
)  # fmt: skip
_UNSAFE_FILE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._@,+-]")
MAX_FILE_STEM_LENGTH = 100


@dataclass(frozen=True)
class ImageData:
    """Where an image's bytes are, as absolute offsets in the file holding the FIT."""

    location: str
    offset: int
    size: int


def image_data(tree: FlattenedDeviceTree, node: FdtNode) -> ImageData | None:
    """Follow U-Boot's fit_image_get_data(): data-position, then data-offset, then inline data."""
    position = tree.integer(node, "data-position")
    offset = tree.integer(node, "data-offset")
    if position is not None or offset is not None:
        size = tree.integer(node, "data-size")
        if size is None:
            return None
        # data-offset counts from the end of the tree, rounded up to 4 bytes (mkimage -E).
        relative = position if position is not None else _align4(tree.header.totalsize) + (offset or 0)
        return ImageData("external", tree.start + relative, size)
    prop = node.properties.get("data")
    return ImageData("embedded", prop.offset, prop.size) if prop else None


def end_offset(tree: FlattenedDeviceTree, file: File) -> int:
    """The FIT ends after the tree or after the last external image, whichever is later."""
    end = tree.end
    for node in _image_nodes(tree):
        data = image_data(tree, node)
        if data and data.location == "external":
            end = max(end, data.offset + data.size)
    end = min(end, file.size())
    # mkimage pads external images to 4 bytes; take the padding along so it is no unknown chunk.
    padded = min(tree.start + _align4(end - tree.start), file.size())
    return padded if file[end:padded].strip(b"\0") == b"" else end


def extract_images(fs: FileSystem, file: File, tree: FlattenedDeviceTree) -> FitMetadata:
    writer = _ImageWriter(fs, file)
    images = [_extract_image(writer, tree, node) for node in _image_nodes(tree)]
    configurations = tree.root.child("configurations")
    timestamp = tree.integer(tree.root, "timestamp")
    return FitMetadata(
        description=tree.string(tree.root, "description"),
        timestamp=timestamp,
        created=utc_timestamp(timestamp),
        images=images,
        default_configuration=None if configurations is None else tree.string(configurations, "default"),
        configurations=[_configuration(tree, node) for node in (configurations.children if configurations else [])],
    )


def _image_nodes(tree: FlattenedDeviceTree) -> list[FdtNode]:
    images = tree.root.child("images")
    return [] if images is None else images.children


class _ImageWriter:
    """Writes image data to `<node>.bin` files.

    External data may point anywhere, so a hostile FIT could name the same megabytes from thousands of
    images. Real images never overlap, so all of them together read at most the file's size.
    """

    def __init__(self, fs: FileSystem, file: File):
        self._fs = fs
        self._file = file
        self._taken: set[str] = set()
        self._unread = file.size()

    def write(
        self, node_name: str, data: ImageData | None, compression: str, cipher: str | None
    ) -> tuple[str | None, PayloadOutput | None]:
        if data is None:
            record_problem(self._fs, None, f"FIT image {node_name!r} has no data", "Recorded its metadata only.")
            return None, None
        present = max(0, min(data.size, self._file.size() - data.offset))
        if present > self._unread:
            problem = f"FIT image {node_name!r} overlaps data extracted for other images"
            record_problem(self._fs, None, problem, "Skipped its data.")
            return None, None
        self._unread -= present
        file_name = _payload_file_name(node_name, self._taken)
        path = Path(file_name)
        if present < data.size:
            problem = f"FIT image {node_name!r} data truncated: {present} of {data.size} bytes present"
            record_problem(self._fs, path, problem, "Extracted what is present.")
        if cipher is not None:
            problem = f"FIT image {node_name!r} is encrypted ({cipher})"
            record_problem(self._fs, path, problem, "Wrote it as stored.")
            write_payload(self._fs, path, self._file, data.offset, present, "none")
            return file_name, PayloadOutput.RAW
        return file_name, write_payload(self._fs, path, self._file, data.offset, present, compression)


def _extract_image(writer: _ImageWriter, tree: FlattenedDeviceTree, node: FdtNode) -> FitImage:
    data = image_data(tree, node)
    compression = tree.string(node, "compression")
    cipher_node = node.child("cipher")
    cipher = None if cipher_node is None else (tree.string(cipher_node, "algo") or "unknown")
    file_name, output = writer.write(node.name, data, compression or "none", cipher)
    load, entry = tree.integer(node, "load"), tree.integer(node, "entry")
    return FitImage(
        node=node.name,
        description=tree.string(node, "description"),
        type=tree.string(node, "type"),
        arch=tree.string(node, "arch"),
        os=tree.string(node, "os"),
        compression=compression,
        load_address=None if load is None else f"{load:#010x}",
        entry_point=None if entry is None else f"{entry:#010x}",
        data_location="missing" if data is None else data.location,
        data_size=None if data is None else data.size,
        hash_algorithms=[
            tree.string(child, "algo") or "unknown"
            for child in node.children
            if child.name.startswith(HASH_NODE_PREFIX)
        ],
        signatures=_signatures(tree, node, signed_image=node.name),
        cipher=cipher,
        file=file_name,
        output=output,
    )


def _configuration(tree: FlattenedDeviceTree, node: FdtNode) -> FitConfiguration:
    signatures = _signatures(tree, node)
    return FitConfiguration(
        node=node.name,
        description=tree.string(node, "description"),
        compatible=tree.string_list(node, "compatible"),
        images={name: tree.string_list(node, name) for name in IMAGE_REFERENCE_PROPERTIES if name in node.properties},
        signatures=signatures,
        signed=any(signature.signed for signature in signatures),
    )


def _signatures(tree: FlattenedDeviceTree, node: FdtNode, signed_image: str | None = None) -> list[FitSignature]:
    """The signature subnodes of a configuration, or of an image (`signed_image`), which sign its data."""
    signatures = []
    for child in node.children:
        if not child.name.startswith(SIGNATURE_NODE_PREFIX):
            continue
        value = child.properties.get("value")
        signed = value is not None and value.size > 0
        hashed_nodes = tree.string_list(child, "hashed-nodes")
        declared = tree.string_list(child, "sign-images") if "sign-images" in child.properties else None
        image_signature_covers = [signed_image] if signed and signed_image else []
        covered = _covered_images(hashed_nodes) if signed_image is None else image_signature_covers
        signatures.append(
            FitSignature(
                node=child.name,
                algo=tree.string(child, "algo"),
                key_name_hint=tree.string(child, "key-name-hint"),
                padding=tree.string(child, "padding"),
                sign_images=declared,
                hashed_nodes=hashed_nodes,
                covered_images=covered,
                signer_name=tree.string(child, "signer-name"),
                signer_version=tree.string(child, "signer-version"),
                timestamp=tree.integer(child, "timestamp"),
                signed=signed,
            )
        )
    return signatures


def _covered_images(hashed_nodes: list[str]) -> list[str]:
    """The image nodes among the hashed paths: `/images/<name>`, not their hash subnodes."""
    prefix = "/images/"
    return [name for path in hashed_nodes if (name := path.removeprefix(prefix)) != path and name and "/" not in name]


def _payload_file_name(node_name: str, taken: set[str]) -> str:
    """`<node>.bin`, made a safe single path component and unique within the FIT."""
    stem = _UNSAFE_FILE_NAME_CHARACTERS.sub("_", node_name)[:MAX_FILE_STEM_LENGTH] or "image"
    name, suffix = f"{stem}.bin", 2
    while name in taken:
        name, suffix = f"{stem}-{suffix}.bin", suffix + 1
    taken.add(name)
    return name


def _align4(value: int) -> int:
    return (value + 3) & ~3

"""A bounded reader for flattened device trees (DTB), the container format of U-Boot FIT images.

The input is untrusted. Every offset is checked against the header's `totalsize`, the token walk is a
loop with an explicit stack (never recursion on a depth the input chooses), node and property counts
are capped, and property values stay `(offset, size)` references into the buffer, so parsing a FIT
that carries a 100 MiB kernel copies nothing but names and small values.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field

from unblob.file_utils import InvalidInputFormat

# unblob's File is an mmap; tests pass bytes. Both slice to bytes and work with struct.unpack_from.
FdtBuffer = bytes | mmap.mmap

FDT_MAGIC = 0xD00DFEED
# magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version, last_comp_version,
# boot_cpuid_phys, size_dt_strings, size_dt_struct
FDT_HEADER = struct.Struct(">10I")
# libfdt reads versions 16 and 17; older trees store full paths as node names.
FDT_MIN_VERSION = 16
FDT_LAST_COMPATIBLE_VERSION = 17

FDT_BEGIN_NODE = 1
FDT_END_NODE = 2
FDT_PROP = 3
FDT_NOP = 4
FDT_END = 9

# Far above real trees (a large SoC tree has ~2000 nodes and ~10000 properties; a FIT, dozens), and
# low enough that each magic number found in a file costs milliseconds to parse or reject.
MAX_DEPTH = 32
MAX_NODES = 4096
MAX_PROPERTIES = 32768
MAX_TOKENS = 65536  # NOP tokens count too: they are free to repeat
MAX_NAME_LENGTH = 1024
# Strings and cells read for metadata; a larger value is a data blob, not a description.
MAX_SMALL_VALUE_SIZE = 64 * 1024

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_PROP_HEADER = struct.Struct(">II")


class DeviceTreeFormatError(InvalidInputFormat):
    """The bytes are not a well-formed flattened device tree."""


@dataclass(frozen=True)
class FdtHeader:
    totalsize: int
    off_dt_struct: int
    off_dt_strings: int
    version: int
    size_dt_strings: int
    size_dt_struct: int


@dataclass(frozen=True)
class FdtProperty:
    """A property value as a slice of the buffer, in absolute buffer offsets."""

    offset: int
    size: int


@dataclass
class FdtNode:
    name: str
    properties: dict[str, FdtProperty] = field(default_factory=dict)
    children: list[FdtNode] = field(default_factory=list)

    def child(self, name: str) -> FdtNode | None:
        return next((node for node in self.children if node.name == name), None)


class FlattenedDeviceTree:
    """A parsed device tree whose property values are read on demand from `buffer`."""

    def __init__(self, buffer: FdtBuffer, start: int, header: FdtHeader, root: FdtNode):
        self._buffer = buffer
        self.start = start
        self.header = header
        self.root = root

    @classmethod
    def parse(cls, buffer: FdtBuffer, start: int = 0) -> FlattenedDeviceTree:
        header = read_header(buffer, start)
        root = _StructureWalk(buffer, start, header).run()
        return cls(buffer, start, header, root)

    @property
    def end(self) -> int:
        return self.start + self.header.totalsize

    def value(self, prop: FdtProperty) -> bytes:
        if prop.size > MAX_SMALL_VALUE_SIZE:
            raise DeviceTreeFormatError(f"property of {prop.size} bytes is too large to read as metadata")
        return self._buffer[prop.offset : prop.offset + prop.size]

    def string(self, node: FdtNode, name: str) -> str | None:
        strings = self.string_list(node, name)
        return strings[0] if strings else None

    def string_list(self, node: FdtNode, name: str) -> list[str]:
        prop = node.properties.get(name)
        if prop is None or prop.size > MAX_SMALL_VALUE_SIZE:
            return []
        raw = self.value(prop)
        return [_decode_name(item) for item in raw.rstrip(b"\0").split(b"\0")] if raw.strip(b"\0") else []

    def integer(self, node: FdtNode, name: str) -> int | None:
        """A one- or two-cell big-endian number (FIT addresses use two cells on 64-bit boards)."""
        prop = node.properties.get(name)
        if prop is None:
            return None
        if prop.size == _U32.size:
            return int(_U32.unpack_from(self._buffer, prop.offset)[0])
        if prop.size == _U64.size:
            return int(_U64.unpack_from(self._buffer, prop.offset)[0])
        return None


def read_header(buffer: FdtBuffer, start: int) -> FdtHeader:
    available = len(buffer) - start
    if start < 0 or available < FDT_HEADER.size:
        raise DeviceTreeFormatError("too short for a device tree header")
    (
        magic,
        totalsize,
        off_struct,
        off_strings,
        off_rsvmap,
        version,
        last_comp,
        _,
        size_strings,
        size_struct,
    ) = FDT_HEADER.unpack_from(buffer, start)
    if magic != FDT_MAGIC:
        raise DeviceTreeFormatError("bad device tree magic")
    if not FDT_HEADER.size <= totalsize <= available:
        raise DeviceTreeFormatError(f"totalsize {totalsize} does not fit the {available} available bytes")
    if version < FDT_MIN_VERSION or last_comp > FDT_LAST_COMPATIBLE_VERSION:
        raise DeviceTreeFormatError(f"unsupported device tree version {version} (compatible with {last_comp})")
    if version < 17:  # size_dt_struct appeared in version 17
        size_struct = totalsize - min(off_struct, totalsize)
    if off_struct % 4 or off_rsvmap % 8 or off_rsvmap > totalsize:
        raise DeviceTreeFormatError("misaligned or out-of-bounds block offsets")
    for offset, size in ((off_struct, size_struct), (off_strings, size_strings)):
        if offset < FDT_HEADER.size or offset + size > totalsize:
            raise DeviceTreeFormatError("structure or strings block outside the device tree")
    return FdtHeader(totalsize, off_struct, off_strings, version, size_strings, size_struct)


class _StructureWalk:
    """Turn the structure block's token stream into a node tree, checking every step."""

    def __init__(self, buffer: FdtBuffer, start: int, header: FdtHeader):
        self._buffer = buffer
        self._pos = start + header.off_dt_struct
        self._end = self._pos + header.size_dt_struct
        self._strings_start = start + header.off_dt_strings
        self._strings_end = self._strings_start + header.size_dt_strings
        self._token_count = 0
        self._node_count = 0
        self._property_count = 0

    def run(self) -> FdtNode:
        stack: list[FdtNode] = []
        root: FdtNode | None = None
        while True:
            token = self._token()
            if token == FDT_BEGIN_NODE:
                node = FdtNode(self._node_name())
                self._node_count += 1
                if self._node_count > MAX_NODES or len(stack) >= MAX_DEPTH:
                    raise DeviceTreeFormatError("device tree is too large or too deep")
                if stack:
                    stack[-1].children.append(node)
                elif root is None:
                    root = node
                else:
                    raise DeviceTreeFormatError("device tree has more than one root node")
                stack.append(node)
            elif token == FDT_END_NODE:
                if not stack:
                    raise DeviceTreeFormatError("unbalanced end of node")
                stack.pop()
            elif token == FDT_PROP:
                if not stack:
                    raise DeviceTreeFormatError("property outside of any node")
                name, prop = self._property()
                stack[-1].properties[name] = prop
            elif token == FDT_END:
                if stack or root is None:
                    raise DeviceTreeFormatError("structure block ends inside a node")
                return root
            elif token != FDT_NOP:
                raise DeviceTreeFormatError(f"unknown structure token {token:#x}")

    def _token(self) -> int:
        if self._pos + _U32.size > self._end:
            raise DeviceTreeFormatError("structure block ends without FDT_END")
        self._token_count += 1
        if self._token_count > MAX_TOKENS:
            raise DeviceTreeFormatError("device tree has too many tokens")
        value = int(_U32.unpack_from(self._buffer, self._pos)[0])
        self._pos += _U32.size
        return value

    def _node_name(self) -> str:
        name = _cstring(self._buffer, self._pos, min(self._end, self._pos + MAX_NAME_LENGTH + 1))
        self._pos = _align4(self._pos + len(name) + 1)
        return _decode_name(name)

    def _property(self) -> tuple[str, FdtProperty]:
        if self._pos + _PROP_HEADER.size > self._end:
            raise DeviceTreeFormatError("truncated property header")
        size, name_offset = _PROP_HEADER.unpack_from(self._buffer, self._pos)
        value_offset = self._pos + _PROP_HEADER.size
        if value_offset + size > self._end:
            raise DeviceTreeFormatError("property value runs past the structure block")
        self._property_count += 1
        if self._property_count > MAX_PROPERTIES:
            raise DeviceTreeFormatError("device tree has too many properties")
        name_start = self._strings_start + name_offset
        if name_start >= self._strings_end:
            raise DeviceTreeFormatError("property name offset outside the strings block")
        name = _cstring(self._buffer, name_start, min(self._strings_end, name_start + MAX_NAME_LENGTH + 1))
        self._pos = _align4(value_offset + size)
        return _decode_name(name), FdtProperty(value_offset, size)


def _cstring(buffer: FdtBuffer, start: int, limit: int) -> bytes:
    terminator = buffer.find(b"\0", start, limit)
    if terminator < 0:
        raise DeviceTreeFormatError("unterminated or overlong name")
    return buffer[start:terminator]


def _decode_name(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _align4(value: int) -> int:
    return (value + 3) & ~3

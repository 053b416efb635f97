"""LZMA as old router SDKs stored it in SquashFS blocks, found by trying the known layouts in turn.

squashfs-tools writes the ".lzma alone" header: one properties byte (lc/lp/pb), a 4-byte dictionary
size and an 8-byte uncompressed size. Vendor kernels dropped the size, wrote a properties byte that
is not the one used, or dropped the header entirely. Like sasquatch's "lzma adaptive" mode, this tries
the plausible layouts in order, remembers the one that worked, and searches the coder properties by
brute force only as a last resort.
"""

from __future__ import annotations

import lzma
from collections.abc import Iterator
from dataclasses import dataclass

from iotbaseline.firmware.squashfs.errors import CorruptImage

PROPS_SIZE = 5
ALONE_HEADER_SIZE = PROPS_SIZE + 8
_UNKNOWN_SIZE = 0xFFFF_FFFF_FFFF_FFFF
# liblzma accepts only lc + lp <= 4; streams outside that range cannot be decoded here.
_MAX_LC_PLUS_LP = 4
# The brute-force search is costly (hundreds of decoder runs), so it is attempted a few times per image.
_BRUTE_FORCE_BUDGET = 3
_BRUTE_FORCE_OFFSETS = range(14)


@dataclass(frozen=True)
class CoderProps:
    lc: int
    lp: int
    pb: int

    @classmethod
    def from_byte(cls, value: int) -> CoderProps | None:
        if value >= 9 * 5 * 5:
            return None
        props = cls(lc=value % 9, lp=(value // 9) % 5, pb=value // 45)
        return props if props.lc + props.lp <= _MAX_LC_PLUS_LP else None


STANDARD_PROPS = CoderProps(lc=3, lp=0, pb=2)


@dataclass(frozen=True)
class LzmaLayout:
    """Where the raw LZMA stream starts in a block, and which coder properties decode it."""

    name: str
    stream_offset: int
    # None: take the properties from the block's first byte.
    props: CoderProps | None = None
    # The 8 bytes before the stream hold the uncompressed size, which must then agree.
    has_size_field: bool = False


_LAYOUTS: tuple[LzmaLayout, ...] = (
    LzmaLayout("lzma alone", ALONE_HEADER_SIZE, has_size_field=True),
    LzmaLayout("lzma without size field", PROPS_SIZE),
    LzmaLayout("lzma alone, non-standard properties byte", ALONE_HEADER_SIZE, STANDARD_PROPS),
    LzmaLayout("lzma without size field, non-standard properties byte", PROPS_SIZE, STANDARD_PROPS),
    LzmaLayout("headerless lzma", 0, STANDARD_PROPS),
)


class AdaptiveLzma:
    name = "lzma"

    def __init__(self) -> None:
        self._learned: LzmaLayout | None = None
        self._brute_force_budget = _BRUTE_FORCE_BUDGET

    @property
    def learned_layout(self) -> LzmaLayout | None:
        return self._learned

    def decompress(self, data: bytes, limit: int, *, exact: bool) -> bytes:
        """Decode one block of at most `limit` bytes (exactly `limit` when `exact`)."""
        candidates: list[LzmaLayout] = [] if self._learned is None else [self._learned]
        candidates += [layout for layout in _LAYOUTS if layout != self._learned]
        for layout in candidates:
            output = _try_layout(data, layout, limit, exact=exact)
            if output is not None:
                self._learned = layout
                return output
        # Without a known output size any garbage decode would pass, so brute force needs `exact`.
        if exact and self._brute_force_budget > 0:
            self._brute_force_budget -= 1
            for layout in _brute_force_layouts():
                output = _try_layout(data, layout, limit, exact=True)
                if output is not None:
                    self._learned = layout
                    return output
        raise CorruptImage("block does not decode as LZMA in any known vendor layout")


def _brute_force_layouts() -> Iterator[LzmaLayout]:
    for offset in _BRUTE_FORCE_OFFSETS:
        for lc in range(5):
            for lp in range(5 - lc):
                for pb in range(5):
                    yield LzmaLayout(f"lzma lc={lc} lp={lp} pb={pb} at +{offset}", offset, CoderProps(lc, lp, pb))


def _try_layout(data: bytes, layout: LzmaLayout, limit: int, *, exact: bool) -> bytes | None:
    if len(data) <= layout.stream_offset:
        return None
    props = layout.props or (CoderProps.from_byte(data[0]) if len(data) >= PROPS_SIZE else None)
    if props is None:
        return None
    if layout.has_size_field:
        declared = int.from_bytes(data[PROPS_SIZE:ALONE_HEADER_SIZE], "little")
        if declared != _UNKNOWN_SIZE and (declared > limit or (exact and declared != limit)):
            return None
    output = _decode_raw(data[layout.stream_offset :], props, limit)
    if output is None or not output:
        return None
    if exact and len(output) != limit:
        return None
    if layout.has_size_field and declared != _UNKNOWN_SIZE and len(output) != declared:
        return None
    return output


def _decode_raw(stream: bytes, props: CoderProps, limit: int) -> bytes | None:
    # Back-references never reach beyond the block, so a dictionary the size of the block suffices
    # and avoids allocating the (often 8 MiB) dictionary the header asks for.
    dict_size = max(4096, 1 << (max(limit, 1) - 1).bit_length())
    decoder = lzma.LZMADecompressor(
        format=lzma.FORMAT_RAW,
        filters=[{"id": lzma.FILTER_LZMA1, "lc": props.lc, "lp": props.lp, "pb": props.pb, "dict_size": dict_size}],
    )
    try:
        return decoder.decompress(stream, max_length=limit)
    except lzma.LZMAError:
        return None

"""Packed C bitfield structs, as SquashFS 2.x and 3.x store inodes and directory entries.

The compiler that wrote the image packed bitfields from the least significant bit on little-endian
hosts and from the most significant bit on big-endian ones, with no padding. Reading the whole struct
as one integer in the image's byte order makes both cases a shift and a mask per field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from iotbaseline.firmware.squashfs.variants import Endian

Decoder = Callable[[bytes], tuple[int, ...]]


class BitStruct:
    def __init__(self, fields: Sequence[tuple[str, int]]) -> None:
        self.names = tuple(name for name, _ in fields)
        self.widths = tuple(width for _, width in fields)
        total_bits = sum(self.widths)
        if total_bits % 8:
            raise ValueError("a packed struct must fill whole bytes")
        self.size = total_bits // 8
        self._total_bits = total_bits

    def decoder(self, endian: Endian) -> Decoder:
        positions: list[int] = []
        position = 0
        for width in self.widths:
            positions.append(position)
            position += width
        if endian == "little":
            shifts = tuple(positions)
        else:
            shifts = tuple(
                self._total_bits - start - width for start, width in zip(positions, self.widths, strict=True)
            )
        masks = tuple((1 << width) - 1 for width in self.widths)
        fields = tuple(zip(shifts, masks, strict=True))
        size = self.size

        def decode(data: bytes) -> tuple[int, ...]:
            if len(data) != size:
                raise ValueError(f"expected {size} bytes, got {len(data)}")
            value = int.from_bytes(data, endian)
            return tuple((value >> shift) & mask for shift, mask in fields)

        return decode

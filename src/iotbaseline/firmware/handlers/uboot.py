"""unblob handlers for U-Boot's two image formats, the legacy uImage and the FIT image.

Both write each payload decompressed the way U-Boot would (`uboot_payload`) and a JSON record of the
image metadata (`uboot_metadata`) that later checks use as evidence: which kernel, for which board,
and whether the FIT configurations are signed for verified boot.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

from unblob.file_utils import (
    Endian,
    File,
    FileSystem,
    InvalidInputFormat,
    StructParser,
    iterate_file,
    round_up,
)
from unblob.models import (
    Extractor,
    ExtractResult,
    Handler,
    HandlerDoc,
    HandlerType,
    HexString,
    Reference,
    StructHandler,
    ValidChunk,
)

from iotbaseline.firmware.handlers import fit
from iotbaseline.firmware.handlers.fdt import FlattenedDeviceTree
from iotbaseline.firmware.handlers.uboot_metadata import PayloadFile, UImageMetadata, to_json, utc_timestamp
from iotbaseline.firmware.handlers.uboot_payload import record_problem, write_payload

UIMAGE_HEADER_SIZE = 64
# Real multi-file images hold a kernel, a ramdisk and maybe a device tree.
MAX_PARTS = 64

UIMAGE_C_DEFINITIONS = r"""
    typedef struct uimage_header {
        uint32 ih_magic;   /* 0x27051956 */
        uint32 ih_hcrc;    /* CRC32 of this header with ih_hcrc zeroed */
        uint32 ih_time;    /* creation time, seconds since the epoch */
        uint32 ih_size;    /* payload size */
        uint32 ih_load;
        uint32 ih_ep;
        uint32 ih_dcrc;    /* CRC32 of the payload */
        uint8 ih_os;
        uint8 ih_arch;
        uint8 ih_type;
        uint8 ih_comp;
        char ih_name[32];
    } uimage_header_t;
"""

# mkimage's short names (`mkimage -O list` and friends), indexed by the header byte values of U-Boot's
# include/image.h. Values past the end, or that mkimage leaves unnamed, are reported as unknown-N.
UIMAGE_OS = (
    "invalid", "openbsd", "netbsd", "freebsd", "4_4bsd", "linux", "svr4", "esix", "solaris", "irix",
    "sco", "dell", "ncr", "lynxos", "vxworks", "psos", "qnx", "u-boot", "rtems", "artos", "unity",
    "integrity", "ose", "plan9", "openrtos", "arm-trusted-firmware", "tee", "opensbi", "efi",
)  # fmt: skip
UIMAGE_ARCH = (
    "invalid", "alpha", "arm", "x86", "ia64", "mips", "mips64", "powerpc", "s390", "sh", "sparc",
    "sparc64", "m68k", "nios", "microblaze", "nios2", "blackfin", "avr32", "st200", "sandbox", "nds32",
    "or1k", "arm64", "arc", "x86_64", "xtensa", "riscv",
)  # fmt: skip
UIMAGE_TYPE = (
    "invalid", "standalone", "kernel", "ramdisk", "multi", "firmware", "script", "filesystem",
    "flat_dt", "kwbimage", "imximage", "ublimage", "omapimage", "aisimage", "kernel_noload",
    "pblimage", "mxsimage", "gpimage", "atmelimage", "socfpgaimage", "x86_setup", "lpc32xximage",
    "loadable", "rkimage", "rksd", "rkspi", "zynqimage", "zynqmpimage", "zynqmpbif", "fpga",
    "vybridimage", "tee", "firmware_ivt", "pmmc", "stm32image", "socfpgaimage_v1", "mtk_image",
    "imx8mimage", "imx8image", "copro", "sunxi_egon", "sunxi_toc0",
)  # fmt: skip
UIMAGE_COMPRESSION = ("none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd")
# mkimage puts a zero-terminated table of part sizes before the data of these types.
UIMAGE_TYPES_WITH_PART_TABLE = ("multi", "script")

_U32_BE = struct.Struct(">I")


def table_name(table: tuple[str, ...], value: int) -> str:
    return table[value] if value < len(table) else f"unknown-{value}"


class UImageExtractor(Extractor):
    def __init__(self) -> None:
        self._struct_parser = StructParser(UIMAGE_C_DEFINITIONS)

    def extract(self, inpath: Path, outdir: Path) -> ExtractResult:
        fs = FileSystem(outdir)
        with File.from_path(inpath) as file:
            header = self._struct_parser.parse("uimage_header_t", file, Endian.BIG)
            type_name = table_name(UIMAGE_TYPE, header.ih_type)
            compression = table_name(UIMAGE_COMPRESSION, header.ih_comp)
            present = min(header.ih_size, file.size() - UIMAGE_HEADER_SIZE)

            crc_valid: bool | None = None
            if present < header.ih_size:
                problem = f"uImage payload truncated: {present} of {header.ih_size} bytes present"
                record_problem(fs, None, problem, "Extracted what is present.")
            else:
                crc_valid = _crc32(file, UIMAGE_HEADER_SIZE, present) == header.ih_dcrc
                if not crc_valid:
                    record_problem(fs, None, "uImage data CRC32 mismatch", "Extracted anyway.")

            if type_name in UIMAGE_TYPES_WITH_PART_TABLE:
                files = _write_parts(fs, file, present, compression, type_name)
            else:
                path = Path(f"{type_name}.bin")
                output = write_payload(fs, path, file, UIMAGE_HEADER_SIZE, present, compression)
                files = [PayloadFile(str(path), output)]

        metadata = UImageMetadata(
            name=bytes(header.ih_name).split(b"\0", 1)[0].decode("utf-8", errors="replace"),
            os=table_name(UIMAGE_OS, header.ih_os),
            arch=table_name(UIMAGE_ARCH, header.ih_arch),
            type=type_name,
            compression=compression,
            load_address=f"{header.ih_load:#010x}",
            entry_point=f"{header.ih_ep:#010x}",
            timestamp=header.ih_time,
            created=utc_timestamp(header.ih_time),
            data_size=header.ih_size,
            data_crc32=f"{header.ih_dcrc:#010x}",
            data_crc_valid=crc_valid,
            files=files,
        )
        fs.write_bytes(Path("uimage.json"), to_json(metadata))
        return ExtractResult(reports=fs.problems)


def _crc32(file: File, offset: int, size: int) -> int:
    crc = 0
    for chunk in iterate_file(file, offset, size):
        crc = zlib.crc32(chunk, crc)
    return crc


def _write_parts(fs: FileSystem, file: File, payload_size: int, compression: str, type_name: str) -> list[PayloadFile]:
    """Multi-file images and scripts: a zero-terminated table of part sizes, then the parts, 4-byte aligned.

    U-Boot's bootm decompresses only part 0, the OS image, per ih_comp and passes the others (ramdisk,
    device tree) on as stored, so only part 0 is decompressed here.
    """
    payload_end = UIMAGE_HEADER_SIZE + payload_size
    sizes = _part_sizes(fs, file, payload_end)
    position = UIMAGE_HEADER_SIZE + _U32_BE.size * (len(sizes) + 1)
    files = []
    for index, size in enumerate(sizes):
        path = Path(_part_file_name(type_name, index))
        present = max(0, min(size, payload_end - position))
        if present < size:
            record_problem(fs, path, f"uImage part truncated: {present} of {size} bytes", "Extracted it.")
        output = write_payload(fs, path, file, position, present, compression if index == 0 else "none")
        files.append(PayloadFile(str(path), output))
        position += round_up(size, 4)
    return files


def _part_file_name(type_name: str, index: int) -> str:
    if type_name == "multi":
        return f"part-{index}.bin"
    return f"{type_name}.bin" if index == 0 else f"{type_name}-{index}.bin"


def _part_sizes(fs: FileSystem, file: File, payload_end: int) -> list[int]:
    sizes: list[int] = []
    position = UIMAGE_HEADER_SIZE
    while position + _U32_BE.size <= payload_end:
        (size,) = _U32_BE.unpack(file[position : position + _U32_BE.size])
        position += _U32_BE.size
        if size == 0:
            return sizes
        if len(sizes) == MAX_PARTS:
            problem = f"uImage part table lists more than {MAX_PARTS} parts"
            record_problem(fs, None, problem, "Ignored the rest.")
            return sizes
        sizes.append(size)
    record_problem(fs, None, "uImage part table runs past the payload", "Extracted the parts listed.")
    return sizes


class UImageHandler(StructHandler):
    NAME = "uimage"
    # unblob's Handler annotates PATTERNS as a plain attribute, so it cannot be made a ClassVar here.
    PATTERNS = [HexString("27 05 19 56")]  # noqa: RUF012
    C_DEFINITIONS = UIMAGE_C_DEFINITIONS
    HEADER_STRUCT = "uimage_header_t"
    EXTRACTOR = UImageExtractor()

    DOC = HandlerDoc(
        name="U-Boot legacy uImage",
        description=(
            "The legacy U-Boot image: a 64-byte big-endian header (magic 0x27051956, header and data "
            "CRC32, OS, architecture, image type, compression, load and entry addresses, name) before "
            "one payload, or before a table of part sizes for multi-file images and scripts. The payload "
            "is written decompressed as <type>.bin (part-N.bin for multi-file images), the header as "
            "uimage.json."
        ),
        handler_type=HandlerType.ARCHIVE,
        vendor="U-Boot",
        references=[
            Reference(
                title="U-Boot include/image.h: legacy_img_hdr and the IH_* values",
                url="https://github.com/u-boot/u-boot/blob/master/include/image.h",
            ),
            Reference(title="mkimage(1)", url="https://manpages.debian.org/mkimage.1"),
        ],
        limitations=["Multi-file images: only part 0 is decompressed, as U-Boot's bootm does."],
    )

    def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
        raw_header = file.read(UIMAGE_HEADER_SIZE)
        if len(raw_header) < UIMAGE_HEADER_SIZE:
            raise InvalidInputFormat("file ends inside the uImage header")
        header = self.cparser_be.uimage_header_t(raw_header)
        # The header CRC is what tells a real header from a stray magic number.
        if zlib.crc32(raw_header[:4] + bytes(4) + raw_header[8:]) != header.ih_hcrc:
            raise InvalidInputFormat("uImage header CRC mismatch")
        # A payload cut short still makes a chunk, up to the end of the file; the extractor reports it.
        end_offset = min(start_offset + UIMAGE_HEADER_SIZE + header.ih_size, file.size())
        return ValidChunk(start_offset=start_offset, end_offset=end_offset)


class FitExtractor(Extractor):
    def extract(self, inpath: Path, outdir: Path) -> ExtractResult:
        fs = FileSystem(outdir)
        with File.from_path(inpath) as file:
            metadata = fit.extract_images(fs, file, FlattenedDeviceTree.parse(file))
        fs.write_bytes(Path("fit.json"), to_json(metadata))
        return ExtractResult(reports=fs.problems)


class FitHandler(Handler[FitExtractor]):
    NAME = "fit"
    PATTERNS = [HexString("d0 0d fe ed")]  # noqa: RUF012
    EXTRACTOR = FitExtractor()

    DOC = HandlerDoc(
        name="U-Boot FIT image",
        description=(
            "A Flattened Image Tree: a device tree whose /images node holds kernels, device trees, "
            "ramdisks and other payloads (inline in `data`, or after the tree through data-offset or "
            "data-position), with hashes, and whose /configurations may carry signatures for verified "
            "boot. Each image is written decompressed as <node>.bin, the metadata as fit.json, including "
            "which configurations carry a signature value. Plain device trees are not claimed."
        ),
        handler_type=HandlerType.ARCHIVE,
        vendor="U-Boot",
        references=[
            Reference(
                title="U-Boot: FIT source file format",
                url="https://docs.u-boot.org/en/latest/usage/fit/source_file_format.html",
            ),
            Reference(
                title="U-Boot: FIT signature verification",
                url="https://docs.u-boot.org/en/latest/usage/fit/signature.html",
            ),
            Reference(
                title="Devicetree specification: flattened devicetree format",
                url="https://devicetree-specification.readthedocs.io/en/stable/flattened-format.html",
            ),
        ],
        limitations=[
            "Hashes and signatures are recorded, not verified.",
            "Encrypted images (with a `cipher` node) are written as stored.",
        ],
    )

    def calculate_chunk(self, file: File, start_offset: int) -> ValidChunk | None:
        tree = FlattenedDeviceTree.parse(file, start_offset)
        if tree.root.child("images") is None:
            raise InvalidInputFormat("a device tree without /images is not a FIT image")
        return ValidChunk(start_offset=start_offset, end_offset=fit.end_offset(tree, file))


HANDLERS: tuple[type[Handler[Any]], ...] = (UImageHandler, FitHandler)

"""The U-Boot uImage and FIT handlers, run through unblob's real processing on images built by mkimage."""

import bz2
import gzip
import json
import lzma
import random
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lz4.frame
import pytest
import pyzstd
from unblob.handlers import BUILTIN_HANDLERS
from unblob.models import Handlers, ProcessResult
from unblob.processing import ExtractionConfig, process_file
from unblob.report import CalculateChunkExceptionReport, ChunkReport, ExtractionProblem, UnknownError

from iotbaseline.firmware.handlers import fdt, uboot, uboot_payload

pytestmark = pytest.mark.skipif(shutil.which("mkimage") is None, reason="mkimage (u-boot-tools) is not installed")
needs_dtc = pytest.mark.skipif(shutil.which("dtc") is None, reason="dtc (device-tree-compiler) is not installed")

KERNEL = b"".join(b"%06d %s\n" % (i, random.Random(i).randbytes(24).hex().encode()) for i in range(4000))
INITRD = b"070701 pretend cpio archive, odd-sized\n"  # not a multiple of 4: multi-file parts get padded
DTS = '/dts-v1/;\n/ { model = "Acme Cam"; compatible = "acme,cam"; };\n'


# --- building and running -------------------------------------------------------------------------


def run(*argv: str | Path, cwd: Path) -> bytes:
    return subprocess.run([str(a) for a in argv], cwd=cwd, check=True, capture_output=True).stdout


def mkimage(tmp_path: Path, *argv: str, data: dict[str, bytes], out: str = "image.bin") -> Path:
    for name, content in data.items():
        (tmp_path / name).write_bytes(content)
    run("mkimage", *argv, out, cwd=tmp_path)
    return tmp_path / out


def dtb(tmp_path: Path, source: str, name: str = "board.dtb") -> bytes:
    (tmp_path / f"{name}.dts").write_text(source)
    run("dtc", "-I", "dts", "-O", "dtb", "-o", name, f"{name}.dts", cwd=tmp_path)
    return (tmp_path / name).read_bytes()


def extract(image: Path, tmp_path: Path, handlers: Handlers = uboot.HANDLERS) -> ProcessResult:
    config = ExtractionConfig(extract_root=tmp_path / "out", randomness_depth=0, handlers=handlers, process_num=1)
    return process_file(config, image)


def chunks(result: ProcessResult) -> list[ChunkReport]:
    """The chunks a handler claimed; unblob reports 0x00/0xff padding between them as chunks too."""
    reports = (report for task in result.results for report in task.filter_reports(ChunkReport))
    return [report for report in reports if report.handler_name != "padding"]


def problems(result: ProcessResult) -> list[str]:
    return [
        report.problem
        for chunk in chunks(result)
        for report in chunk.extraction_reports
        if isinstance(report, ExtractionProblem)
    ]


def output_dir(tmp_path: Path, record: str) -> Path:
    (found,) = (tmp_path / "out").rglob(record)
    return found.parent


def record(tmp_path: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((output_dir(tmp_path, name) / name).read_bytes())
    return loaded


def uimage_header(payload: bytes, *, size: int | None = None, image_type: int = 2, comp: int = 0) -> bytes:
    """A legacy header built by hand, for values mkimage refuses to write."""
    fields = [0x27051956, 0, 0, len(payload) if size is None else size, 0, 0, zlib.crc32(payload)]
    header = struct.pack(">7I4B32s", *fields, 5, 2, image_type, comp, b"handmade")
    return header[:4] + struct.pack(">I", zlib.crc32(header)) + header[8:]


# --- legacy uImage ----------------------------------------------------------------------------------


def lzop(data: bytes, tmp_path: Path) -> bytes:
    (tmp_path / "payload").write_bytes(data)
    return run("lzop", "-c", "payload", cwd=tmp_path)


def lz4_legacy(data: bytes, tmp_path: Path) -> bytes:
    (tmp_path / "payload").write_bytes(data)
    return run("lz4", "-l", "-c", "payload", cwd=tmp_path)


COMPRESSORS: dict[str, tuple[str, Callable[[bytes, Path], bytes]]] = {
    "none": ("none", lambda data, _: data),
    "gzip": ("gzip", lambda data, _: gzip.compress(data, mtime=0)),
    "bzip2": ("bzip2", lambda data, _: bz2.compress(data)),
    "lzma": ("lzma", lambda data, _: lzma.compress(data, format=lzma.FORMAT_ALONE)),
    "lzo": ("lzo", lzop),
    "lz4-frame": ("lz4", lambda data, _: lz4.frame.compress(data)),
    "lz4-legacy": ("lz4", lz4_legacy),
    # Linux's Image.lz4 build appends the uncompressed size after the legacy stream.
    "lz4-legacy-kernel": ("lz4", lambda data, tmp: lz4_legacy(data, tmp) + struct.pack("<I", len(data))),
    "zstd": ("zstd", lambda data, _: pyzstd.compress(data)),
}


@pytest.mark.parametrize("codec", COMPRESSORS)
def test_uimage_payload_is_written_decompressed_per_ih_comp(
    codec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    comp, compress = COMPRESSORS[codec]
    tool = {"lzo": "lzop", "lz4-legacy": "lz4", "lz4-legacy-kernel": "lz4"}.get(codec)
    if tool and shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    # Small output pieces make even this small kernel go through the streaming loop many times.
    monkeypatch.setattr(uboot_payload, "OUTPUT_PIECE_SIZE", 4096)
    image = mkimage(
        tmp_path,
        *("-A", "mips", "-O", "linux", "-T", "kernel", "-C", comp, "-a", "0x80000000", "-e", "0x80000400"),
        *("-n", "Linux-5.10.176", "-d", "vmlinux.bin"),
        data={"vmlinux.bin": compress(KERNEL, tmp_path)},
    )

    result = extract(image, tmp_path)

    assert [c.handler_name for c in chunks(result)] == ["uimage"]
    assert problems(result) == []
    assert (output_dir(tmp_path, "uimage.json") / "kernel.bin").read_bytes() == KERNEL
    metadata = record(tmp_path, "uimage.json")
    assert metadata | {"timestamp": 0, "created": None, "data_crc32": None} == {
        "format_version": 1,
        "name": "Linux-5.10.176",
        "os": "linux",
        "arch": "mips",
        "type": "kernel",
        "compression": comp,
        "load_address": "0x80000000",
        "entry_point": "0x80000400",
        "timestamp": 0,
        "created": None,
        "data_size": (tmp_path / "vmlinux.bin").stat().st_size,
        "data_crc32": None,
        "data_crc_valid": True,
        "files": [{"path": "kernel.bin", "output": "copied" if comp == "none" else "decompressed"}],
    }


@pytest.mark.parametrize("image_type", ["ramdisk", "firmware", "filesystem", "standalone"])
def test_uimage_payload_file_is_named_after_the_image_type(image_type: str, tmp_path: Path) -> None:
    image = mkimage(tmp_path, "-T", image_type, "-C", "none", "-d", "payload", data={"payload": INITRD})

    extract(image, tmp_path)

    assert (output_dir(tmp_path, "uimage.json") / f"{image_type}.bin").read_bytes() == INITRD


@needs_dtc
def test_multi_file_uimage_writes_each_part_and_decompresses_only_the_os_image(tmp_path: Path) -> None:
    board = dtb(tmp_path, DTS)
    initrd_gz = gzip.compress(INITRD, mtime=0)
    image = mkimage(
        tmp_path,
        *("-A", "arm", "-O", "linux", "-T", "multi", "-C", "gzip", "-d", "zImage.gz:initrd.gz:board.dtb"),
        data={"zImage.gz": gzip.compress(KERNEL, mtime=0), "initrd.gz": initrd_gz},
    )

    result = extract(image, tmp_path)

    assert problems(result) == []
    out = output_dir(tmp_path, "uimage.json")
    assert (out / "part-0.bin").read_bytes() == KERNEL
    assert (out / "part-1.bin").read_bytes() == initrd_gz  # bootm hands the ramdisk over as stored
    assert (out / "part-2.bin").read_bytes() == board
    assert [f["output"] for f in record(tmp_path, "uimage.json")["files"]] == [
        "decompressed",
        "copied",
        "copied",
    ]


def test_script_uimage_is_written_without_its_size_table(tmp_path: Path) -> None:
    script = b"setenv bootargs console=ttyS0,115200\nbootm 0x9f050000\n"
    image = mkimage(tmp_path, "-T", "script", "-C", "none", "-d", "boot.cmd", data={"boot.cmd": script})

    extract(image, tmp_path)

    assert (output_dir(tmp_path, "uimage.json") / "script.bin").read_bytes() == script


def test_uimage_with_a_bad_header_crc_is_not_claimed(tmp_path: Path) -> None:
    image = mkimage(tmp_path, "-T", "kernel", "-C", "none", "-n", "vmlinux", "-d", "k", data={"k": KERNEL})
    corrupted = bytearray(image.read_bytes())
    corrupted[32] ^= 0x01  # one bit of the name
    image.write_bytes(corrupted)

    result = extract(image, tmp_path)

    assert chunks(result) == []


def test_truncated_uimage_payload_is_extracted_partially_with_a_problem(tmp_path: Path) -> None:
    image = mkimage(tmp_path, "-T", "kernel", "-C", "none", "-d", "k", data={"k": KERNEL})
    image.write_bytes(image.read_bytes()[: 64 + 1000])

    result = extract(image, tmp_path)

    assert [(c.handler_name, c.end_offset) for c in chunks(result)] == [("uimage", 64 + 1000)]
    assert problems(result) == [f"uImage payload truncated: 1000 of {len(KERNEL)} bytes present"]
    assert (output_dir(tmp_path, "uimage.json") / "kernel.bin").read_bytes() == KERNEL[:1000]
    assert record(tmp_path, "uimage.json")["data_crc_valid"] is None


def test_truncated_compressed_payload_is_written_raw_with_a_problem(tmp_path: Path) -> None:
    compressed = gzip.compress(KERNEL, mtime=0)
    image = mkimage(tmp_path, "-T", "kernel", "-C", "gzip", "-d", "k.gz", data={"k.gz": compressed})
    image.write_bytes(image.read_bytes()[:-100])

    result = extract(image, tmp_path)

    assert problems(result)[0].startswith("uImage payload truncated")
    assert problems(result)[1].startswith("cannot decompress gzip payload")
    assert (output_dir(tmp_path, "uimage.json") / "kernel.bin").read_bytes() == compressed[:-100]
    assert record(tmp_path, "uimage.json")["files"] == [{"path": "kernel.bin", "output": "raw"}]


def test_uimage_with_a_lying_size_is_claimed_up_to_the_end_of_the_file(tmp_path: Path) -> None:
    image = tmp_path / "image.bin"
    image.write_bytes(uimage_header(KERNEL, size=0xFFFFFF00) + KERNEL)

    result = extract(image, tmp_path)

    assert [c.end_offset for c in chunks(result)] == [64 + len(KERNEL)]
    assert problems(result) == [f"uImage payload truncated: {len(KERNEL)} of {0xFFFFFF00} bytes present"]


def test_data_crc_mismatch_is_reported_and_the_payload_still_extracted(tmp_path: Path) -> None:
    image = mkimage(tmp_path, "-T", "kernel", "-C", "none", "-d", "k", data={"k": KERNEL})
    corrupted = bytearray(image.read_bytes())
    corrupted[64 + 500] ^= 0xFF
    image.write_bytes(corrupted)

    result = extract(image, tmp_path)

    assert problems(result) == ["uImage data CRC32 mismatch"]
    assert (output_dir(tmp_path, "uimage.json") / "kernel.bin").read_bytes() == corrupted[64:]
    assert record(tmp_path, "uimage.json")["data_crc_valid"] is False


def test_decompression_bomb_stops_at_the_expansion_cap(tmp_path: Path) -> None:
    bomb = gzip.compress(bytes(32 << 20), compresslevel=9, mtime=0)  # 32 MiB of zeros in ~32 KiB
    image = mkimage(tmp_path, "-T", "kernel", "-C", "gzip", "-d", "bomb.gz", data={"bomb.gz": bomb})

    result = extract(image, tmp_path)

    cap = uboot_payload.MAX_EXPANSION_RATIO * len(bomb)
    assert problems(result) == [f"gzip payload: decompressed output exceeds the {cap}-byte cap"]
    assert (output_dir(tmp_path, "uimage.json") / "kernel.bin").stat().st_size == cap
    assert record(tmp_path, "uimage.json")["files"][0]["output"] == "capped"


def test_unknown_compression_keeps_the_raw_payload(tmp_path: Path) -> None:
    image = tmp_path / "image.bin"
    image.write_bytes(uimage_header(KERNEL, comp=42) + KERNEL)

    result = extract(image, tmp_path)

    assert problems(result) == ["cannot decompress unknown-42 payload: unknown compression 'unknown-42'"]
    assert (output_dir(tmp_path, "uimage.json") / "kernel.bin").read_bytes() == KERNEL


@needs_dtc
def test_uimage_and_fit_are_found_inside_a_flash_dump(tmp_path: Path) -> None:
    legacy = mkimage(tmp_path, "-T", "kernel", "-C", "none", "-d", "k", data={"k": KERNEL}, out="legacy")
    fit = fit_image(tmp_path, "-E", out="fit")
    dump = tmp_path / "flash.bin"
    padding = b"\xff" * 4096
    dump.write_bytes(padding + legacy.read_bytes() + padding + fit.read_bytes() + padding)

    result = extract(dump, tmp_path)

    legacy_start = len(padding)
    fit_start = legacy_start + legacy.stat().st_size + len(padding)
    assert [(c.handler_name, c.start_offset, c.end_offset) for c in chunks(result)] == [
        ("uimage", legacy_start, legacy_start + legacy.stat().st_size),
        ("fit", fit_start, fit_start + fit.stat().st_size),
    ]


def test_uboot_images_are_claimed_whole_next_to_unblobs_builtin_handlers(tmp_path: Path) -> None:
    legacy = mkimage(tmp_path, "-T", "kernel", "-C", "gzip", "-d", "k.gz", data={"k.gz": gzip.compress(KERNEL)})
    dump = tmp_path / "flash.bin"
    dump.write_bytes(legacy.read_bytes() + b"\xff" * 4096)

    result = extract(dump, tmp_path, handlers=(*BUILTIN_HANDLERS, *uboot.HANDLERS))

    # unblob's gzip handler would otherwise claim the payload and lose the header's evidence.
    assert [c.handler_name for c in chunks(result)] == ["uimage"]
    assert (output_dir(tmp_path, "uimage.json") / "kernel.bin").read_bytes() == KERNEL


# --- FIT --------------------------------------------------------------------------------------------

ITS = """/dts-v1/;
/ {
    description = "Acme Cam firmware";
    #address-cells = <1>;
    images {
        kernel-1 {
            description = "Linux 6.1.55";
            data = /incbin/("zImage.gz");
            type = "kernel"; arch = "arm"; os = "linux"; compression = "gzip";
            load = <0x80008000>; entry = <0x80008000>;
            hash-1 { algo = "sha256"; };
            hash-2 { algo = "crc32"; };
        };
        fdt-1 {
            description = "Acme Cam device tree";
            data = /incbin/("board.dtb");
            type = "flat_dt"; arch = "arm"; compression = "none";
            hash-1 { algo = "sha256"; };
        };
        ramdisk-1 {
            description = "initramfs";
            data = /incbin/("initrd.zst");
            type = "ramdisk"; arch = "arm"; os = "linux"; compression = "zstd";
            hash-1 { algo = "sha1"; };
            signature-1 { algo = "sha256,rsa2048"; key-name-hint = "dev"; };
        };
    };
    configurations {
        default = "conf-1";
        conf-1 {
            description = "Boot Linux";
            kernel = "kernel-1"; fdt = "fdt-1"; ramdisk = "ramdisk-1";
            signature-1 { algo = "sha256,rsa2048"; key-name-hint = "dev"; sign-images = "fdt", "kernel"; };
        };
        recovery {
            kernel = "kernel-1";
        };
    };
};
"""


def fit_image(tmp_path: Path, *options: str, out: str = "image.itb") -> Path:
    dtb(tmp_path, DTS)
    (tmp_path / "image.its").write_text(ITS)
    data = {"zImage.gz": gzip.compress(KERNEL, mtime=0), "initrd.zst": pyzstd.compress(INITRD)}
    return mkimage(tmp_path, "-f", "image.its", *options, data=data, out=out)


def assert_fit_images_extracted(tmp_path: Path) -> None:
    out = output_dir(tmp_path, "fit.json")
    assert (out / "kernel-1.bin").read_bytes() == KERNEL
    assert (out / "fdt-1.bin").read_bytes() == (tmp_path / "board.dtb").read_bytes()
    assert (out / "ramdisk-1.bin").read_bytes() == INITRD


@needs_dtc
def test_fit_images_are_extracted_decompressed_with_their_metadata(tmp_path: Path) -> None:
    image = fit_image(tmp_path)

    result = extract(image, tmp_path)

    assert [(c.handler_name, c.end_offset) for c in chunks(result)] == [("fit", image.stat().st_size)]
    assert problems(result) == []
    assert_fit_images_extracted(tmp_path)
    metadata = record(tmp_path, "fit.json")
    assert metadata["description"] == "Acme Cam firmware"
    kernel, fdt_image, ramdisk = metadata["images"]
    assert kernel | {"data_size": None} == {
        "node": "kernel-1",
        "description": "Linux 6.1.55",
        "type": "kernel",
        "arch": "arm",
        "os": "linux",
        "compression": "gzip",
        "load_address": "0x80008000",
        "entry_point": "0x80008000",
        "data_location": "embedded",
        "data_size": None,
        "hash_algorithms": ["sha256", "crc32"],
        "signatures": [],
        "cipher": None,
        "file": "kernel-1.bin",
        "output": "decompressed",
    }
    assert (fdt_image["type"], fdt_image["output"]) == ("flat_dt", "copied")
    assert (ramdisk["compression"], ramdisk["hash_algorithms"]) == ("zstd", ["sha1"])
    assert [(s["node"], s["signed"], s["covered_images"]) for s in ramdisk["signatures"]] == [
        ("signature-1", False, [])
    ]
    assert metadata["default_configuration"] == "conf-1"
    conf, recovery = metadata["configurations"]
    assert conf["images"] == {"kernel": ["kernel-1"], "fdt": ["fdt-1"], "ramdisk": ["ramdisk-1"]}
    assert recovery == {
        "node": "recovery",
        "description": None,
        "compatible": [],
        "images": {"kernel": ["kernel-1"]},
        "signatures": [],
        "signed": False,
    }


@needs_dtc
def test_signature_node_without_a_value_is_declared_but_not_signed(tmp_path: Path) -> None:
    extract(fit_image(tmp_path), tmp_path)  # built without -k: mkimage leaves the node unsigned

    (conf, _) = record(tmp_path, "fit.json")["configurations"]

    (signature,) = conf["signatures"]
    assert (signature["algo"], signature["key_name_hint"]) == ("sha256,rsa2048", "dev")
    assert signature["sign_images"] == ["fdt", "kernel"]
    assert (signature["signed"], signature["hashed_nodes"], conf["signed"]) == (False, [], False)


@needs_dtc
@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_signed_fit_configuration_records_algorithm_key_and_covered_images(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    private_key = ("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "dev.key")
    certificate = ("req", "-batch", "-new", "-x509", "-key", "dev.key", "-out", "dev.crt", "-subj", "/CN=dev")
    run("openssl", *private_key, cwd=keys)
    run("openssl", *certificate, cwd=keys)
    image = fit_image(tmp_path, "-k", "keys")

    result = extract(image, tmp_path)

    assert problems(result) == []
    assert_fit_images_extracted(tmp_path)
    conf = record(tmp_path, "fit.json")["configurations"][0]
    (signature,) = conf["signatures"]
    assert conf["signed"] is True
    assert signature["signed"] is True
    assert (signature["algo"], signature["key_name_hint"], signature["signer_name"]) == (
        "sha256,rsa2048",
        "dev",
        "mkimage",
    )
    assert signature["sign_images"] == ["fdt", "kernel"]
    assert signature["covered_images"] == ["fdt-1", "kernel-1"]  # not the ramdisk: sign-images omits it
    assert "/configurations/conf-1" in signature["hashed_nodes"]
    ramdisk = record(tmp_path, "fit.json")["images"][2]
    (image_signature,) = ramdisk["signatures"]
    assert (image_signature["signed"], image_signature["covered_images"]) == (True, ["ramdisk-1"])


@needs_dtc
@pytest.mark.parametrize("placement", [("-E",), ("-E", "-p", "0x2000")], ids=["data-offset", "data-position"])
def test_fit_with_external_data_is_extracted(placement: tuple[str, ...], tmp_path: Path) -> None:
    image = fit_image(tmp_path, *placement)

    result = extract(image, tmp_path)

    assert [(c.handler_name, c.end_offset) for c in chunks(result)] == [("fit", image.stat().st_size)]
    assert problems(result) == []
    assert_fit_images_extracted(tmp_path)
    assert {i["data_location"] for i in record(tmp_path, "fit.json")["images"]} == {"external"}


@needs_dtc
def test_fit_problems_are_reported_per_image(tmp_path: Path) -> None:
    source = """/dts-v1/;
    / {
        images {
            kernel { data-offset = <0x0>; data-size = <0x10000>; compression = "none"; };
            secret { data = [00 11 22 33]; compression = "gzip";
                     cipher { algo = "aes256"; key-name-hint = "k"; }; };
            empty { description = "no data at all"; };
            abcdefghijkl { data = [41 42]; };
            twin { data-position = <0x0>; data-size = <0x10000>; };
        };
    };
    """
    # dtc refuses "/" in node names; a hostile image need not ask dtc.
    tree = dtb(tmp_path, source, "hostile.itb").replace(b"abcdefghijkl", b"../../escape")
    image = tmp_path / "hostile.itb"
    image.write_bytes(tree + b"\0" * (-len(tree) % 4) + b"K" * 100)  # 100 of the 0x10000 external bytes

    result = extract(image, tmp_path)

    out = output_dir(tmp_path, "fit.json")
    assert problems(result) == [
        "FIT image 'kernel' data truncated: 100 of 65536 bytes present",
        "FIT image 'secret' is encrypted (aes256)",
        "FIT image 'empty' has no data",
        "FIT image 'twin' overlaps data extracted for other images",  # would copy the whole file again
    ]
    assert (out / "kernel.bin").read_bytes() == b"K" * 100
    assert (out / "secret.bin").read_bytes() == bytes.fromhex("00112233")
    assert (out / ".._.._escape.bin").read_bytes() == b"AB"
    assert [i["file"] for i in record(tmp_path, "fit.json")["images"]] == [
        "kernel.bin",
        "secret.bin",
        None,
        ".._.._escape.bin",
        None,
    ]


@needs_dtc
def test_device_tree_without_images_is_not_a_fit(tmp_path: Path) -> None:
    image = tmp_path / "board.dtb"
    image.write_bytes(dtb(tmp_path, DTS))

    assert chunks(extract(image, tmp_path)) == []


# --- hostile input ----------------------------------------------------------------------------------


@needs_dtc
def test_device_tree_nesting_beyond_the_depth_cap_is_rejected(tmp_path: Path) -> None:
    depth = fdt.MAX_DEPTH + 1
    source = "/dts-v1/;\n/ { images { " + "n { " * depth + "};" * depth + " }; };\n"

    with pytest.raises(fdt.DeviceTreeFormatError, match="too large or too deep"):
        fdt.FlattenedDeviceTree.parse(dtb(tmp_path, source))


@needs_dtc
def test_mutated_images_never_crash_the_handlers(tmp_path: Path) -> None:
    seeds = {"fit": fit_image(tmp_path, "-E").read_bytes()}
    seeds["uimage"] = uimage_header(gzip.compress(KERNEL[:3000], mtime=0)) + gzip.compress(KERNEL[:3000], mtime=0)
    rng = random.Random(20240601)
    for round_number in range(40):
        kind = "fit" if round_number % 2 else "uimage"
        mutant = bytearray(seeds[kind])
        for _ in range(rng.randint(1, 8)):
            # Hit the headers and structure most, where the offsets and sizes are.
            position = rng.randrange(min(len(mutant), 1500))
            mutant[position] = rng.randrange(256)
        if kind == "uimage":  # keep the header CRC valid so that the payload parsing is reached
            (size,) = struct.unpack(">I", mutant[12:16])
            mutant[:64] = uimage_header(bytes(mutant[64:]), size=size, image_type=mutant[30] % 8, comp=mutant[31] % 8)
        image = tmp_path / f"mutant-{round_number}.bin"
        image.write_bytes(mutant)

        result = extract(image, tmp_path / f"run-{round_number}")

        errors = [e for e in result.errors if isinstance(e, UnknownError | CalculateChunkExceptionReport)]
        assert errors == [], f"round {round_number}"

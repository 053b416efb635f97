"""Boot-side layout nodes: a stand-in Linux kernel, the board's device tree, and the U-Boot images
(legacy uImage, FIT) that carry them. The kernel is synthetic: a banner and vermagic a scanner can
read, never a real kernel."""

from __future__ import annotations

import hashlib
import lzma
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tests.corpus import archives
from tests.corpus.cache import BUILDER_DIR
from tests.corpus.layouts import Job, Node, sha256_file
from tests.corpus.stage import substitute, variables
from tests.corpus.tools import run

DATA = BUILDER_DIR / "data"


@dataclass(frozen=True)
class KernelSpec:
    version: str
    mkimage_arch: str
    vermagic: str
    compiler: str
    load: int


KERNELS = {
    "mipsel": KernelSpec(
        "4.14.180", "mips", "SMP mod_unload MIPS32_R2 32BIT", "gcc version 8.4.0 (OpenWrt GCC 8.4.0)", 0x80001000
    ),
    "armel": KernelSpec("4.9.118", "arm", "mod_unload ARMv5 p2v8", "gcc version 6.3.0 (crosstool-NG)", 0x00008000),
    "armhf": KernelSpec(
        "5.10.110", "arm", "SMP preempt mod_unload ARMv7 p2v8", "gcc version 9.3.0 (Buildroot)", 0x40008000
    ),
    "arm64": KernelSpec("5.15.120", "arm64", "SMP preempt mod_unload aarch64", "gcc version 11.3.0 (GCC)", 0x40080000),
}


def vmlinux(arch: str) -> bytes:
    """A stand-in kernel: incompressible "code", the version banner and vermagic, a compressible table."""
    spec = KERNELS[arch]
    code = hashlib.shake_256(f"vmlinux/{arch}".encode()).digest(96 * 1024)
    banner = (
        f"Linux version {spec.version} (builder@buildhost) ({spec.compiler}) "
        f"#1 {'SMP ' if 'SMP' in spec.vermagic else ''}Mon Jan 1 00:00:00 UTC 2024\n"
    )
    strings = [
        banner,
        f"vermagic={spec.version} {spec.vermagic} ",
        "Kernel panic - not syncing: %s\n",
        'VFS: Cannot open root device "%s" or %s: error %d\n',
        "Freeing unused kernel memory: %ldK\n",
        "squashfs: version 4.0 (2009/01/31) Phillip Lougher\n",
        "jffs2: version 2.2. (NAND) (SUMMARY)  (c) 2001-2006 Red Hat, Inc.\n",
        "UBI: attaching mtd%d\n",
        "Run %s as init process\n",
        "/sbin/init",
    ]
    table = b"".join(struct.pack("<IIII", i, i * 4 + spec.load, 0x27BDFFE0, i ^ 0x5A5A) for i in range(8192))
    return code + "\0".join(strings).encode() + b"\0" + table


@dataclass(frozen=True)
class Kernel(Node):
    compression: Literal["lzma", "gzip", "none"] = "lzma"
    EXT = ".kernel"

    def formats(self) -> tuple[str, ...]:
        return () if self.compression == "none" else (self.compression,)

    def build(self, job: Job) -> Path:
        raw = vmlinux(job.recipe.arch)
        match self.compression:
            case "lzma":
                packed = lzma.compress(raw, format=lzma.FORMAT_ALONE, preset=9)
            case "gzip":
                packed = archives.gzip_bytes(raw)
            case "none":
                packed = raw
        out = job.output(f"kernel.{self.compression}")
        out.write_bytes(packed)
        job.payloads["kernel"] = hashlib.sha256(packed).hexdigest()
        job.payloads["vmlinux"] = hashlib.sha256(raw).hexdigest()
        job.kernel = {"version": KERNELS[job.recipe.arch].version, "compression": self.compression}
        return out


@dataclass(frozen=True)
class Fdt(Node):
    """The board's device tree, compiled from data/board.dts."""

    EXT = ".dtb"

    def build(self, job: Job) -> Path:
        source = job.output("board.dts")
        template = (DATA / "board.dts").read_text()
        spec = KERNELS[job.recipe.arch]
        values = variables(job.recipe, [("LOAD", f"0x{spec.load & 0xF0000000:08x}")])
        source.write_text(substitute(template, values, "data/board.dts"))
        out = job.output("board.dtb")
        run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, source])
        job.payloads["fdt"] = sha256_file(out)
        return out


@dataclass(frozen=True)
class UImage(Node):
    """U-Boot legacy image around a kernel (mkimage; SOURCE_DATE_EPOCH fixes the header time)."""

    kernel: Kernel = Kernel()
    LABEL = "uimage"
    FORMATS = ("uimage",)
    EXT = ".uImage"
    OPAQUE = True  # the uimage handler decompresses the kernel itself

    def children(self) -> tuple[Node, ...]:
        return (self.kernel,)

    def build(self, job: Job) -> Path:
        payload = self.kernel.build(job)
        spec = KERNELS[job.recipe.arch]
        out = job.output("kernel.uImage")
        argv: list[str | Path] = ["mkimage", "-A", spec.mkimage_arch, "-O", "linux", "-T", "kernel"]
        argv += ["-C", self.kernel.compression, "-a", f"0x{spec.load:08x}", "-e", f"0x{spec.load:08x}"]
        argv += ["-n", f"Linux-{spec.version}", "-d", payload, out]
        run(argv)
        return out


@dataclass(frozen=True)
class Fit(Node):
    """U-Boot FIT: kernel, device tree and ramdisk in one flattened device tree, with SHA-256 hashes."""

    ramdisk: Node
    kernel: Kernel = Kernel()
    fdt: Fdt = Fdt()
    LABEL = "fit"
    FORMATS = ("fit",)
    EXT = ".itb"

    def children(self) -> tuple[Node, ...]:
        return (self.kernel, self.fdt, self.ramdisk)

    def build(self, job: Job) -> Path:
        kernel, fdt, ramdisk = self.kernel.build(job), self.fdt.build(job), self.ramdisk.build(job)
        job.payloads["ramdisk"] = sha256_file(ramdisk)
        spec = KERNELS[job.recipe.arch]
        values = {
            "FIT_MODEL": job.recipe.device.model if job.recipe.device else job.recipe.name,
            "FIT_KERNEL": str(kernel),
            "FIT_FDT": str(fdt),
            "FIT_RAMDISK": str(ramdisk),
            "FIT_ARCH": spec.mkimage_arch,
            "FIT_COMPRESSION": self.kernel.compression,
            "FIT_LOAD": f"0x{spec.load:08x}",
            "FIT_VERSION": spec.version,
        }
        its = job.output("image.its")
        its.write_text(substitute((DATA / "image.its").read_text(), values, "data/image.its"))
        out = job.output("image.itb")
        run(["mkimage", "-f", its, out])
        return out

"""Container layout nodes: compression streams, flash layouts (raw, Broadcom TRX), vendor update
packages, and a truncated copy of any of them."""

from __future__ import annotations

import gzip
import json
import lzma
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from tests.corpus import archives, credentials
from tests.corpus.credentials import FIRMWARE_SIGNING_KEY
from tests.corpus.layouts import Job, Node, sha256_file
from tests.corpus.tools import SOURCE_DATE_EPOCH, CorpusError, run


@dataclass(frozen=True)
class Compress(Node):
    """A single compressed stream around one inner file (initramfs and rootfs tarball style)."""

    algorithm: Literal["gzip", "xz", "lzma", "lz4", "zstd"]
    inner: Node
    SUFFIX: ClassVar[dict[str, str]] = {"gzip": ".gz", "xz": ".xz", "lzma": ".lzma", "lz4": ".lz4", "zstd": ".zst"}
    HANDLER: ClassVar[dict[str, str]] = {
        "gzip": "gzip",
        "xz": "xz",
        "lzma": "lzma",
        "lz4": "lz4_legacy",
        "zstd": "zstd",
    }

    def children(self) -> tuple[Node, ...]:
        return (self.inner,)

    def labels(self) -> tuple[str, ...]:
        return (self.algorithm,)

    def formats(self) -> tuple[str, ...]:
        return (self.HANDLER[self.algorithm],)

    def ext(self) -> str:
        return self.inner.ext() + self.SUFFIX[self.algorithm]

    def build(self, job: Job) -> Path:
        source = self.inner.build(job)
        out = job.output(source.name + self.SUFFIX[self.algorithm])
        match self.algorithm:
            case "gzip":
                out.write_bytes(archives.gzip_bytes(source.read_bytes()))
            case "xz":
                # The kernel's initramfs unpacker only knows CRC32 checks.
                out.write_bytes(lzma.compress(source.read_bytes(), check=lzma.CHECK_CRC32, preset=9))
            case "lzma":
                out.write_bytes(lzma.compress(source.read_bytes(), format=lzma.FORMAT_ALONE, preset=9))
            case "lz4":
                run(["lz4", "-l", "-9", "-q", "-f", source, out])  # legacy frames, as initramfs uses
            case "zstd":
                run(["zstd", "-19", "-q", "-f", source, "-o", out])
        return out


@dataclass(frozen=True)
class Flash(Node):
    """A raw flash dump: parts laid out back to back, each starting on an erase-block boundary."""

    parts: tuple[Node, ...]
    align: int = 0x10000

    def children(self) -> tuple[Node, ...]:
        return self.parts

    def build(self, job: Job) -> Path:
        out = job.output("flash.bin")
        with open(out, "wb") as handle:
            for part in self.parts:
                handle.write(b"\xff" * (-handle.tell() % self.align))
                handle.write(part.build(job).read_bytes())
        return out


@dataclass(frozen=True)
class Trx(Node):
    """Broadcom TRX v1: "HDR0", total length, CRC32 (from the flags field to the end, no final
    inversion), flags, version 1, three partition offsets; partitions 4 KiB aligned."""

    parts: tuple[Node, ...]
    align: int = 0x1000
    LABEL = "trx"
    FORMATS = ("trx_v1",)
    EXT = ".trx"

    def children(self) -> tuple[Node, ...]:
        return self.parts

    def build(self, job: Job) -> Path:
        header_size, body, offsets = 28, b"", []
        for number, part in enumerate(self.parts):
            if number:
                body += b"\0" * (-(header_size + len(body)) % self.align)
            offsets.append(header_size + len(body))
            body += part.build(job).read_bytes()
        body += b"\0" * (-(header_size + len(body)) % self.align)
        rest = struct.pack("<HH3I", 0, 1, *[*offsets, 0, 0, 0][:3])
        crc = zlib.crc32(rest + body) ^ 0xFFFFFFFF
        out = job.output("firmware.trx")
        out.write_bytes(b"HDR0" + struct.pack("<II", header_size + len(body), crc) + rest + body)
        return out


@dataclass(frozen=True)
class UpdatePackage(Node):
    """A vendor update package: the members plus a manifest.json of their hashes, optionally signed
    (Ed25519 over the manifest, the signature in manifest.json.sig)."""

    container: Literal["tar.gz", "zip", "7z"]
    members: tuple[tuple[str, Node], ...]
    signed: bool = False

    def children(self) -> tuple[Node, ...]:
        return tuple(node for _, node in self.members)

    def labels(self) -> tuple[str, ...]:
        return {"tar.gz": ("gzip", "tar"), "zip": ("zip",), "7z": ("7z",)}[self.container]

    def formats(self) -> tuple[str, ...]:
        return {"tar.gz": ("gzip", "tar"), "zip": ("zip",), "7z": ("sevenzip",)}[self.container]

    def ext(self) -> str:
        return "." + self.container

    def build(self, job: Job) -> Path:
        files = {name: node.build(job) for name, node in self.members}
        device = job.recipe.device
        manifest: dict[str, Any] = {
            "format": 1,
            "vendor": device.vendor if device else "",
            "model": device.model if device else "",
            "version": device.version if device else "",
            "files": [{"name": n, "size": p.stat().st_size, "sha256": sha256_file(p)} for n, p in files.items()],
        }
        blobs = {"manifest.json": (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()}
        if self.signed:
            blobs["manifest.json.sig"] = credentials.ed25519_sign(FIRMWARE_SIGNING_KEY, "", blobs["manifest.json"])
        stage = job.output("package")
        stage.mkdir()
        for name, data in blobs.items():
            (stage / name).write_bytes(data)
        for name, path in files.items():
            os.link(path, stage / name)
        for path in stage.iterdir():
            path.chmod(0o644)
            os.utime(path, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH))
        names = [*blobs, *files]
        out = job.output("update" + self.ext())
        if self.container == "7z":
            run(["7z", "a", "-t7z", "-mx=9", "-mmt=1", "-bd", "-bso0", out.resolve(), *names], cwd=stage)
            return out
        entries = [archives.Entry(name, source=stage / name) for name in names]
        with open(out, "wb") as handle:
            if self.container == "zip":
                archives.write_zip(entries, handle)
            else:
                with gzip.GzipFile(fileobj=handle, mode="wb", mtime=0, filename="") as stream:
                    archives.write_tar(entries, stream)  # type: ignore[arg-type]
        return out


@dataclass(frozen=True)
class Truncate(Node):
    """The first `fraction` of an image: a flash read that stopped early."""

    inner: Node
    fraction: float = 0.6
    OPAQUE = True  # promises no format: a handler may or may not recognise the stump

    def children(self) -> tuple[Node, ...]:
        return (self.inner,)

    def ext(self) -> str:
        return self.inner.ext()

    def build(self, job: Job) -> Path:
        data = self.inner.build(job).read_bytes()
        if len(data) < 4096:
            raise CorpusError(f"{job.recipe.name}: image too small to truncate")
        out = job.output("truncated" + self.inner.ext())
        out.write_bytes(data[: int(len(data) * self.fraction)])
        return out

"""Every image of the corpus, one recipe each: device, CPU, packing, plants and traps.

Names read `<device>-<arch>-<layers>`, and `-v2` for a later firmware release of an image (`release_of`).
Two brands share one RSA key (sample-camera-mipsel and camera-armel-squashfs-gzip: the white-label case);
three images are hardened (`clean`).
"""

from __future__ import annotations

from pathlib import Path

from tests.corpus.archives import Entry
from tests.corpus.boot import Fit, Kernel, UImage
from tests.corpus.containers import Compress, Flash, Truncate, Trx, UpdatePackage
from tests.corpus.devices import (
    CAMERA,
    CAMERA_PRO,
    CAMERA_WHITE_LABEL,
    HUB,
    OLD_ROUTER,
    PLUG,
    ROUTER,
    ROUTER_NEXT_RELEASE,
)
from tests.corpus.features import (
    AWS_KEYS,
    CAMERA_HTTPS_ONLY,
    CAMERA_PARTIAL_RESET,
    CAMERA_WEB_ROOT,
    CGI_HARDCODED_PASSWORD,
    CURL_INSECURE,
    DEVICE_EC_KEY,
    DNSMASQ_TMP_RPATH,
    DOC_TEST_KEY,
    DROPBEAR_HOST_KEY,
    DROPBEAR_KEYS_ONLY,
    EMPTY_HOST_KEY,
    FACTORY_EC_KEY,
    GUEST_EMPTY,
    HUB_FACTORY_RESET,
    HUB_HTTPS_ONLY,
    HUB_WEB_BCRYPT,
    INSECURE_UPDATE,
    LIGHTTPD_ORIGIN_RUNPATH,
    MQTT_ANONYMOUS,
    PEM_MARKERS_IN_LIBRARY,
    PLUG_PARTIAL_RESET,
    ROOT_WEAK_DES,
    ROOT_WEAK_MD5,
    ROUTER_FIRSTBOOT,
    SECOND_UID0,
    SERIAL_ROOT_SHELL,
    SETUID_BUSYBOX_DROPS,
    SETUID_CURL,
    SIGNED_UPDATE,
    SNMP_PUBLIC,
    SNMP_UCI_DISABLED,
    STRONG_ADMIN,
    SUPPORT_DES,
    SUPPORT_SSH_KEY,
    TELNET_COMMENTED,
    TELNET_SHELL,
    UPDATE_PUBLIC_KEY,
    VENDOR_CERTIFICATE,
    VENDOR_TLS_KEY,
    WEB_ADMIN_APR1,
    locked_root,
)
from tests.corpus.filesystems import Cpio, Cramfs, Ext, Jffs2, Romfs, SquashFS, SquashFS3, Tar, Ubi, UbiVolume
from tests.corpus.hostile import EvilArchive, GzipBomb, Nested, ZipBomb, pwned
from tests.corpus.model import Hostile, Recipe

SAMPLE = "sample-camera-mipsel"
ROUTER_FIRST_RELEASE = "router-mipsel-trx-uimage-squashfs-gzip"

# What a hardened image does: no password for root, a strong admin hash, key-only SSH, signed updates.
HARDENED = (STRONG_ADMIN, DROPBEAR_KEYS_ONLY, SIGNED_UPDATE, UPDATE_PUBLIC_KEY)

DEVICE_IMAGES = (
    Recipe(
        SAMPLE,
        "IP camera (Vistacam VC-200 HD), Broadcom TRX holding a U-Boot kernel and an xz SquashFS root; "
        "the README demo image",
        "mipsel",
        Trx((UImage(Kernel("lzma")), SquashFS("xz"))),
        CAMERA,
        plants=(
            ROOT_WEAK_MD5,
            TELNET_SHELL,
            VENDOR_TLS_KEY,
            VENDOR_CERTIFICATE,
            CGI_HARDCODED_PASSWORD,
            AWS_KEYS,
            INSECURE_UPDATE,
            DROPBEAR_HOST_KEY,
        ),
        traps=(TELNET_COMMENTED, EMPTY_HOST_KEY),
    ),
    Recipe(
        "camera-armel-squashfs-gzip",
        "White-label IP camera (Zetta Home ZH-Cam 2): same TLS key as the Vistacam sample; gzip SquashFS",
        "armel",
        SquashFS("gzip"),
        CAMERA_WHITE_LABEL,
        plants=(VENDOR_TLS_KEY, VENDOR_CERTIFICATE, ROOT_WEAK_DES, SERIAL_ROOT_SHELL, WEB_ADMIN_APR1, INSECURE_UPDATE),
        traps=(DOC_TEST_KEY, DROPBEAR_KEYS_ONLY),
    ),
    Recipe(
        "router-mipsel-trx-squashfs-xz",
        "OpenWrt-style router, TRX with a bare LZMA kernel and an xz SquashFS root",
        "mipsel",
        Trx((Kernel("lzma"), SquashFS("xz"))),
        ROUTER,
        plants=(SECOND_UID0, GUEST_EMPTY, SNMP_PUBLIC, DROPBEAR_HOST_KEY, INSECURE_UPDATE),
        traps=(TELNET_COMMENTED, ROUTER_FIRSTBOOT, SETUID_BUSYBOX_DROPS),
    ),
    Recipe(
        ROUTER_FIRST_RELEASE,
        "OpenWrt-style router, TRX nesting a U-Boot kernel and a gzip SquashFS root",
        "mipsel",
        Trx((UImage(Kernel("lzma")), SquashFS("gzip"))),
        ROUTER,
        plants=(ROOT_WEAK_MD5, TELNET_SHELL, SUPPORT_DES, INSECURE_UPDATE),
        traps=(SNMP_UCI_DISABLED,),
    ),
    Recipe(
        f"{ROUTER_FIRST_RELEASE}-v2",
        "The next release of that router (firmware 2.1.8 on OpenWrt 19.07.10): the factory telnet shell "
        "commented out, everything else as it was; `iotbaseline diff` shows the fix",
        "mipsel",
        Trx((UImage(Kernel("lzma")), SquashFS("gzip"))),
        ROUTER_NEXT_RELEASE,
        plants=(ROOT_WEAK_MD5, SUPPORT_DES, INSECURE_UPDATE),
        traps=(SNMP_UCI_DISABLED, TELNET_COMMENTED),
        release_of=ROUTER_FIRST_RELEASE,
    ),
    Recipe(
        "router-armhf-squashfs-xz",
        "OpenWrt-style router root partition, xz SquashFS",
        "armhf",
        SquashFS("xz"),
        ROUTER,
        plants=(ROOT_WEAK_MD5, SUPPORT_SSH_KEY, INSECURE_UPDATE),
        traps=(SNMP_UCI_DISABLED, TELNET_COMMENTED),
    ),
    Recipe(
        "router-mipsel-squashfs-lzma",
        "OpenWrt-style router root partition, LZMA SquashFS",
        "mipsel",
        SquashFS("lzma"),
        ROUTER,
        plants=(GUEST_EMPTY, INSECURE_UPDATE),
        traps=(SNMP_UCI_DISABLED,),
    ),
    Recipe(
        "plug-mipsel-squashfs-lzo",
        "Smart plug root partition, LZO SquashFS",
        "mipsel",
        SquashFS("lzo"),
        PLUG,
        plants=(ROOT_WEAK_MD5, INSECURE_UPDATE),
        traps=(PLUG_PARTIAL_RESET,),
    ),
    Recipe(
        "hub-armhf-squashfs-lz4",
        "Smart-home hub root partition, LZ4 SquashFS",
        "armhf",
        SquashFS("lz4"),
        HUB,
        plants=(MQTT_ANONYMOUS, CURL_INSECURE, DEVICE_EC_KEY, HUB_WEB_BCRYPT, INSECURE_UPDATE, SETUID_CURL),
        traps=(PEM_MARKERS_IN_LIBRARY, DROPBEAR_KEYS_ONLY),
    ),
    Recipe(
        "hub-arm64-squashfs-zstd",
        "Hardened smart-home hub root partition, zstd SquashFS: nothing to find",
        "arm64",
        SquashFS("zstd"),
        HUB,
        traps=(
            locked_root("!"),
            *HARDENED,
            PEM_MARKERS_IN_LIBRARY,
            TELNET_COMMENTED,
            HUB_HTTPS_ONLY,
            HUB_FACTORY_RESET,
        ),
        clean=True,
    ),
    Recipe(
        "plug-armel-jffs2-le",
        "Smart plug on NOR flash, little-endian JFFS2",
        "armel",
        Jffs2("little"),
        PLUG,
        plants=(ROOT_WEAK_MD5, TELNET_SHELL, INSECURE_UPDATE),
    ),
    Recipe(
        "plug-mipsel-jffs2-be",
        "Smart plug on NOR flash, big-endian JFFS2 with 128 KiB erase blocks (Debian has no big-endian "
        "MIPS port, so the binaries are mipsel)",
        "mipsel",
        Jffs2("big", 0x20000),
        PLUG,
        plants=(SUPPORT_DES, SERIAL_ROOT_SHELL, INSECURE_UPDATE),
        traps=(TELNET_COMMENTED,),
    ),
    Recipe(
        "router-arm64-ubi",
        "NAND router: UBI with an LZO UBIFS root volume and a zlib UBIFS factory-data volume",
        "arm64",
        Ubi(
            (
                UbiVolume(rootfs="rootfs", name="rootfs", compression="lzo"),
                UbiVolume(rootfs="data", name="data", compression="zlib"),
            )
        ),
        ROUTER,
        plants=(FACTORY_EC_KEY, ROOT_WEAK_MD5, SNMP_PUBLIC, INSECURE_UPDATE, DNSMASQ_TMP_RPATH),
    ),
    Recipe(
        "camera-armhf-cpio-newc-gzip",
        "IP camera initramfs: gzip-compressed newc cpio",
        "armhf",
        Compress("gzip", Cpio("newc")),
        CAMERA,
        plants=(ROOT_WEAK_MD5, TELNET_SHELL, AWS_KEYS, CGI_HARDCODED_PASSWORD, INSECURE_UPDATE),
        traps=(EMPTY_HOST_KEY,),
    ),
    Recipe(
        "plug-mipsel-cpio-odc-gzip",
        "Smart plug initramfs: gzip-compressed odc (old portable) cpio",
        "mipsel",
        Compress("gzip", Cpio("odc")),
        PLUG,
        plants=(GUEST_EMPTY, INSECURE_UPDATE),
    ),
    Recipe(
        "camera-armel-ext2",
        "IP camera on eMMC, ext2 root",
        "armel",
        Ext(2),
        CAMERA,
        plants=(ROOT_WEAK_DES, SUPPORT_DES, TELNET_SHELL, INSECURE_UPDATE, CAMERA_WEB_ROOT),
        traps=(DOC_TEST_KEY, CAMERA_PARTIAL_RESET),
    ),
    Recipe(
        "hub-arm64-ext4",
        "Smart-home hub on eMMC, ext4 root",
        "arm64",
        Ext(4),
        HUB,
        plants=(MQTT_ANONYMOUS, SUPPORT_SSH_KEY, SECOND_UID0, CURL_INSECURE),
        traps=(PEM_MARKERS_IN_LIBRARY, SIGNED_UPDATE, UPDATE_PUBLIC_KEY, LIGHTTPD_ORIGIN_RUNPATH),
    ),
    Recipe(
        "plug-armel-cramfs",
        "Smart plug, cramfs root",
        "armel",
        Cramfs(),
        PLUG,
        plants=(ROOT_WEAK_MD5, TELNET_SHELL, INSECURE_UPDATE),
        traps=(SETUID_BUSYBOX_DROPS,),
    ),
    Recipe(
        "plug-armhf-romfs",
        "Smart plug, romfs root (romfs keeps only the executable bit of a mode)",
        "armhf",
        Romfs(),
        PLUG,
        plants=(GUEST_EMPTY, SERIAL_ROOT_SHELL, INSECURE_UPDATE),
    ),
    Recipe(
        "router-mipsel-uimage-squashfs-xz",
        "Router flash dump: U-Boot kernel, then an xz SquashFS root on the next 64 KiB boundary",
        "mipsel",
        Flash((UImage(Kernel("lzma")), SquashFS("xz"))),
        ROUTER,
        plants=(ROOT_WEAK_MD5, DROPBEAR_HOST_KEY, TELNET_SHELL),
        traps=(SNMP_UCI_DISABLED,),
    ),
    Recipe(
        "camera-arm64-fit-cpio-gzip",
        "Hardened IP camera (VC-400 Pro): U-Boot FIT with kernel, device tree and a cpio.gz ramdisk",
        "arm64",
        Fit(ramdisk=Compress("gzip", Cpio("newc")), kernel=Kernel("gzip")),
        CAMERA_PRO,
        traps=(locked_root("*"), *HARDENED, CAMERA_HTTPS_ONLY),
        clean=True,
    ),
    Recipe(
        "hub-armhf-update-tar-gzip-ext4",
        "Hardened hub update package: signed manifest and an ext4 root in a tar.gz",
        "armhf",
        UpdatePackage("tar.gz", (("rootfs.ext4", Ext(4)),), signed=True),
        HUB,
        traps=(locked_root("!"), *HARDENED, PEM_MARKERS_IN_LIBRARY, HUB_HTTPS_ONLY),
        clean=True,
    ),
    Recipe(
        "camera-armhf-update-zip-squashfs",
        "IP camera update package: zip with a U-Boot kernel, an xz SquashFS root and an unsigned manifest",
        "armhf",
        UpdatePackage("zip", (("kernel.uImage", UImage(Kernel("gzip"))), ("rootfs.squashfs", SquashFS("xz")))),
        CAMERA,
        plants=(ROOT_WEAK_MD5, CGI_HARDCODED_PASSWORD, WEB_ADMIN_APR1, INSECURE_UPDATE, CAMERA_WEB_ROOT),
    ),
    Recipe(
        "hub-arm64-update-7z-squashfs",
        "Hub update package: 7z with a U-Boot kernel and a gzip SquashFS root",
        "arm64",
        UpdatePackage("7z", (("kernel.uImage", UImage(Kernel("lzma"))), ("rootfs.squashfs", SquashFS("gzip")))),
        HUB,
        plants=(MQTT_ANONYMOUS, DEVICE_EC_KEY, INSECURE_UPDATE),
    ),
    Recipe(
        "hub-arm64-tar-gzip",
        "Hub root file system as a gzip tarball",
        "arm64",
        Compress("gzip", Tar()),
        HUB,
        plants=(CURL_INSECURE, SECOND_UID0, SETUID_CURL),
        traps=(PEM_MARKERS_IN_LIBRARY, SIGNED_UPDATE, UPDATE_PUBLIC_KEY),
    ),
    Recipe(
        "plug-armel-cpio-xz",
        "Smart plug initramfs, xz-compressed newc cpio",
        "armel",
        Compress("xz", Cpio("newc")),
        PLUG,
        plants=(ROOT_WEAK_MD5, INSECURE_UPDATE),
    ),
    Recipe(
        "plug-mipsel-tar-lzma",
        "Smart plug root file system as an LZMA (lzma-alone) tarball",
        "mipsel",
        Compress("lzma", Tar()),
        PLUG,
        plants=(SUPPORT_DES, TELNET_SHELL, INSECURE_UPDATE),
    ),
    Recipe(
        "camera-armhf-cpio-lz4",
        "IP camera initramfs, LZ4 (legacy frames) newc cpio",
        "armhf",
        Compress("lz4", Cpio("newc")),
        CAMERA,
        plants=(SERIAL_ROOT_SHELL, AWS_KEYS, INSECURE_UPDATE),
        traps=(DROPBEAR_KEYS_ONLY,),
    ),
    Recipe(
        "router-armel-tar-zstd",
        "Router root file system as a zstd tarball",
        "armel",
        Compress("zstd", Tar()),
        ROUTER,
        plants=(SNMP_PUBLIC, GUEST_EMPTY, INSECURE_UPDATE, DNSMASQ_TMP_RPATH),
        traps=(TELNET_COMMENTED, LIGHTTPD_ORIGIN_RUNPATH),
    ),
    Recipe(
        "router-mipsel-squashfs3-be-lzma",
        "Old router (LR-300) vendor image: big-endian SquashFS 3.1, LZMA, vendor magic 'sqlz'",
        "mipsel",
        SquashFS3(endian="big", compression="lzma", magic=b"sqlz"),
        OLD_ROUTER,
        plants=(ROOT_WEAK_DES, TELNET_SHELL, INSECURE_UPDATE),
        requires="squashfs_legacy",
    ),
    Recipe(
        "camera-mipsel-squashfs3-le-gzip",
        "IP camera vendor image: little-endian SquashFS 3.1, gzip",
        "mipsel",
        SquashFS3(endian="little", compression="gzip"),
        CAMERA,
        plants=(ROOT_WEAK_MD5, TELNET_SHELL, CGI_HARDCODED_PASSWORD, INSECURE_UPDATE),
        requires="squashfs_legacy",
    ),
    Recipe(
        "bench-arm64-uimage-squashfs-lzo",
        "Benchmark image (about 60 MB): U-Boot kernel and an LZO SquashFS holding every package for four CPUs",
        "arm64",
        Flash((UImage(Kernel("gzip")), SquashFS("lzo", block_size=65536, duplicates=False))),
        HUB,
        plants=(ROOT_WEAK_MD5, MQTT_ANONYMOUS),
        traps=(SIGNED_UPDATE, UPDATE_PUBLIC_KEY),
        bulk_copies=1,
    ),
)


def _traversal(image: str, container: str) -> Recipe:
    return Recipe(
        image,
        f"{container} whose member name climbs out of the output folder with ../",
        "noarch",
        EvilArchive(
            "tar" if container == "tar" else "zip",
            (Entry("firmware/README", data=b"update package\n"), Entry("../" * 12 + pwned(image)[1:], data=b"x\n")),
        ),
        hostile=Hostile(expect=("path-traversal",), forbidden=(pwned(image),)),
    )


def _absolute(image: str, container: str) -> Recipe:
    return Recipe(
        image,
        f"{container} with an absolute member name",
        "noarch",
        EvilArchive(
            "tar" if container == "tar" else "cpio",
            (Entry("etc/hostname", data=b"device\n"), Entry(pwned(image), data=b"x\n")),
        ),
        hostile=Hostile(expect=("absolute-path",), forbidden=(pwned(image),)),
    )


HOSTILE_IMAGES = (
    _traversal("hostile-tar-traversal", "tar"),
    _traversal("hostile-zip-traversal", "zip"),
    _absolute("hostile-tar-absolute", "tar"),
    _absolute("hostile-cpio-absolute", "cpio"),
    Recipe(
        "hostile-tar-symlink-escape",
        "tar: a symlink to /tmp and one climbing out with ../, each followed by a file written through it",
        "noarch",
        EvilArchive(
            "tar",
            (
                Entry("link", "symlink", 0o777, target="/tmp"),
                Entry("link/iotbaseline-pwned-hostile-tar-symlink-escape-abs", data=b"x\n"),
                Entry("up", "symlink", 0o777, target="../" * 12 + "tmp"),
                Entry("up/iotbaseline-pwned-hostile-tar-symlink-escape-rel", data=b"x\n"),
            ),
        ),
        hostile=Hostile(
            expect=("symlink-escape",),
            forbidden=(pwned("hostile-tar-symlink-escape", "-abs"), pwned("hostile-tar-symlink-escape", "-rel")),
        ),
    ),
    Recipe(
        "hostile-tar-hardlink-escape",
        "tar: hard links to /etc/passwd and, with ../, to /etc/hostname (nothing is written through them)",
        "noarch",
        EvilArchive(
            "tar",
            (
                Entry("etc/passwd", "hardlink", target="/etc/passwd"),
                Entry("etc/hostname", "hardlink", target="../" * 12 + "etc/hostname"),
            ),
        ),
        hostile=Hostile(expect=("hardlink-escape",), targets=("/etc/passwd", "/etc/hostname")),
    ),
    Recipe(
        "hostile-cpio-devices",
        "cpio: block and character device nodes and a fifo",
        "noarch",
        EvilArchive(
            "cpio",
            (
                Entry("dev", "dir", 0o755),
                Entry("dev/sda", "block", 0o660, major=8, minor=0),
                Entry("dev/mem", "char", 0o640, major=1, minor=1),
                Entry("dev/kmsg", "char", 0o644, major=1, minor=11),
                Entry("run", "dir", 0o755),
                Entry("run/control.fifo", "fifo", 0o600),
                Entry("etc", "dir", 0o755),
                Entry("etc/hostname", data=b"device\n"),
            ),
        ),
        hostile=Hostile(expect=("device-node",)),
    ),
    Recipe(
        "hostile-gzip-bomb",
        "gzip of about 1 MiB that inflates to 1 GiB of zeros",
        "noarch",
        GzipBomb(),
        hostile=Hostile(expect=("budget",), max_output_bytes=64 << 20),
    ),
    Recipe(
        "hostile-zip-bomb",
        "zip of 16 members of 64 MiB of zeros each (1 GiB) in about 1 MiB",
        "noarch",
        ZipBomb(),
        hostile=Hostile(expect=("budget",), max_output_bytes=64 << 20),
    ),
    Recipe(
        "hostile-nested-30",
        "30 layers alternating gzip and tar around one text file",
        "noarch",
        Nested(30),
        hostile=Hostile(expect=("depth",)),
    ),
    Recipe(
        "hostile-squashfs-truncated",
        "Smart plug xz SquashFS cut at 60%",
        "mipsel",
        Truncate(SquashFS("xz")),
        PLUG,
        hostile=Hostile(expect=("truncated",)),
    ),
    Recipe(
        "hostile-jffs2-truncated",
        "Smart plug little-endian JFFS2 cut at 60%",
        "mipsel",
        Truncate(Jffs2("little")),
        PLUG,
        hostile=Hostile(expect=("truncated",)),
    ),
    Recipe(
        "hostile-ubi-truncated",
        "Smart plug UBI/UBIFS cut at 60%",
        "mipsel",
        Truncate(Ubi()),
        PLUG,
        hostile=Hostile(expect=("truncated",)),
    ),
)

RECIPES = DEVICE_IMAGES + HOSTILE_IMAGES
BY_NAME = {recipe.name: recipe for recipe in RECIPES}


def available(recipe: Recipe) -> bool:
    """False while an optional builder module (another engineer's squashfs_legacy) is not there yet."""
    return not recipe.requires or (Path(__file__).parent / f"{recipe.requires}.py").exists()

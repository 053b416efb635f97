"""Assemble a device root filesystem in a directory: skeleton templates, real package binaries,
BusyBox applet links, accounts, device nodes, then the recipe's plants and traps.

The staged directory is what the ground truth describes and what every packer packs, so a record's
path and line are checked against it before the image is made.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.corpus import credentials, debs
from tests.corpus.cache import BUILDER_DIR, Cache
from tests.corpus.model import (
    Account,
    Device,
    Edit,
    Feature,
    Hashed,
    Locked,
    Login,
    NoPassword,
    Password,
    Program,
    Recipe,
    Unique,
)
from tests.corpus.tools import SOURCE_DATE_EPOCH, CorpusError, run

SKEL = BUILDER_DIR / "skel"
APPLETS = BUILDER_DIR / "data" / "busybox-applets.txt"
SHADOW_LAST_CHANGE = SOURCE_DATE_EPOCH // 86400
PLACEHOLDER = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")

# Build-system facts that differ per CPU (OpenWrt target names in the router profile).
ARCH_VARIABLES = {
    "mipsel": {"OPENWRT_TARGET": "ramips/mt7621", "OPENWRT_ARCH": "mipsel_24kc"},
    "armel": {"OPENWRT_TARGET": "kirkwood/generic", "OPENWRT_ARCH": "arm_xscale"},
    "armhf": {"OPENWRT_TARGET": "ipq40xx/generic", "OPENWRT_ARCH": "arm_cortex-a7_neon-vfpv4"},
    "arm64": {"OPENWRT_TARGET": "mediatek/mt7622", "OPENWRT_ARCH": "aarch64_cortex-a53"},
}

# Device nodes and a fifo, as /dev on a flash root file system holds them before mdev runs.
SPECIALS = (
    ("dev/console", "char", 0o600, 5, 1),
    ("dev/null", "char", 0o666, 1, 3),
    ("dev/ttyS0", "char", 0o620, 4, 64),
    ("dev/mtdblock0", "block", 0o640, 31, 0),
    ("dev/initctl", "fifo", 0o600, 0, 0),
)
BASE_DIRS = ("dev", "proc", "sys", "tmp", "var", "mnt", "root", "etc/rc.d", "lib/modules", "usr/lib")


@dataclass
class Staged:
    """A staged tree with the truth records its features produced and the packages it holds."""

    root: Path
    plants: list[dict[str, Any]] = field(default_factory=list)
    traps: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)


def packages_needed(recipe: Recipe) -> set[tuple[str, str]]:
    """Every (package, arch) the recipe's trees are made from, so they can be fetched in one go."""
    wanted: set[tuple[str, str]] = set()
    if recipe.device is not None:
        names = [*recipe.device.packages]
        for feature in [*recipe.device.features, *recipe.plants, *recipe.traps]:
            names += feature.packages
        wanted |= {(name, recipe.arch) for name in names}
    if recipe.bulk_copies:
        wanted |= {(name, arch) for name in debs.PACKAGE_FILES for arch in debs.DEVICE_ARCHES}
    return wanted


def variables(recipe: Recipe, extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """The @@NAME@@ values templates may use: device identity, per-image secrets, feature choices."""
    device = recipe.device
    assert device is not None
    slug = re.sub(r"[^a-z0-9]+", "-", device.vendor.lower()).strip("-")
    key_id, secret = credentials.aws_credentials(recipe.seed)
    digest = hashlib.sha256(recipe.seed.encode()).digest()
    found = {
        "IMAGE": recipe.name,
        "ARCH": recipe.arch,
        "VENDOR": device.vendor,
        "VENDOR_SLUG": slug,
        "VENDOR_DOMAIN": f"{slug}.example.com",
        "MODEL": device.model,
        "MODEL_SLUG": re.sub(r"[^a-z0-9]+", "-", device.model.lower()).strip("-"),
        "VERSION": device.version,
        "HOSTNAME": device.hostname,
        "SERIAL": f"{slug[:3].upper()}{int.from_bytes(digest[:4]):010d}",
        "MAC": "02:" + ":".join(f"{b:02x}" for b in digest[4:9]),
        "WIFI_KEY": credentials.strong_password(f"{recipe.seed}/wifi")[:16],
        "AWS_ACCESS_KEY_ID": key_id,
        "AWS_SECRET_ACCESS_KEY": secret,
        "CONSOLE": "ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100",
        "DROPBEAR_ARGS": "",
        "CURL_TLS": "--cacert /etc/ssl/certs/ca-certificates.crt",
        "OPENWRT_RELEASE": "19.07.7",
        "OPENWRT_REVISION": "r11306-c4a6851c72",
        **ARCH_VARIABLES.get(recipe.arch, {}),
        **dict(device.variables),
    }
    found.update(extra)
    return found


def substitute(text: str, values: dict[str, str], where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise CorpusError(f"{where}: unknown template variable @@{name}@@")
        return values[name]

    return PLACEHOLDER.sub(value, text)


def stage_rootfs(recipe: Recipe, cache: Cache, name: str, root: Path) -> Staged:
    """Stage the tree `name` of the recipe: "rootfs" (the device) or "data" (its factory partition)."""
    device = recipe.device
    if device is None:
        raise CorpusError(f"{recipe.name}: a file system layer needs a device to stage")
    features = [f for f in (*device.features, *recipe.plants, *recipe.traps) if f.rootfs == name]
    values = variables(recipe, (pair for f in features for pair in f.variables))
    root.mkdir(parents=True)
    if name == "rootfs":
        components = _lay_out_device(recipe, device, features, cache, root, values)
    else:
        components = []
        _copy_skeleton(SKEL / name, root, values)
    for feature in features:
        _apply_edits(recipe, feature.edits, root, values)
        _change_programs(recipe, feature.programs, root)
        _write_logins(feature.logins, root, recipe.seed)
    if name == "rootfs":
        _write_accounts(_merge_accounts(device.accounts, features), root, recipe.seed)
        if recipe.specials and os.geteuid() == 0:  # mknod needs root; without it the truth has none
            _make_specials(root)
    _settle(root)
    return Staged(
        root=root,
        plants=[_record(recipe, f, root, values) for f in recipe.plants if f.rootfs == name],
        traps=[_record(recipe, f, root, values) for f in recipe.traps if f.rootfs == name],
        components=components,
    )


def _lay_out_device(
    recipe: Recipe, device: Device, features: list[Feature], cache: Cache, root: Path, values: dict[str, str]
) -> list[dict[str, Any]]:
    """Directories, skeleton templates, package binaries and links; returns the components installed."""
    for directory in (*BASE_DIRS, *device.dirs):
        (root / directory).mkdir(parents=True, exist_ok=True)
    for layer in ("base", device.profile):
        _copy_skeleton(SKEL / layer, root, values)
    packages = list(dict.fromkeys([*device.packages, *(p for f in features for p in f.packages)]))
    components = [_install(cache, package, recipe.arch, root) for package in packages]
    if "busybox-static" in packages:
        _link_applets(root)
    for path, target in device.links:
        _symlink(root / path, target)
    if recipe.bulk_copies:
        components += _install_bulk(cache, root, recipe.bulk_copies)
    return components


def _copy_skeleton(source: Path, root: Path, values: dict[str, str]) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        target = root / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(substitute(path.read_text(), values, str(path.relative_to(SKEL))))
        target.chmod(0o755 if path.stat().st_mode & 0o111 else 0o644)


def _install(cache: Cache, package: str, arch: str, root: Path, prefix: Path | None = None) -> dict[str, Any]:
    """Copy the device's share of one unpacked .deb, multiarch directories flattened; or, with a
    `prefix`, the whole package under it."""
    unpacked = debs.unpacked(cache, package, arch)
    patterns = ("**/*",) if prefix is not None else debs.PACKAGE_FILES[package]
    paths: list[str] = []
    for pattern in patterns:
        for source in sorted(unpacked.root.glob(pattern)):
            if source.is_dir() and not source.is_symlink():
                continue
            inside = source.relative_to(unpacked.root)
            relative = prefix / inside if prefix is not None else debs.flatten(inside)
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_symlink():
                _symlink(target, str(source.readlink()))
            else:
                shutil.copyfile(source, target)
                target.chmod(stat.S_IMODE(source.stat().st_mode))
            paths.append(relative.as_posix())
    if not paths:
        raise CorpusError(f"{package}:{arch}: no file matched {patterns}")
    return {
        "name": unpacked.source,
        "version": unpacked.upstream_version,
        "debian_version": unpacked.version,
        "package": package,
        "arch": unpacked.arch,
        "paths": sorted(paths),
    }


def _install_bulk(cache: Cache, root: Path, copies: int) -> list[dict[str, Any]]:
    """The benchmark's bulk: whole packages for every CPU under /opt/sdk, several times over."""
    return [
        _install(cache, package, arch, root, Path("opt/sdk") / f"{arch}-{copy}" / package)
        for copy in range(copies)
        for arch in debs.DEVICE_ARCHES
        for package in debs.PACKAGE_FILES
    ]


def _link_applets(root: Path) -> None:
    styles = {"bin": "busybox", "sbin": "../bin/busybox", "usr/bin": "../../bin/busybox"}
    for line in APPLETS.read_text().splitlines():
        if line and not line.startswith("#"):
            _symlink(root / line, styles.get(str(Path(line).parent), "/bin/busybox"))


def _symlink(path: Path, target: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    path.symlink_to(target)


def _apply_edits(recipe: Recipe, edits: Iterable[Edit], root: Path, values: dict[str, str]) -> None:
    for edit in edits:
        target = root / edit.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if edit.link:
            _symlink(target, edit.link)
            continue
        if edit.key is not None:
            content = credentials.render_key(edit.key, recipe.seed)
        elif edit.template:
            template = SKEL / "extras" / edit.template
            content = substitute(template.read_text(), values, f"extras/{edit.template}").encode()
        else:
            content = substitute(edit.text, values, edit.path).encode()
        if edit.append:
            if not target.exists():
                raise CorpusError(f"{recipe.name}: cannot append to missing {edit.path}")
            with open(target, "ab") as handle:  # keeps the file's mode
                handle.write(content)
            continue
        target.write_bytes(content)
        target.chmod(edit.mode)


def _change_programs(recipe: Recipe, programs: Iterable[Program], root: Path) -> None:
    for program in programs:
        target = root / program.path
        if target.is_symlink() or not target.is_file():
            raise CorpusError(f"{recipe.name}: {program.path} is not a program file of the staged tree")
        if program.search_path:
            force = ["--force-rpath"] if program.tag == "RPATH" else []  # patchelf writes RUNPATH by default
            run(["patchelf", *force, "--set-rpath", program.search_path, target])
        if program.mode is not None:
            target.chmod(program.mode)


def _hash_field(password: Password, image: str, user: str) -> str:
    match password:
        case Locked(marker=marker):
            return marker
        case NoPassword():
            return ""
        case Hashed():
            return credentials.crypt_hash(password)
        case Unique(scheme=scheme):
            seed = f"{image}/{user}"
            length = {"descrypt": 2, "md5crypt": 8, "apr1": 8, "bcrypt": 22}.get(scheme, 16)
            return credentials.crypt_hash(
                Hashed(scheme, credentials.strong_password(seed), credentials.salt(seed, length))
            )
    raise AssertionError(password)


def _merge_accounts(base: Iterable[Account], features: Iterable[Feature]) -> list[Account]:
    """Device accounts, then each feature's, a later account replacing an earlier one of that name."""
    merged = {account.name: account for account in base}
    for feature in features:
        merged.update((account.name, account) for account in feature.accounts)
    return list(merged.values())


def _write_accounts(accounts: list[Account], root: Path, image: str) -> None:
    passwd, shadow = [], []
    for account in accounts:
        hashed = _hash_field(account.password, image, account.name)
        field_ = hashed if account.hash_in_passwd else "x"
        passwd.append(
            f"{account.name}:{field_}:{account.uid}:{account.gid}:{account.gecos}:{account.home}:{account.shell}"
        )
        if not account.hash_in_passwd:
            shadow.append(f"{account.name}:{hashed}:{SHADOW_LAST_CHANGE}:0:99999:7:::")
    (root / "etc/passwd").write_text("\n".join(passwd) + "\n")
    (root / "etc/passwd").chmod(0o644)
    if shadow:
        (root / "etc/shadow").write_text("\n".join(shadow) + "\n")
        (root / "etc/shadow").chmod(0o600)


def _write_logins(logins: Iterable[Login], root: Path, image: str) -> None:
    for login in logins:
        target = root / login.path
        target.parent.mkdir(parents=True, exist_ok=True)
        kept = [line for line in _lines(target) if not line.startswith(f"{login.user}:")]
        kept.append(f"{login.user}:{_hash_field(login.password, image, login.user)}")
        target.write_text("\n".join(kept) + "\n")
        target.chmod(0o600)


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _make_specials(root: Path) -> None:
    kinds = {"char": stat.S_IFCHR, "block": stat.S_IFBLK}
    for path, kind, mode, major, minor in SPECIALS:
        target = root / path
        if kind == "fifo":
            os.mkfifo(target, mode)
        else:
            os.mknod(target, kinds[kind] | mode, os.makedev(major, minor))
        target.chmod(mode)


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            yield Path(dirpath) / name


def _settle(root: Path) -> None:
    """Fixed directory modes and one timestamp everywhere, so packers see the same tree every build."""
    for path in _walk(root):
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o1777 if path.relative_to(root).as_posix() in {"tmp", "var/tmp"} else 0o755)
    for path in [*_walk(root), root]:
        os.utime(path, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH), follow_symlinks=False)


def _find_line(path: Path, match: str) -> int:
    """1-based line of the first line equal to `match` (ignoring indentation), else starting with it."""
    lines = [line.strip() for line in path.read_text(errors="replace").splitlines()]
    for candidates in (
        [i for i, line in enumerate(lines) if line == match],
        [i for i, line in enumerate(lines) if line.startswith(match)],
    ):
        if candidates:
            return candidates[0] + 1
    raise CorpusError(f"{path}: no line matches {match!r}")


def _record(recipe: Recipe, feature: Feature, root: Path, values: dict[str, str]) -> dict[str, Any]:
    changed = [edit.path for edit in feature.edits] + [program.path for program in feature.programs]
    path = feature.path or (changed[0] if changed else "")
    if not path:
        raise CorpusError(f"{recipe.name}: feature {feature.kind} names no path")
    if not (root / path).is_symlink() and not (root / path).exists():
        raise CorpusError(f"{recipe.name}: {feature.kind} points at missing {path}")
    record: dict[str, Any] = {"kind": feature.kind, "path": path, "rootfs": feature.rootfs}
    if feature.match:
        record["line"] = _find_line(root / path, substitute(feature.match, values, feature.kind))
    for key, detail in feature.details:
        record[key] = substitute(detail, values, feature.kind) if isinstance(detail, str) else detail
    for edit in feature.edits:
        if edit.key is not None and edit.path == path:
            record.update(
                key_id=edit.key.id,
                algorithm=edit.key.algorithm,
                bits=credentials.key_bits(edit.key, recipe.seed),
                format=edit.key.form,
                shared=edit.key.shared,
                public_sha256=credentials.public_sha256(edit.key, recipe.seed),
            )
    return record

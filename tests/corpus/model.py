"""The nouns of the corpus: a recipe names a device, the plants and traps it carries, and how it is packed.

Everything here is a frozen dataclass of plain values, so `repr(recipe)` is deterministic and serves as
the recipe part of the cache key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from tests.corpus.layouts import Node

Arch = Literal["mipsel", "armel", "armhf", "arm64", "noarch"]
HashScheme = Literal["descrypt", "md5crypt", "apr1", "sha256crypt", "sha512crypt", "yescrypt", "bcrypt"]
KeyForm = Literal["rsa-pem", "sec1-pem", "pkcs8-pem", "openssh", "dropbear", "x509-pem", "spki-pem"]
Detail = str | int | bool


@dataclass(frozen=True)
class Locked:
    """An account nobody can log in to with a password: `!` or `*` in the hash field."""

    marker: str = "!"


@dataclass(frozen=True)
class NoPassword:
    """An empty hash field: login without any password."""


@dataclass(frozen=True)
class Hashed:
    """A real crypt(3) hash of `password`, made with a fixed salt so builds repeat."""

    scheme: HashScheme
    password: str
    salt: str


@dataclass(frozen=True)
class Unique:
    """A strong password unique to the product (derived from the recipe's `seed`), hashed with `scheme`."""

    scheme: HashScheme


Password = Locked | NoPassword | Hashed | Unique


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    password: Password
    gecos: str = ""
    home: str = "/"
    shell: str = "/bin/false"
    hash_in_passwd: bool = False  # old firmware keeps the hash in /etc/passwd itself


@dataclass(frozen=True)
class Key:
    """Generated key material. A `shared` key is the same in every image (the white-label case);
    any other key is derived from the image name, so no two images share it by accident."""

    id: str
    algorithm: Literal["rsa", "ec", "ed25519"]
    form: KeyForm
    shared: bool = False
    subject: str = ""  # for x509-pem: the certificate subject CN


@dataclass(frozen=True)
class Edit:
    """One change to a staged tree: write `text`, a template from skel/extras or a key, append to a
    file, or make a symbolic link."""

    path: str
    text: str = ""
    template: str = ""
    key: Key | None = None
    link: str = ""
    append: bool = False
    mode: int = 0o644


@dataclass(frozen=True)
class Program:
    """A package's ELF program as a feature leaves it: set-ID bits added to its mode, or the library
    search path an SDK left in it (written with patchelf; the binary is never run)."""

    path: str
    mode: int | None = None
    search_path: str = ""
    tag: Literal["RPATH", "RUNPATH"] = "RUNPATH"


@dataclass(frozen=True)
class Login:
    """A `user:hash` line in an application password file (htpasswd and the like)."""

    path: str
    user: str
    password: Password


@dataclass(frozen=True)
class Feature:
    """A named change to a device. Listed under a recipe's `plants` or `traps`, it also yields a truth
    record: `kind`, the `path` (default: the first edit, else the first program) and the line holding
    `match`."""

    kind: str
    edits: tuple[Edit, ...] = ()
    programs: tuple[Program, ...] = ()
    accounts: tuple[Account, ...] = ()
    logins: tuple[Login, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    packages: tuple[str, ...] = ()
    path: str = ""
    match: str = ""
    rootfs: str = "rootfs"
    details: tuple[tuple[str, Detail], ...] = ()


@dataclass(frozen=True)
class Device:
    """A device personality: skeleton templates (skel/base + skel/<profile>), packages, accounts."""

    profile: str
    vendor: str
    model: str
    version: str
    hostname: str
    packages: tuple[str, ...]
    accounts: tuple[Account, ...]
    links: tuple[tuple[str, str], ...] = ()
    dirs: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    features: tuple[Feature, ...] = ()


@dataclass(frozen=True)
class Hostile:
    """What a safe extractor must do with a hostile image: refuse for these reasons, never create the
    forbidden paths, and write fewer than `max_output_bytes`."""

    expect: tuple[str, ...]
    forbidden: tuple[str, ...] = ()
    max_output_bytes: int = 16 << 20
    targets: tuple[str, ...] = ()  # host files a link in the image points at


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str
    arch: Arch
    layout: Node
    device: Device | None = None
    plants: tuple[Feature, ...] = ()
    traps: tuple[Feature, ...] = ()
    clean: bool = False
    hostile: Hostile | None = None
    specials: bool = True  # device nodes and a fifo under /dev (staged only when running as root)
    bulk_copies: int = 0  # bench: copies of every unpacked package under /opt/sdk
    requires: str = ""  # a builder module that may not exist yet (squashfs_legacy)
    release_of: str = ""
    """The recipe this image is a later firmware release of. A product keeps its build-time material from one
    release to the next (unique passwords, unshared keys, cloud credentials, serial, MAC, Wi-Fi key), so those
    derive from that recipe's name; the packing (file system UUIDs) still derives from this image's own name."""

    @property
    def seed(self) -> str:
        """The name per-product material derives from."""
        return self.release_of or self.name

"""What an image says about itself, as password candidates: hostname, vendor, model, product names
from /etc/hostname, /etc/*release, /etc/issue, /etc/banner. Vendors often make these the default
password (`LumoraRouter`, `vistacam`, `VC-200`)."""

import re
from pathlib import PurePosixPath

from iotbaseline.firmware.tree import FirmwareTree

IDENTITY_FILES = ("/etc/hostname", "/etc/issue", "/etc/banner", "/etc/version", "/etc/model", "/etc/product")
_RELEASE_DIRECTORY = "/etc"
_MAX_READ = 16 * 1024
_MAX_IDENTIFIERS = 200
_RELEASE_VALUES = re.compile(
    r"^\s*[A-Z_]*(?:NAME|ID|DESCRIPTION|MODEL|VENDOR|PRODUCT|BOARD|TARGET)\s*=\s*\"?'?([^\"'\n]*)"
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.@]{2,31}")
_TEMPLATE_ESCAPES = re.compile(r"\\[a-zA-Z]")
_COMMON_WORDS = frozenset({"linux", "version", "firmware", "release", "the", "and", "for", "with", "welcome", "kernel"})


def image_identifiers(tree: FirmwareTree) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for text in _identity_texts(tree):
        for phrase in _phrases(text):
            for variant in _variants(phrase):
                found.setdefault(variant, None)
    return tuple(found)[:_MAX_IDENTIFIERS]


def _identity_texts(tree: FirmwareTree) -> list[str]:
    texts = []
    for rootfs in tree.rootfs:
        release_files = [
            f.device_path
            for f in tree.files_in(rootfs)
            if f.device_path
            and PurePosixPath(f.device_path).parent.as_posix() == _RELEASE_DIRECTORY
            and f.device_path.endswith(("release", "_version"))
        ]
        for path in (*IDENTITY_FILES, *release_files):
            file = tree.resolve(rootfs, path)
            if file is None:
                continue
            try:
                raw = tree.read_bytes(file.path, limit=_MAX_READ)
            except (OSError, ValueError):
                continue
            text = raw.decode("utf-8", "replace")
            if path.endswith(("release", "_version")):
                text = "\n".join(m.group(1) for line in text.splitlines() if (m := _RELEASE_VALUES.match(line)))
            texts.append(text)
    return texts


def _phrases(text: str) -> list[str]:
    """Whole short lines (a hostname, `Vistacam VC-200 HD`) and the words in them."""
    phrases = []
    for line in _TEMPLATE_ESCAPES.sub(" ", text).splitlines():
        line = line.strip(" -|_*")
        if 3 <= len(line) <= 40:
            phrases.append(line)
        phrases.extend(word for word in _WORD.findall(line) if word.lower() not in _COMMON_WORDS)
    return phrases


def _variants(phrase: str) -> list[str]:
    squeezed = re.sub(r"[\s\-_.]", "", phrase)
    return list(dict.fromkeys(v for v in (phrase, phrase.lower(), squeezed, squeezed.lower()) if len(v) >= 3))

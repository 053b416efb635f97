"""Keys that recognise one finding in two firmware releases.

`Finding.id` (check + place + discriminator) leaves out the image name, but some places still name it: a
file outside any root filesystem (a kernel in a TRX) is reported by its path in the extraction folder,
`/<image file name>_extract/part0_extract/0-112307.uimage_extract/kernel.bin`, and a few discriminators
hold such a folder too. The image file name changes with every release (`fw-1.0.bin`, `fw-1.1.bin`), and
so do the offsets unblob names carved chunks by (`<start>-<end>.<handler>`) when a partition grows. Both
are taken out here. Three keys, each looser than the one before, are tried in turn:

1. `exact_key`: the finding's own place, line and offset included;
2. `place_key`: the same file or service and discriminator, at any line or offset (a line added above
   the weakness moves it, it does not make it new);
3. `subject_key`: for a discriminator naming a versioned subject (`zlib@1.2.13`), the subject without its
   version and without the place (a library's file name often carries its version): the same weakness
   of an upgraded component.

The outcome is part of every key: a FAIL that became an INFO at the same place is a fixed FAIL.
"""

import re
from collections.abc import Iterable

from iotbaseline.model import Finding, Location

EXTRACT_SUFFIX = "_extract"
"""unblob extracts a file `F` into `F_extract/` (see ARCHITECTURE.md, the extraction output folder)."""
IMAGE_PLACEHOLDER = "{image}"

_CHUNK_OFFSETS = re.compile(r"^\d+-\d+\.(?=[A-Za-z])")
"""`0-112307.` of a carved chunk `0-112307.uimage` or its folder `0-112307.uimage_extract`."""
_VERSIONED = re.compile(r"^(?P<subject>.+)@(?P<version>[^@/\s]+)$")

ExactKey = tuple[str, str, str, str]
PlaceKey = tuple[str, str, str, str, str]
SubjectKey = tuple[str, str, str]


def neutral_text(text: str, images: Iterable[str]) -> str:
    """`text` with each image's extraction folder named `{image}_extract` and carved chunks without their
    offsets, so that it reads the same in two releases."""
    for name in sorted((n for n in images if n), key=len, reverse=True):  # `fw.bin.2` before `fw.bin`
        text = text.replace(name + EXTRACT_SUFFIX, IMAGE_PLACEHOLDER + EXTRACT_SUFFIX)
    if EXTRACT_SUFFIX not in text:
        return text
    segments = text.split("/")
    for index in range(1, len(segments)):
        if segments[index - 1].endswith(EXTRACT_SUFFIX):  # chunks are carved into an extraction folder
            segments[index] = _CHUNK_OFFSETS.sub("", segments[index], count=1)
    return "/".join(segments)


def image_names(findings: Iterable[Finding], inputs: Iterable[str] = ()) -> frozenset[str]:
    """The image names one assessment's findings may embed: those they are located in, and the inputs' file names."""
    names = {str(f.location.image) for f in findings if f.location.image}
    names.update(path.replace("\\", "/").rsplit("/", 1)[-1] for path in inputs)
    return frozenset(n for n in names if n)


def _service(location: Location) -> str:
    parts = (location.host, location.port, location.protocol, location.url)
    return "|".join("" if p is None else str(p) for p in parts)


def exact_key(finding: Finding, images: Iterable[str]) -> ExactKey:
    return (
        finding.check,
        finding.outcome.value,
        neutral_text(finding.location.key(), images),
        neutral_text(str(finding.discriminator), images),
    )


def place_key(finding: Finding, images: Iterable[str]) -> PlaceKey:
    return (
        finding.check,
        finding.outcome.value,
        neutral_text(str(finding.location.path or ""), images),
        _service(finding.location),
        neutral_text(str(finding.discriminator), images),
    )


def subject_key(finding: Finding, images: Iterable[str]) -> SubjectKey | None:
    """None when the discriminator names no versioned subject."""
    found = _VERSIONED.match(str(finding.discriminator))
    if found is None:
        return None
    return (finding.check, finding.outcome.value, neutral_text(found["subject"], images))


def position(finding: Finding) -> tuple[int, int]:
    """Where in its file: pairs two findings of one key in the order they appear."""
    line, offset = finding.location.line, finding.location.offset
    return (line if isinstance(line, int) else 0, offset if isinstance(offset, int) else 0)  # a report may say anything

"""Records of what extraction cut short or refused, and why: the `incomplete` list users read."""

from dataclasses import asdict, dataclass
from enum import StrEnum


class IncompleteKind(StrEnum):
    PATH_TRAVERSAL = "path-traversal"
    ABSOLUTE_PATH = "absolute-path"
    DUPLICATE_ENTRY = "duplicate-entry"
    LINK_ESCAPE = "link-escape"
    BUDGET = "budget"
    TOO_MANY_FILES = "too-many-files"
    DEPTH = "depth"
    TIMEOUT = "timeout"
    COMMAND_TIMEOUT = "command-timeout"
    CORRUPT = "corrupt"
    EXTRACTOR_FAILED = "extractor-failed"
    MISSING_DEPENDENCY = "missing-dependency"
    INTERNAL_ERROR = "internal-error"


@dataclass(frozen=True)
class Incomplete:
    """One thing that was not (fully) extracted.

    `what` is the kind, `where` the place in the image (a path inside the output folder, with the
    container offset where known), `reason` a sentence for people.
    """

    what: IncompleteKind
    where: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items()}

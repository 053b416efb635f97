"""What checking a security.txt found: its fields, its problems (each with a stable code, a line and what to do)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Severity = Literal["error", "recommendation", "notice"]


@dataclass(frozen=True)
class Problem:
    code: str
    """Stable identifier (`no_contact`, `expired`, ...); the `sectxt` package's code where the problem is the same."""
    line: int | None
    """1-based line of the file; None for the file as a whole or how it was served."""
    message: str
    """What is wrong and what to do, with hostile text from the file made visible."""
    severity: Severity

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class SecurityTxtField:
    name: str
    """As written in the file; compare `key`, since field names are case-insensitive (RFC 9116 section 2.4)."""
    value: str
    line: int

    @property
    def key(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class SecurityTxtReport:
    valid: bool
    """No error: recommendations and notices do not make a file invalid."""
    errors: tuple[Problem, ...]
    recommendations: tuple[Problem, ...]
    notices: tuple[Problem, ...]
    fields: tuple[SecurityTxtField, ...]
    source_url: str | None
    """Where the file was read from (the final URL after redirects, or a `file:` URL); None if none was found."""
    signed: bool
    signature_verified: bool | None
    """True or False when a public key was given and the signature could be checked; None otherwise."""
    signature_note: str = ""
    """Who signed, why verification failed, or why it was not done."""
    expires: datetime | None = None
    """The one valid `Expires` date, timezone-aware."""
    redirects: tuple[str, ...] = field(default=())

    def values(self, name: str) -> tuple[str, ...]:
        """The values of field `name` (any case), in file order: for `Contact` that order is the priority."""
        key = name.lower()
        return tuple(f.value for f in self.fields if f.key == key)

    def as_json(self) -> dict[str, Any]:
        """`valid`, `errors`, `recommendations` first, as `iotbaseline docs check --json` promises; the rest after."""
        return {
            "valid": self.valid,
            "errors": [problem.as_json() for problem in self.errors],
            "recommendations": [problem.as_json() for problem in self.recommendations],
            "notices": [problem.as_json() for problem in self.notices],
            "source_url": self.source_url,
            "redirects": list(self.redirects),
            "signed": self.signed,
            "signature_verified": self.signature_verified,
            "signature_note": self.signature_note,
            "expires": None if self.expires is None else self.expires.isoformat(),
            "fields": [{"name": f.name, "value": f.value, "line": f.line} for f in self.fields],
        }

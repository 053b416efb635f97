"""The check for how stored passwords are protected (EN 303 645 5.1-3: best-practice cryptography).

A password in clear, or hashed with DES crypt, md5crypt, BSDi crypt, unsalted or single-round SHA
forms or the NT hash, falls to an attacker holding the firmware in seconds to hours: FAIL. apr1
(Apache's md5crypt) is reported as information only, as the plan for issue 4 lists the failing
schemes without it; that choice is open."""

from collections import Counter
from collections.abc import Iterable
from typing import ClassVar

from iotbaseline.checks.accounts import findings as build
from iotbaseline.checks.accounts import schemes
from iotbaseline.checks.accounts.inventory import PlacedEntry, take_inventory
from iotbaseline.checks.accounts.schemes import FieldState, Strength
from iotbaseline.checks.base import Check, ScannedImage
from iotbaseline.model import Finding, Location, Outcome, Severity

REPORTED_ONLY = frozenset({schemes.APR1.name})


class PasswordHashSchemeCheck(Check):
    id = "firmware.accounts.hash-scheme"
    version = "1"
    title = "Password hashing schemes"
    provisions: ClassVar[tuple[str, ...]] = ("EN303645:5.1-3",)

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        inventory = take_inventory(image.tree)
        stored = [
            p for p in inventory.entries
            if p.entry.reading.state in (FieldState.HASH, FieldState.CLEAR) and p.entry.reading.scheme is not None
        ]  # fmt: skip
        found = [self._judged(image, placed) for placed in stored]
        judged = [f for f in found if f is not None]
        if stored and not any(f.outcome is Outcome.FAIL for f in judged):
            judged.append(self._all_strong(image, stored, [p.shown_path for p in inventory.files]))
        return judged

    def _judged(self, image: ScannedImage, placed: PlacedEntry) -> Finding | None:
        scheme = placed.entry.reading.scheme
        if scheme is None or scheme.strength is Strength.STRONG:
            return None
        weak = scheme.name not in REPORTED_ONLY
        what = "in clear" if scheme == schemes.CLEAR else f"with {scheme.name} ({scheme.strength.value})"
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.FAIL if weak else Outcome.INFO,
            provisions=self.provisions,
            severity=Severity.HIGH if weak else Severity.LOW,
            title=f"{placed.entry.user}'s password is stored {what} in {placed.place.shown_path}",
            location=build.location(image.name, placed.place, placed.entry.line),
            detail="a weak scheme lets anyone holding the firmware recover the password offline",
            evidence=build.entry_evidence(placed).to_dict(),
            discriminator=f"scheme:{placed.entry.user}",
        )

    def _all_strong(self, image: ScannedImage, stored: list[PlacedEntry], files: list[str]) -> Finding:
        counts = Counter(p.entry.reading.scheme.name for p in stored if p.entry.reading.scheme)
        used = ", ".join(f"{name} x{count}" if count > 1 else name for name, count in sorted(counts.items()))
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=Outcome.PASS,
            provisions=self.provisions,
            severity=Severity.INFO,
            title=f"{len(stored)} stored password{'s' if len(stored) != 1 else ''} in {build.files_phrase(files)}: "
            f"none in clear or with a broken scheme ({used})",
            location=Location(image=image.name),
            evidence={"schemes": dict(counts), "files": files},
            discriminator="examined",
        )

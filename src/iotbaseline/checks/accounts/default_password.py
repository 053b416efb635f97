"""The check for universal default passwords (EN 303 645 5.1-1, PSTI Schedule 1 paragraph 1).

Every password stored in the image is the same on every unit; it is a universal default that
anyone holding the firmware knows when it is empty, stored in clear, or cracked from the list of
known vendor defaults, weak passwords and the image's own identifiers."""

from collections.abc import Iterable
from typing import ClassVar

from iotbaseline.checks.accounts import findings as build
from iotbaseline.checks.accounts.cracker import Cracker, CrackOutcome, CrackTarget
from iotbaseline.checks.accounts.dictionary import Dictionary
from iotbaseline.checks.accounts.identifiers import image_identifiers
from iotbaseline.checks.accounts.inventory import Inventory, PlacedEntry, take_inventory
from iotbaseline.checks.accounts.schemes import FieldState
from iotbaseline.checks.base import Check, CheckSettings, ScannedImage
from iotbaseline.model import Finding, Location, Outcome, Severity


class DefaultPasswordCheck(Check):
    id = "firmware.accounts.default-password"
    version = "1"
    title = "Universal default passwords"
    provisions: ClassVar[tuple[str, ...]] = ("EN303645:5.1-1", "PSTI:1")
    time_budget = 600.0

    def __init__(
        self,
        settings: CheckSettings | None = None,
        cracker: Cracker | None = None,
        dictionary: Dictionary | None = None,
    ) -> None:
        super().__init__(settings)
        self.cracker = cracker or Cracker()
        self.dictionary = dictionary
        """None: the full dictionary plus each image's identifiers."""
        self._cracked: dict[str, bytes] = {}
        """Passwords found in earlier images of the scan, by stored hash (a vendor's hash recurs)."""

    def finish(self, image: ScannedImage) -> Iterable[Finding]:
        inventory = take_inventory(image.tree)
        found = [*self._notes(image, inventory), *self._root_equivalents(image, inventory)]
        dictionary = self.dictionary or Dictionary(identifiers=image_identifiers(image.tree))
        failures = [*self._known_passwords(image, inventory), *self._cracked_passwords(image, inventory, dictionary)]
        found.extend(self._login_accounts(image, inventory))
        found.extend(failures)
        if not inventory.files:
            found.append(
                self._finding(
                    image,
                    Outcome.INFO,
                    Severity.INFO,
                    "no account files found",
                    Location(image=image.name),
                    "no-account-files",
                )
            )
        elif not any(f.outcome is Outcome.FAIL for f in failures):
            found.append(self._examined(image, inventory, dictionary, failures))
        return found

    def _finding(
        self,
        image: ScannedImage,
        outcome: Outcome,
        severity: Severity,
        title: str,
        location: Location,
        discriminator: str,
        detail: str = "",
        evidence: dict[str, object] | None = None,
    ) -> Finding:
        return Finding(
            check=self.id,
            check_version=self.version,
            outcome=outcome,
            provisions=self.provisions,
            severity=severity,
            title=title,
            location=location,
            detail=detail,
            evidence=evidence or {},
            discriminator=discriminator,
        )

    def _notes(self, image: ScannedImage, inventory: Inventory) -> list[Finding]:
        return [
            self._finding(
                image,
                Outcome.INFO,
                Severity.INFO,
                f"{note.place.shown_path}: {note.detail}",
                build.location(image.name, note.place, note.line),
                f"note:{note.detail}",
            )
            for note in inventory.notes
        ]

    def _root_equivalents(self, image: ScannedImage, inventory: Inventory) -> list[Finding]:
        return [
            self._finding(
                image,
                Outcome.INFO,
                Severity.MEDIUM,
                f"account {placed.account.user} has uid 0 (root's powers) besides root",
                build.location(image.name, placed.place, placed.account.line),
                f"uid0:{placed.account.user}",
                evidence={"user": placed.account.user, "uid": 0, "shell": placed.account.shell},
            )
            for placed in inventory.accounts
            if placed.account.uid == 0 and placed.account.user != "root"
        ]

    def _login_accounts(self, image: ScannedImage, inventory: Inventory) -> list[Finding]:
        return [
            self._finding(
                image,
                Outcome.INFO,
                Severity.LOW,
                f"{placed.entry.user} can log in with a password ({placed.entry.reading.scheme.name})",
                build.location(image.name, placed.place, placed.entry.line),
                f"login:{placed.entry.user}",
                evidence=build.entry_evidence(placed).to_dict(),
            )
            for placed in inventory.entries
            if placed.entry.reading.state is FieldState.HASH
            and placed.entry.login
            and placed.entry.reading.scheme is not None
        ]

    def _known_passwords(self, image: ScannedImage, inventory: Inventory) -> list[Finding]:
        """Empty passwords on accounts that can log in, and passwords stored in clear."""
        found = []
        for placed in inventory.entries:
            entry = placed.entry
            if entry.reading.state is FieldState.EMPTY and entry.login:
                title = f"{entry.user} logs in with an empty password ({placed.place.shown_path})"
                found.append(self._failure(image, placed, title, "empty", {}))
            elif entry.reading.state is FieldState.CLEAR:
                title = f"{entry.user}'s password is stored in clear in {placed.place.shown_path}"
                crack = build.crack_evidence(entry.secret, "stored in clear", 0, reveal=self.reveal)
                found.append(self._failure(image, placed, title, "clear", crack.to_dict()))
        return found

    def _cracked_passwords(self, image: ScannedImage, inventory: Inventory, dictionary: Dictionary) -> list[Finding]:
        hashed = [p for p in inventory.entries if p.entry.reading.state is FieldState.HASH and p.entry.reading.scheme]
        by_hash: dict[str, list[PlacedEntry]] = {}
        for placed in hashed:
            by_hash.setdefault(placed.entry.secret, []).append(placed)
        to_crack = [stored for stored in by_hash if stored not in self._cracked]
        targets = [self._target(by_hash[stored][0], dictionary) for stored in to_crack]
        outcomes = dict(zip(to_crack, self.cracker.crack(targets), strict=True))
        found: list[Finding] = []
        for stored, entries in by_hash.items():
            outcome = outcomes.get(stored)
            password = self._cracked.get(stored) or (outcome.password if outcome else None)
            if password is not None:
                self._cracked[stored] = password
                tried = outcome.tried if outcome else 0
                found.extend(self._cracked_finding(image, placed, password, tried) for placed in entries)
            elif outcome is not None and outcome.cut:
                found.append(self._cut_finding(image, entries[0], outcome))
        return found

    def _target(self, placed: PlacedEntry, dictionary: Dictionary) -> CrackTarget:
        scheme = placed.entry.reading.scheme
        assert scheme is not None
        return CrackTarget(scheme, placed.entry.secret, dictionary.candidates_for(placed.entry.user))

    def _cracked_finding(self, image: ScannedImage, placed: PlacedEntry, password: bytes, tried: int) -> Finding:
        text = password.decode("utf-8", "replace")
        shown = build.crack_evidence(text, "cracked from known defaults and weak passwords", tried, reveal=self.reveal)
        title = (
            f"{placed.entry.user}'s password is a known default ({shown.password_masked}) in {placed.place.shown_path}"
        )
        return self._failure(image, placed, title, "cracked", shown.to_dict())

    def _cut_finding(self, image: ScannedImage, placed: PlacedEntry, outcome: CrackOutcome) -> Finding:
        scheme = placed.entry.reading.scheme
        name = scheme.name if scheme else "?"
        detail = (
            f"{name} costs {outcome.seconds_per_attempt * 1000:.0f} ms an attempt: tried the likeliest "
            f"{outcome.tried:,} of {outcome.total:,} candidates within the time budget, none matched"
        )
        return self._finding(
            image,
            Outcome.INFO,
            Severity.INFO,
            f"{placed.entry.user}'s {name} hash: dictionary cut short",
            build.location(image.name, placed.place, placed.entry.line),
            f"cut:{placed.entry.user}",
            detail,
            {"tried": outcome.tried, "total": outcome.total, "scheme": name},
        )

    def _failure(
        self, image: ScannedImage, placed: PlacedEntry, title: str, kind: str, crack: dict[str, object]
    ) -> Finding:
        evidence = {**build.entry_evidence(placed).to_dict(), **crack}
        detail = "the same password ships on every unit: a universal default password"
        return self._finding(
            image,
            Outcome.FAIL,
            Severity.CRITICAL,
            title,
            build.location(image.name, placed.place, placed.entry.line),
            f"{kind}:{placed.entry.user}",
            detail,
            evidence,
        )

    def _examined(
        self, image: ScannedImage, inventory: Inventory, dictionary: Dictionary, findings: list[Finding]
    ) -> Finding:
        files = [place.shown_path for place in inventory.files]
        with_password = sum(1 for p in inventory.entries if p.entry.reading.state is FieldState.HASH)
        cut = sum(1 for f in findings if f.discriminator.startswith("cut:"))
        title = (
            f"parsed {build.files_phrase(files)}: {with_password} account{'s' if with_password != 1 else ''} "
            f"with a password, none matched {dictionary.size:,} known defaults"
        )
        detail = f"{cut} slow hash{'es' if cut != 1 else ''} tried against the likeliest candidates only" if cut else ""
        evidence = build.ExaminedEvidence(files, with_password, dictionary.size, cut).to_dict()
        return self._finding(
            image, Outcome.PASS, Severity.INFO, title, Location(image=image.name), "examined", detail, evidence
        )

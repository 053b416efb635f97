"""The loaded catalogue and the questions the rest of iotbaseline asks it."""

from collections.abc import Iterable, Mapping

from iotbaseline.catalogue.entries import CatalogueError, ComplianceRoute, ScheduleItem, Standard
from iotbaseline.model import EvidenceChannel, JSONValue, Provision

CATALOGUE_JSON_VERSION = 1


class Catalogue:
    """Every standard's provisions, looked up by qualified id (`EN303645:5.1-1`).

    Built by `iotbaseline.catalogue.load_catalogue`, which has already checked that every cross-reference resolves.
    Some facts have no field on `Provision` yet and are kept here, keyed by qualified id: which channels give only
    partial evidence, which parts of a multi-part standard a requirement belongs to, and deemed-compliance routes.
    """

    def __init__(
        self,
        standards: Iterable[Standard],
        *,
        partial_channels: Mapping[str, tuple[EvidenceChannel, ...]],
        parts: Mapping[str, tuple[int, ...]],
        routes: Mapping[str, tuple[ComplianceRoute, ...]],
    ):
        self._standards = {standard.key: standard for standard in standards}
        self._provisions = {p.qualified_id: p for s in self._standards.values() for p in s.provisions}
        self._partial = dict(partial_channels)
        self._parts = dict(parts)
        self._routes = dict(routes)

    def standards(self) -> tuple[str, ...]:
        return tuple(self._standards)

    def standard(self, key: str) -> Standard:
        try:
            return self._standards[key]
        except KeyError:
            raise CatalogueError(
                f"no standard {key!r} in the catalogue (known: {', '.join(self._standards)})"
            ) from None

    def provisions(self, standard: str) -> tuple[Provision, ...]:
        """The standard's provisions in the order the standard lists them."""
        return self.standard(standard).provisions

    def get(self, qualified_id: str) -> Provision:
        try:
            return self._provisions[qualified_id]
        except KeyError:
            self.standard(qualified_id.partition(":")[0])  # a clearer message when the standard itself is unknown
            raise CatalogueError(f"no provision {qualified_id!r} in the catalogue") from None

    def conditions(self, standard: str) -> Mapping[str, str]:
        """Code -> meaning for every code a provision of the standard may list in `conditions`.

        For EN 303 645 V3 that is the numbered conditions (C12) and the feature letters (g) together; `features`
        gives the letters alone.
        """
        found = self.standard(standard)
        return {**found.conditions, **found.features}

    def features(self, standard: str) -> Mapping[str, str]:
        return self.standard(standard).features

    def clauses(self, standard: str) -> Mapping[str, str]:
        return self.standard(standard).clauses

    def deemed_compliance(self, psti_id: str) -> tuple[ComplianceRoute, ...]:
        """The routes by which a requirement is deemed met: any one route suffices, and a route needs all of
        its provisions. Takes `PSTI:1` or just `1`; a requirement without routes gives ()."""
        qualified = psti_id if ":" in psti_id else f"PSTI:{psti_id}"
        self.get(qualified)
        return self._routes.get(qualified, ())

    def partial_channels(self, qualified_id: str) -> tuple[EvidenceChannel, ...]:
        """The provision's channels that only contribute evidence an assessor must complete."""
        return self._partial.get(self.get(qualified_id).qualified_id, ())

    def parts(self, qualified_id: str) -> tuple[int, ...]:
        """The parts of a multi-part standard (EN 18031-1/-2/-3) the requirement belongs to; () if not split."""
        return self._parts.get(self.get(qualified_id).qualified_id, ())

    def evidenced_by(
        self, channel: EvidenceChannel, *, standard: str | None = None, fully: bool = False
    ) -> tuple[Provision, ...]:
        """The provisions `channel` can give evidence for; with `fully`, only those it can decide on its own."""
        keys = (standard,) if standard is not None else self.standards()
        return tuple(
            provision
            for key in keys
            for provision in self.provisions(key)
            if channel in provision.channels
            and not (fully and channel in self._partial.get(provision.qualified_id, ()))
        )

    def to_dict(self, standard: str | None = None) -> dict[str, JSONValue]:
        """The catalogue (or one standard of it) as JSON data: the standards with their tables, and every
        provision with all its fields."""
        keys = (self.standard(standard).key,) if standard is not None else self.standards()
        return {
            "catalogue_version": CATALOGUE_JSON_VERSION,
            "standards": [self._standard_dict(self._standards[key]) for key in keys],
            "provisions": [self._provision_dict(p) for key in keys for p in self._standards[key].provisions],
        }

    def _standard_dict(self, standard: Standard) -> dict[str, JSONValue]:
        return {
            "standard": standard.key,
            "title": standard.title,
            "version": standard.version,
            "source": standard.source,
            "note": standard.note,
            "clauses": dict(standard.clauses),
            "conditions": dict(standard.conditions),
            "features": dict(standard.features),
            "excepted_products": [_item_dict(item) for item in standard.excepted_products],
            "statement_of_compliance": [_item_dict(item) for item in standard.statement_of_compliance],
        }

    def _provision_dict(self, provision: Provision) -> dict[str, JSONValue]:
        qid = provision.qualified_id
        return {
            "qualified_id": qid,
            "standard": provision.standard,
            "id": provision.id,
            "clause": provision.clause,
            "title": provision.title,
            "obligation": provision.obligation.value,
            "status": provision.status,
            "conditions": list(provision.conditions),
            "channels": [c.value for c in provision.channels],
            "partial_channels": [c.value for c in self._partial.get(qid, ())],
            "confirmed": provision.confirmed,
            "maps_to": list(provision.maps_to),
            "note": provision.note,
            "parts": list(self._parts.get(qid, ())),
            "deemed_compliance": [
                {"all_of": list(route.all_of), "confirmed": route.confirmed, "note": route.note}
                for route in self._routes.get(qid, ())
            ],
        }


def _item_dict(item: ScheduleItem) -> dict[str, JSONValue]:
    return {"id": item.id, "description": item.description, "confirmed": item.confirmed, "note": item.note}

"""What the document judgements report, shared by the policy and the support-period judges: how well an element
was found, and where the published text and the profile disagree."""

from dataclasses import dataclass
from enum import StrEnum

from iotbaseline.documents.sentences import Quote
from iotbaseline.model import JSONValue


class Found(StrEnum):
    YES = "yes"
    VAGUE = "vague"
    """Mentioned without what makes it checkable (no time, no address): a person has to judge."""
    NO = "no"


@dataclass(frozen=True)
class Contradiction:
    """The published document and the profile say different things about the same fact."""

    field: str
    """The profile field, e.g. vulnerability_disclosure.acknowledgement_time."""
    declared: str
    published: str
    quote: Quote | None
    weaker: bool
    """The published promise is weaker than the declaration (a later acknowledgement, an earlier end date): the
    declaration overstates what buyers and reporters are told."""

    @property
    def message(self) -> str:
        how = "promises less than" if self.weaker else "differs from"
        return f"the published {self.published!r} {how} the profile's {self.field} {self.declared!r}"

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "field": self.field,
            "declared": self.declared,
            "published": self.published,
            "weaker": self.weaker,
            "quote": self.quote.to_dict() if self.quote else None,
        }

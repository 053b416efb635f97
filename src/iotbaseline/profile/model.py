"""The product profile: what the manufacturer declares about the product, in the spirit of ETSI TS 103 701's
ICS (a support claim per provision) and IXIT (facts and pointers a test needs).

Pure data, frozen. A value left empty in the file is None here: undeclared, never a guess. The verdict engine
asks `condition_holds` (to allow NOT APPLICABLE) and `claim` (to compare declarations with evidence).
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum

from iotbaseline.model import JSONValue, Provision
from iotbaseline.profile.features import FEATURE_KEYS, condition_answer


class Support(StrEnum):
    """The ICS answer for one provision (EN 303 645 Annex B: Y / N / N/A)."""

    SUPPORTED = "supported"
    NOT_SUPPORTED = "not-supported"
    NOT_APPLICABLE = "not-applicable"


class UpdateMethod(StrEnum):
    """How an update reaches the device."""

    HTTPS_DOWNLOAD = "https-download"
    HTTP_DOWNLOAD = "http-download"
    VENDOR_APP = "vendor-app"
    WEB_UPLOAD = "web-upload"
    USB = "usb"
    TECHNICIAN = "technician"
    NONE = "none"


NETWORK_UPDATE_METHODS = frozenset(
    {UpdateMethod.HTTPS_DOWNLOAD, UpdateMethod.HTTP_DOWNLOAD, UpdateMethod.VENDOR_APP, UpdateMethod.WEB_UPLOAD}
)
"""Methods that deliver an update over a network interface (EN 303 645 condition 11)."""


@dataclass(frozen=True)
class Manufacturer:
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Product:
    model_designation: str | None = None
    product_type: str | None = None
    hardware_version: str | None = None
    firmware_version: str | None = None
    batch: str | None = None


@dataclass(frozen=True)
class UpdateDelivery:
    methods: tuple[UpdateMethod, ...] = ()
    signed: bool | None = None
    """Update images are signed, and the signature is checked before installing."""


@dataclass(frozen=True)
class VulnerabilityDisclosure:
    policy_url: str | None = None
    contact: str | None = None
    acknowledgement_time: str | None = None
    """As the policy states it, e.g. "5 working days"."""
    status_update_time: str | None = None


@dataclass(frozen=True)
class SupportPeriod:
    statement_url: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    """The last day security updates are promised (PSTI: the defined support period ends then)."""


@dataclass(frozen=True)
class LiveTesting:
    owner_confirmed: bool | None = None
    """The owner of the probed devices allows default-password attempts on them (like --i-own-this-device)."""


@dataclass(frozen=True)
class Claim:
    provision: str
    """Qualified provision id, e.g. EN303645:5.1-1."""
    support: Support
    justification: str = ""
    line: int = 0
    """Its line in the profile file (0 when it did not come from a file)."""


@dataclass(frozen=True)
class ProductProfile:
    manufacturer: Manufacturer = field(default_factory=Manufacturer)
    product: Product = field(default_factory=Product)
    features: Mapping[str, bool] = field(default_factory=dict)
    """Answers to the feature questions (`profile.features.FEATURES`); an unanswered question is absent."""
    update_delivery: UpdateDelivery = field(default_factory=UpdateDelivery)
    vulnerability_disclosure: VulnerabilityDisclosure = field(default_factory=VulnerabilityDisclosure)
    support_period: SupportPeriod = field(default_factory=SupportPeriod)
    live_testing: LiveTesting = field(default_factory=LiveTesting)
    statement_of_compliance: str | None = None
    """URL of the statement of compliance (PSTI Act s.9)."""
    claims: Mapping[str, Claim] = field(default_factory=dict)
    """Qualified provision id -> claim, in the file's order."""
    source: str = ""
    """The file the profile was read from."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """Dotted field path (`support_period.end_date`, `features.uses_passwords`) -> its line in the file."""

    def feature(self, key: str) -> bool | None:
        return self.features.get(key)

    def condition_holds(self, standard: str, code: str) -> bool | None:
        """Whether the profile's answers say condition `code` of `standard` holds; None when they do not say
        (unanswered, or a code no feature question decides)."""
        return condition_answer(self.features, standard, code)

    def provision_applies(self, provision: Provision) -> bool | None:
        """A conditional provision applies when all its conditions hold: False as soon as one is declared
        false, True when all are declared true, None otherwise."""
        answers = [self.condition_holds(provision.standard, code) for code in provision.conditions]
        if False in answers:
            return False
        return True if all(answers) else None

    def claim(self, qualified_id: str) -> Claim | None:
        return self.claims.get(qualified_id)

    def line_of(self, path: str) -> int | None:
        return self.lines.get(path)

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON data laid out like the profile file, every question listed (null when unanswered), claims with
        their lines."""
        return {
            "source": self.source,
            "manufacturer": _plain(asdict(self.manufacturer)),
            "product": _plain(asdict(self.product)),
            "features": {key: self.features.get(key) for key in FEATURE_KEYS},
            "update_delivery": _plain(asdict(self.update_delivery)),
            "vulnerability_disclosure": _plain(asdict(self.vulnerability_disclosure)),
            "support_period": _plain(asdict(self.support_period)),
            "live_testing": _plain(asdict(self.live_testing)),
            "statement_of_compliance": self.statement_of_compliance,
            "claims": [_plain(asdict(claim)) for claim in self.claims.values()],
            "lines": dict(self.lines),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> "ProductProfile":
        """The inverse of `to_dict`, for data this tool wrote (a stored assessment); files go through
        `load_profile`, which validates."""
        period = data["support_period"]
        delivery = data["update_delivery"]
        return cls(
            manufacturer=Manufacturer(**data["manufacturer"]),
            product=Product(**data["product"]),
            features={key: value for key, value in data["features"].items() if value is not None},
            update_delivery=UpdateDelivery(
                methods=tuple(UpdateMethod(method) for method in delivery["methods"]), signed=delivery["signed"]
            ),
            vulnerability_disclosure=VulnerabilityDisclosure(**data["vulnerability_disclosure"]),
            support_period=SupportPeriod(
                statement_url=period["statement_url"],
                start_date=_date(period["start_date"]),
                end_date=_date(period["end_date"]),
            ),
            live_testing=LiveTesting(**data.get("live_testing", {})),
            statement_of_compliance=data["statement_of_compliance"],
            claims={
                claim["provision"]: Claim(
                    claim["provision"], Support(claim["support"]), claim["justification"], claim["line"]
                )
                for claim in data["claims"]
            },
            source=data.get("source", ""),
            lines=dict(data.get("lines", {})),
        )


def _plain(values: dict[str, object]) -> dict[str, JSONValue]:
    """Dates as ISO text, tuples as lists, enums as their values: what JSON holds."""
    converted: dict[str, JSONValue] = {}
    for key, value in values.items():
        if isinstance(value, date):
            converted[key] = value.isoformat()
        elif isinstance(value, tuple):
            converted[key] = [str(item) for item in value]
        elif isinstance(value, StrEnum):
            converted[key] = value.value
        else:
            converted[key] = value
    return converted


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)

"""The layout of a profile file: its sections, their fields, each field's kind and its one-line help.

The loader reads by it and the template is written from it, so a field cannot be known to one and missing
from the other. Section and field keys equal the model's dataclass and attribute names.
"""

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    URL = "url"
    DATE = "date"
    YES_NO = "yes-no"
    UPDATE_METHODS = "update-methods"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    kind: Kind
    help: str


@dataclass(frozen=True)
class SectionSpec:
    key: str
    help: str
    fields: tuple[FieldSpec, ...]

    def field(self, key: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.key == key)


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "manufacturer",
        "Who makes the product, as on the statement of compliance.",
        (
            FieldSpec("name", Kind.TEXT, "Legal name of the manufacturer."),
            FieldSpec("address", Kind.TEXT, "Postal address of the manufacturer, on one line."),
        ),
    ),
    SectionSpec(
        "product",
        "The product this profile describes.",
        (
            FieldSpec(
                "model_designation", Kind.TEXT, "Model name or number as printed on the label or shown in the app."
            ),
            FieldSpec("product_type", Kind.TEXT, "What kind of product it is, e.g. indoor camera, smart plug, router."),
            FieldSpec("hardware_version", Kind.TEXT, 'Hardware revision; put it in quotes, e.g. "1.10".'),
            FieldSpec("firmware_version", Kind.TEXT, 'Firmware version assessed; put it in quotes, e.g. "2.4.0".'),
            FieldSpec("batch", Kind.TEXT, "Batch or production lot covered, as on the statement of compliance."),
        ),
    ),
    SectionSpec(
        "update_delivery",
        "How software updates reach the device.",
        (
            FieldSpec(
                "methods",
                Kind.UPDATE_METHODS,
                "List of: https-download, http-download, vendor-app, web-upload, usb, technician; or [none].",
            ),
            FieldSpec("signed", Kind.YES_NO, "Are updates signed, and is the signature checked before installing?"),
        ),
    ),
    SectionSpec(
        "vulnerability_disclosure",
        "How people report security problems to you (EN 303 645 5.2-1, PSTI Schedule 1 paragraph 2).",
        (
            FieldSpec("policy_url", Kind.URL, "Web address of your published vulnerability disclosure policy."),
            FieldSpec("contact", Kind.TEXT, "Where reports go: an e-mail address or a web form address."),
            FieldSpec("acknowledgement_time", Kind.TEXT, "How soon a reporter hears back, as the policy says it."),
            FieldSpec("status_update_time", Kind.TEXT, "How often reporters get status updates until resolved."),
        ),
    ),
    SectionSpec(
        "support_period",
        "How long you provide security updates (EN 303 645 5.3-13, PSTI Schedule 1 paragraph 3).",
        (
            FieldSpec("statement_url", Kind.URL, "Web address where the support period is published."),
            FieldSpec("start_date", Kind.DATE, "First day of the support period, as YYYY-MM-DD."),
            FieldSpec("end_date", Kind.DATE, "Last day security updates are provided, as YYYY-MM-DD."),
        ),
    ),
    SectionSpec(
        "live_testing",
        "Testing a device on the network (iotbaseline probe, scan --host).",
        (
            FieldSpec(
                "owner_confirmed",
                Kind.YES_NO,
                "yes: you own the probed devices or their owner lets you try default passwords (--i-own-this-device).",
            ),
        ),
    ),
)

STATEMENT_OF_COMPLIANCE = FieldSpec(
    "statement_of_compliance", Kind.URL, "Web address of the statement of compliance (UK PSTI) for this product."
)

TOP_LEVEL_KEYS = (
    "manufacturer",
    "product",
    "features",
    "update_delivery",
    "vulnerability_disclosure",
    "support_period",
    "live_testing",
    "statement_of_compliance",
    "claims",
)
"""In the order the template writes them."""

CLAIM_KEYS = ("support", "justification")

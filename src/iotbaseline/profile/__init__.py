"""The product profile: the manufacturer's declarations (TS 103 701 ICS and IXIT) that the verdict engine
weighs against the evidence.

`load_profile(path)` reads and validates a profile file; `render_template()` is the commented file
`iotbaseline init` writes.
"""

from iotbaseline.profile.features import FEATURES, ConditionLink, FeatureQuestion
from iotbaseline.profile.loader import load_profile, parse_profile
from iotbaseline.profile.model import (
    Claim,
    Manufacturer,
    Product,
    ProductProfile,
    Support,
    SupportPeriod,
    UpdateDelivery,
    UpdateMethod,
    VulnerabilityDisclosure,
)
from iotbaseline.profile.problems import Problem, ProfileError
from iotbaseline.profile.template import DEFAULT_PROFILE_NAME, render_template, write_template

__all__ = [
    "DEFAULT_PROFILE_NAME",
    "FEATURES",
    "Claim",
    "ConditionLink",
    "FeatureQuestion",
    "Manufacturer",
    "Problem",
    "Product",
    "ProductProfile",
    "ProfileError",
    "Support",
    "SupportPeriod",
    "UpdateDelivery",
    "UpdateMethod",
    "VulnerabilityDisclosure",
    "load_profile",
    "parse_profile",
    "render_template",
    "write_template",
]

"""The profile's yes/no questions about the device, and which standards' conditions each answer decides.

EN 303 645 makes some provisions conditional on a fact about the device (Annex B, Table B.1: condition 1 "the
device uses passwords", ...). The profile asks each fact as a question; this table is the one place that says
which condition an answer decides. The loader, `ProductProfile.condition_holds` and the template all read it.

Links to EN 303 645 V2.1.1 restate its Table B.1 conditions. Links to V3.1.3 (`EN303645-V3`) are marked
`correspondence=True`: they are our reading that a V3 code names the same fact, on a V3 Table B.1 that
REFERENCE.md §1.0 marks only partially confirmed. Where V3 splits a V2 condition in two (9 -> h and i) or
narrows it, the link says which answer decides it and which leaves it open.
"""

from collections.abc import Mapping
from dataclasses import dataclass

EN303645 = "EN303645"
EN303645_V3 = "EN303645-V3"


@dataclass(frozen=True)
class ConditionLink:
    """What a yes and a no answer say about one condition (or V3 feature) code of one standard."""

    standard: str
    code: str
    if_yes: bool | None
    """Whether the condition holds when the answer is yes; None: a yes leaves it open."""
    if_no: bool | None
    correspondence: bool = False
    """True where the code is our reading of the same fact in another version (V3.1.3), not the condition the
    question restates."""

    def decided(self, answer: bool) -> bool | None:
        return self.if_yes if answer else self.if_no


@dataclass(frozen=True)
class FeatureQuestion:
    key: str
    """Its key under `features:` in the profile file."""
    question: str
    """As the template asks it, in plain words."""
    links: tuple[ConditionLink, ...]

    @property
    def condition(self) -> str:
        """The EN 303 645 V2.1.1 condition the question restates."""
        return next(link.code for link in self.links if link.standard == EN303645 and link.if_yes)


@dataclass(frozen=True)
class Implication:
    """A yes to `if_yes` makes a no to `then_yes` a contradiction."""

    if_yes: str
    then_yes: str
    reason: str


def _v2(code: str) -> ConditionLink:
    return ConditionLink(EN303645, code, if_yes=True, if_no=False)


def _v3(code: str, *, if_yes: bool | None = True, if_no: bool | None = False) -> ConditionLink:
    return ConditionLink(EN303645_V3, code, if_yes=if_yes, if_no=if_no, correspondence=True)


FEATURES: tuple[FeatureQuestion, ...] = (
    FeatureQuestion(
        "uses_passwords",
        "Does the device use passwords, for people logging in or between machines?",
        # V3 c (cryptographic or password-based authentication) also covers keys: a no leaves it open.
        (_v2("1"), _v3("a"), _v3("c", if_no=None)),
    ),
    FeatureQuestion(
        "preinstalled_passwords",
        "Does the device ship with a password already set?",
        # V3 b speaks of pre-installed unique passwords; a universal one already fails 5.1-1, so b is the same fact.
        (_v2("2"), _v3("b")),
    ),
    FeatureQuestion(
        "non_updatable_components",
        "Is there software on the device that can never be updated?",
        (_v2("3"), _v3("C3")),
    ),
    FeatureQuestion(
        "constrained_device",
        "Is it a constrained device: do physical limits of its use (battery, processor, memory) rule out "
        "security features such as updates?",
        # Condition 5 is "not a constrained device". V3 replaced both with resource-constraint conditions
        # (C14, C15) that ask about one mechanism each: no answer here decides them.
        (_v2("4"), ConditionLink(EN303645, "5", if_yes=False, if_no=True)),
    ),
    FeatureQuestion(
        "telemetry",
        "Do the device or its services collect telemetry (usage or measurement data sent back to you)?",
        (_v2("6"), _v3("w")),
    ),
    FeatureQuestion(
        "consent_based_processing",
        "Is personal data processed on the basis of the user's consent?",
        # Consent-based processing is processing of personal data (V3 z); without it, other bases remain.
        (_v2("7"), _v3("y"), _v3("z", if_no=None)),
    ),
    FeatureQuestion(
        "user_authentication",
        "Can users log in to, or otherwise authenticate to, the device?",
        (_v2("8"), _v3("d")),
    ),
    FeatureQuestion(
        "automatic_updates_or_notifications",
        "Does the device update itself, or tell the user when an update is available?",
        # V3 splits this into h (automatic updates) and i (notifications): a no denies both, a yes names neither.
        (_v2("9"), _v3("h", if_yes=None), _v3("i", if_yes=None)),
    ),
    FeatureQuestion(
        "hard_coded_unique_identity",
        "Does its security rely on an identity unique to the device and fixed in it (e.g. a factory-set key)?",
        (_v2("10"), _v3("l")),
    ),
    FeatureQuestion(
        "network_updates",
        "Do updates reach the device over a network (Wi-Fi, Ethernet, cellular, Bluetooth, through an app)?",
        (_v2("11"), _v3("j")),
    ),
    FeatureQuestion(
        "update_mechanism",
        "Can the device's software be updated at all?",
        (_v2("12"), _v3("C12"), _v3("g")),
    ),
    FeatureQuestion(
        "physical_debug_interface",
        "Can someone with the device in hand reach a debug interface (serial console, JTAG, SWD, test pads)?",
        # V3 q (any debug interface) follows from a yes; a no leaves network debug interfaces open.
        (_v2("13"), _v3("r"), _v3("q", if_no=None)),
    ),
)

FEATURE_KEYS = tuple(feature.key for feature in FEATURES)

IMPLICATIONS: tuple[Implication, ...] = (
    Implication("preinstalled_passwords", "uses_passwords", "a password set at the factory is a password in use"),
    Implication("network_updates", "update_mechanism", "updates delivered over a network need an update mechanism"),
    Implication("automatic_updates_or_notifications", "update_mechanism", "automatic updates need an update mechanism"),
)


def _index_by_code() -> dict[tuple[str, str], tuple[tuple[FeatureQuestion, ConditionLink], ...]]:
    index: dict[tuple[str, str], list[tuple[FeatureQuestion, ConditionLink]]] = {}
    for feature in FEATURES:
        for link in feature.links:
            index.setdefault((link.standard, link.code), []).append((feature, link))
    return {key: tuple(found) for key, found in index.items()}


_BY_CODE = _index_by_code()


def decided_by(answers: Mapping[str, bool], standard: str, code: str) -> tuple[FeatureQuestion, bool] | None:
    """The question whose answer decides whether condition `code` of `standard` holds, and what it decides;
    None when no answer given decides it (unanswered, or a code no question covers, e.g. V3 C14)."""
    for feature, link in _BY_CODE.get((standard, code), ()):
        answer = answers.get(feature.key)
        if answer is not None and (decided := link.decided(answer)) is not None:
            return feature, decided
    return None


def condition_answer(answers: Mapping[str, bool], standard: str, code: str) -> bool | None:
    found = decided_by(answers, standard, code)
    return None if found is None else found[1]


def links_to(standard: str, code: str) -> tuple[tuple[FeatureQuestion, ConditionLink], ...]:
    """The questions whose answers may decide the code (for messages and the template)."""
    return _BY_CODE.get((standard, code), ())

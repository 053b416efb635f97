"""Reads a profile file into a `ProductProfile`, or refuses it with every problem and its line.

The file's layout is `schema.SECTIONS`, the feature questions `features.FEATURES`, the claims are checked by
`claims`; what no single field can show (answers that contradict each other) by `consistency`.
"""

from pathlib import Path
from typing import Any

from iotbaseline.catalogue import Catalogue, default_catalogue
from iotbaseline.profile.claims import read_claims
from iotbaseline.profile.consistency import check_consistency
from iotbaseline.profile.features import FEATURE_KEYS
from iotbaseline.profile.model import (
    LiveTesting,
    Manufacturer,
    Product,
    ProductProfile,
    SupportPeriod,
    UpdateDelivery,
    UpdateMethod,
    VulnerabilityDisclosure,
)
from iotbaseline.profile.nodes import Entry, NodeReader, compose
from iotbaseline.profile.problems import Problem, ProfileError
from iotbaseline.profile.schema import SECTIONS, STATEMENT_OF_COMPLIANCE, TOP_LEVEL_KEYS, FieldSpec, Kind, SectionSpec


def load_profile(path: str | Path, catalogue: Catalogue | None = None) -> ProductProfile:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(source, [Problem(0, "no such file; `iotbaseline init` writes one to fill in")]) from None
    except UnicodeDecodeError:
        raise ProfileError(source, [Problem(0, "not UTF-8 text; save it as UTF-8")]) from None
    except OSError as error:
        raise ProfileError(source, [Problem(0, f"cannot read: {error.strerror or error}")]) from None
    return parse_profile(text, source, catalogue)


def parse_profile(text: str, source: str = "<profile>", catalogue: Catalogue | None = None) -> ProductProfile:
    """The profile in `text`; `source` names it in messages."""
    reader = NodeReader(source)
    top = reader.mapping(compose(text, source), "", TOP_LEVEL_KEYS)
    sections = {spec.key: _read_section(reader, top.get(spec.key), spec) for spec in SECTIONS}
    features = _read_features(reader, top.get("features"))
    soc = top.get(STATEMENT_OF_COMPLIANCE.key)
    statement_of_compliance = reader.url(soc, STATEMENT_OF_COMPLIANCE.key) if soc is not None else None
    claims_node = top["claims"].value if "claims" in top else None
    profile = ProductProfile(
        manufacturer=Manufacturer(**sections["manufacturer"]),
        product=Product(**sections["product"]),
        features=features,
        update_delivery=UpdateDelivery(**sections["update_delivery"]),
        vulnerability_disclosure=VulnerabilityDisclosure(**sections["vulnerability_disclosure"]),
        support_period=SupportPeriod(**sections["support_period"]),
        live_testing=LiveTesting(**sections["live_testing"]),
        statement_of_compliance=statement_of_compliance,
        claims=read_claims(reader, claims_node, catalogue if catalogue is not None else default_catalogue(), features),
        source=source,
        lines=dict(reader.lines),
    )
    check_consistency(reader, profile)
    reader.raise_if_problems()
    return profile


def _read_section(reader: NodeReader, entry: Entry | None, spec: SectionSpec) -> dict[str, Any]:
    """Keyword arguments for the section's dataclass: the values given; the others keep their default."""
    entries = reader.mapping(entry.value if entry is not None else None, spec.key, (field.key for field in spec.fields))
    values = {key: _read_value(reader, found, f"{spec.key}.{key}", spec.field(key)) for key, found in entries.items()}
    return {key: value for key, value in values.items() if value is not None}


def _read_value(reader: NodeReader, entry: Entry, where: str, spec: FieldSpec) -> Any:
    match spec.kind:
        case Kind.TEXT:
            return reader.text(entry, where)
        case Kind.URL:
            return reader.url(entry, where)
        case Kind.DATE:
            return reader.iso_date(entry, where)
        case Kind.YES_NO:
            return reader.yes_no(entry, where)
        case Kind.UPDATE_METHODS:
            return reader.choices(entry, where, UpdateMethod)


def _read_features(reader: NodeReader, entry: Entry | None) -> dict[str, bool]:
    entries = reader.mapping(entry.value if entry is not None else None, "features", FEATURE_KEYS)
    answers = {key: reader.yes_no(found, f"features.{key}") for key, found in entries.items()}
    return {key: answer for key, answer in answers.items() if answer is not None}

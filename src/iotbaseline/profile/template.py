"""The commented profile template `iotbaseline init` writes, for a product-security engineer to fill in
without reading our code.

Written from the schema, the feature questions and the catalogue, so it lists exactly the fields the loader
knows and every EN 303 645 provision the catalogue holds. As written it loads, and declares nothing.
"""

from pathlib import Path

from iotbaseline.catalogue import Catalogue, default_catalogue
from iotbaseline.model import Provision
from iotbaseline.profile.features import EN303645, FEATURES, FeatureQuestion, links_to
from iotbaseline.profile.schema import SECTIONS, STATEMENT_OF_COMPLIANCE, TOP_LEVEL_KEYS, FieldSpec

DEFAULT_PROFILE_NAME = "iotbaseline-profile.yaml"

_HEADER = """\
# iotbaseline product profile: what you, the manufacturer, declare about the product.
#
# It plays the part of the ICS (your claim for each provision) and IXIT (facts and addresses for testing) of
# ETSI TS 103 701. iotbaseline compares it with the evidence it finds in the firmware, on the device and in
# your published documents: a claim the evidence contradicts becomes a FAIL.
#
# Fill in what you know and leave the rest empty: an empty value means "not declared", and provisions that
# depend on it are reported as INCONCLUSIVE, never guessed. Put text in quotes when it holds ': ' or ' #',
# or when it looks like a number (versions such as "1.10").
"""

_FEATURES_HELP = """\
# Yes/no questions about the device. Each answer decides a condition of EN 303 645 (Annex B), and so which
# conditional provisions apply to the product. Answer yes or no; leave empty what is not decided yet.
"""

_CLAIMS_HELP = """\
# Your claim for each provision (the ICS, EN 303 645 Annex B). The support value is one of:
#   supported       the product meets the provision
#   not-supported   it does not; give a justification (EN 303 645 4-1 asks for one for recommendations)
#   not-applicable  only for a conditional provision whose condition does not hold for this product, and
#                   only with a justification (EN 303 645 Annex B)
# Examples:
#   EN303645:5.1-1: supported
#   EN303645:5.6-3: {support: not-supported, justification: "The serial header stays for repairs; it has no shell."}
#   EN303645:5.1-2: {support: not-applicable, justification: "No password is set at the factory; users choose one."}
#
# Every EN 303 645 V2.1.1 provision follows, commented out. Uncomment the claims you make and edit them.
# Status: M mandatory, R recommended; C (n) applies only under condition n, i.e. the feature answer shown.
"""


def render_template(catalogue: Catalogue | None = None) -> str:
    if catalogue is None:
        catalogue = default_catalogue()
    sections = {spec.key: spec for spec in SECTIONS}
    blocks = [_HEADER]
    for key in TOP_LEVEL_KEYS:
        if key in sections:
            spec = sections[key]
            blocks.append(f"# {spec.help}\n{key}:\n" + "".join(_field(field, "  ") for field in spec.fields))
        elif key == "features":
            blocks.append(_FEATURES_HELP + "features:\n" + "".join(_feature(feature) for feature in FEATURES))
        elif key == STATEMENT_OF_COMPLIANCE.key:
            blocks.append(_field(STATEMENT_OF_COMPLIANCE, ""))
        elif key == "claims":
            blocks.append(_CLAIMS_HELP + "claims:\n" + _claim_lines(catalogue))
    return "\n".join(blocks)


def write_template(path: Path, *, force: bool = False) -> None:
    """Write the template to `path`; without `force`, an existing file is kept (FileExistsError)."""
    text = render_template()
    with path.open("w" if force else "x", encoding="utf-8") as out:
        out.write(text)


def _field(field: FieldSpec, indent: str) -> str:
    return f"{indent}# {field.help}\n{indent}{field.key}:\n"


def _feature(feature: FeatureQuestion) -> str:
    return f"  # {feature.question} ({_decides(feature)})\n  {feature.key}:\n"


def _decides(feature: FeatureQuestion) -> str:
    on_yes = [link.code for link in feature.links if link.standard == EN303645 and link.if_yes]
    on_no = [link.code for link in feature.links if link.standard == EN303645 and link.if_no and not link.if_yes]
    text = f"EN 303 645 condition {', '.join(on_yes)}"
    return text + (f"; a no means condition {', '.join(on_no)}" if on_no else "")


def _claim_lines(catalogue: Catalogue) -> str:
    lines: list[str] = []
    clauses = catalogue.clauses(EN303645)
    clause = None
    for provision in catalogue.provisions(EN303645):
        if provision.clause != clause:
            clause = provision.clause
            lines.append(f"  # --- {clause} {clauses.get(clause, '')}".rstrip())
        lines.append(f"  # {provision.id} [{_status(provision)}] {provision.title}")
        lines.append(f"  # {provision.qualified_id}: supported")
    return "\n".join(lines) + "\n"


def _status(provision: Provision) -> str:
    if not provision.conditional:
        return provision.status
    needed = []
    for code in provision.conditions:
        for feature, link in links_to(provision.standard, code):
            if link.if_yes:
                needed.append(f"{feature.key}: yes")
            elif link.if_no:
                needed.append(f"{feature.key}: no")
    return f"{provision.status}, if {' and '.join(needed)}" if needed else provision.status

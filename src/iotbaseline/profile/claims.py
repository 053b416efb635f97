"""The `claims:` section, the ICS: a support claim per provision, checked against the catalogue and against
the profile's own feature answers.

EN 303 645 Annex B allows N/A only for a conditional provision whose condition does not hold, and 4-1 asks
for a justification; a claim that breaks either rule is refused here rather than judged later.
"""

from collections.abc import Mapping

from yaml.nodes import MappingNode, Node, ScalarNode

from iotbaseline.catalogue import Catalogue, CatalogueError
from iotbaseline.model import Provision
from iotbaseline.profile.features import decided_by
from iotbaseline.profile.model import Claim, Support
from iotbaseline.profile.nodes import Entry, NodeReader, closest
from iotbaseline.profile.schema import CLAIM_KEYS

_HUB = "EN303645"  # the standard a bare id like 5.1-1 most likely means


def read_claims(
    reader: NodeReader, node: Node | None, catalogue: Catalogue, answers: Mapping[str, bool]
) -> dict[str, Claim]:
    claims: dict[str, Claim] = {}
    for key, entry in reader.mapping(node, "claims").items():
        claim = _read_claim(reader, entry)
        provision = _provision(reader, catalogue, entry)
        if claim is None:
            continue
        claims[key] = claim
        if provision is not None and claim.support is Support.NOT_APPLICABLE:
            _check_not_applicable(reader, claim, provision, catalogue, answers)
    return claims


def _read_claim(reader: NodeReader, entry: Entry) -> Claim | None:
    """`ID: supported` or `ID: {support: ..., justification: ...}`."""
    where = f"claims.{entry.key}"
    if isinstance(entry.value, ScalarNode):
        support = reader.choice(entry.value, where, Support)
        return None if support is None else Claim(entry.key, support, "", entry.line)
    fields = reader.mapping(entry.value, where, CLAIM_KEYS)
    if "support" not in fields:
        if isinstance(entry.value, MappingNode):  # other shapes were reported by `mapping`
            reader.problem(entry.line, f"{where}: add support: supported, not-supported or not-applicable")
        return None
    support = reader.choice(fields["support"].value, f"{where}.support", Support)
    justification = fields.get("justification")
    text = reader.text(justification, f"{where}.justification") if justification is not None else None
    return None if support is None else Claim(entry.key, support, text or "", entry.line)


def _provision(reader: NodeReader, catalogue: Catalogue, entry: Entry) -> Provision | None:
    try:
        return catalogue.get(entry.key)
    except CatalogueError:
        pass
    known = [p.qualified_id for standard in catalogue.standards() for p in catalogue.provisions(standard)]
    bare = f"{_HUB}:{entry.key}"
    if bare in known:
        hint = f"write it with its standard: {bare!r}"
    elif guess := closest(entry.key, known):
        hint = f"did you mean {guess!r}?"
    else:
        hint = "`iotbaseline catalogue` lists the provision ids, e.g. EN303645:5.1-1"
    reader.problem(entry.line, f"claims: {entry.key!r} is not a provision in the catalogue; {hint}")
    return None


def _check_not_applicable(
    reader: NodeReader, claim: Claim, provision: Provision, catalogue: Catalogue, answers: Mapping[str, bool]
) -> None:
    where = f"claims.{claim.provision}"
    if not provision.conditional:  # no justification could make it right, so that is the one thing to say
        status = f" (status {provision.status})" if provision.status else ""
        reader.problem(
            claim.line,
            f"{where}: only a conditional provision can be not-applicable (EN 303 645 Annex B), and "
            f"{provision.qualified_id}{status} has no condition; claim supported or not-supported",
        )
        return
    if not claim.justification:
        reader.problem(
            claim.line,
            f"{where}: not-applicable needs a justification saying why the provision's condition does not hold "
            'for this product (EN 303 645 Annex B, 4-1); add justification: "..."',
        )
    declared = [_declared_true(reader, answers, provision, code, catalogue) for code in provision.conditions]
    reasons = [reason for reason in declared if reason is not None]
    if len(reasons) == len(declared):  # every condition declared true: the provision applies
        reader.problem(
            claim.line,
            f"{where}: claimed not-applicable, but the profile says its condition holds: {'; '.join(reasons)}; "
            "correct the answer or change the claim",
        )


def _declared_true(
    reader: NodeReader, answers: Mapping[str, bool], provision: Provision, code: str, catalogue: Catalogue
) -> str | None:
    """Which answer declares the condition true, in words; None when none does."""
    found = decided_by(answers, provision.standard, code)
    if found is None or not found[1]:
        return None
    key = f"features.{found[0].key}"
    answer = "yes" if answers[found[0].key] else "no"
    meaning = catalogue.conditions(provision.standard).get(code, f"condition {code}")
    return f"{key}: {answer} (line {reader.lines.get(key, 0)}) means {meaning}"

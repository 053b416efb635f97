"""A CredentialHit as a Finding: where, which provisions, the literal masked (clear only on request)."""

from iotbaseline.checks.hardcoded.hits import CredentialHit, Rule
from iotbaseline.checks.masking import mask_password
from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity

HARD_CODED = "EN303645:5.4-3"
UNIVERSAL_LOGIN = ("EN303645:5.1-1", "PSTI:1")
EXCERPT_CHARS = 160

_TITLES = {
    Rule.COMPARISON: "Login checks input against a hard-coded password",
    Rule.COMMAND_LINE: "Hard-coded password passed on a command line",
    Rule.PASSWORD_PIPE: "Password set to a hard-coded value",
    Rule.URL_CREDENTIALS: "Hard-coded credentials in a URL",
    Rule.ASSIGNMENT: "Hard-coded password in a variable or setting",
    Rule.USER_FILE: "Password in clear in a users file",
    Rule.BINARY_STRING: "Known default password next to login logic in a binary",
}


def provisions_for(hit: CredentialHit) -> tuple[str, ...]:
    return (HARD_CODED, *UNIVERSAL_LOGIN) if hit.login else (HARD_CODED,)


def hit_finding(
    check: str,
    version: str,
    location: Location,
    hit: CredentialHit,
    *,
    reveal: bool,
    documentation: bool = False,
    excerpt: str = "",
    extra: dict[str, JSONValue] | None = None,
) -> Finding:
    """A fail finding for `hit` (info when the file is documentation, where nobody logs in with it)."""
    shown = mask_password(hit.literal)
    evidence: dict[str, JSONValue] = {"rule": hit.rule.value, "literal_masked": shown}
    if reveal:
        evidence["literal"] = hit.literal
    for key, value in (("user", hit.user), ("name", hit.name)):
        if value:
            evidence[key] = value
    if excerpt:
        clean = excerpt.strip().replace(hit.literal, shown)
        evidence["excerpt"] = clean[:EXCERPT_CHARS]
    evidence.update(extra or {})
    return Finding(
        check=check,
        check_version=version,
        outcome=Outcome.INFO if documentation else Outcome.FAIL,
        provisions=provisions_for(hit),
        severity=_severity(hit, documentation),
        title=_TITLES[hit.rule],
        location=location,
        detail=_detail(hit, shown, documentation),
        evidence=evidence,
        discriminator=f"{hit.rule.value}:{hit.name}:{shown}",
    )


def _severity(hit: CredentialHit, documentation: bool) -> Severity:
    if documentation:
        return Severity.LOW
    return Severity.HIGH if hit.login else Severity.MEDIUM


def _detail(hit: CredentialHit, shown: str, documentation: bool) -> str:
    who = f" for user {hit.user!r}" if hit.user else ""
    if hit.login:
        text = f"password {shown}{who} is in the firmware, so it is the same on every unit."
    else:
        text = f"secret {shown}{who} ({hit.name or hit.rule.value}) is in the firmware, the same on every unit."
    if documentation:
        text += " The file is documentation or an example, so this is reported for information only."
    return text

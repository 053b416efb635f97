"""Small assessments, components and CVE matches for the store tests, made inline."""

from iotbaseline.components.model import Component, Evidence, Method
from iotbaseline.model import (
    Assessment,
    CheckRun,
    Finding,
    Input,
    Location,
    Outcome,
    Severity,
    Verdict,
    VerdictValue,
)
from iotbaseline.store.interface import ImageRef
from iotbaseline.vulndb.match import MatchReason, MatchStatus, NotAffected, VulnerabilityMatch
from iotbaseline.vulndb.records import CvssScore, KevEntry

KEY_CHECK = "firmware.secrets.private-keys"
TOKEN_CHECK = "firmware.secrets.tokens"
SHARED_KEY = "ab" * 32


def image(number: int, vendor: str = "", model: str = "", **facts: object) -> ImageRef:
    product: dict[str, object] = {"vendor": vendor, "model": model, **facts} if vendor or model else dict(facts)
    return ImageRef(path=f"/firmware/image-{number}.bin", sha256=f"{number:064x}", size=1000 + number, product=product)


def key_finding(image_name: str, public_sha256: str, outcome: Outcome = Outcome.FAIL) -> Finding:
    return Finding(
        check=KEY_CHECK,
        outcome=outcome,
        provisions=("EN303645:5.4-1",),
        severity=Severity.HIGH,
        title="RSA private key in the image",
        location=Location(image=image_name, path="/etc/ssl/private/server.key", line=1),
        evidence={"format": "rsa-pem", "public_sha256": public_sha256, "bits": 2048},
        check_version="2",
        discriminator=public_sha256,
    )


def psti_verdicts(*failing: str) -> tuple[Verdict, ...]:
    """Verdicts on PSTI 1-3: FAIL for those named, INCONCLUSIVE for the others (and a PASS on EN 303 645)."""
    verdicts = tuple(
        Verdict("PSTI", p, VerdictValue.FAIL if p in failing else VerdictValue.INCONCLUSIVE, f"reason {p}")
        for p in ("1", "2", "3")
    )
    return (*verdicts, Verdict("EN303645", "5.1-1", VerdictValue.PASS, "passed"))


def assessment(image_name: str, findings: tuple[Finding, ...] = (), failing: tuple[str, ...] = ()) -> Assessment:
    return Assessment(
        tool_version="0.9.0",
        created="2025-01-02T03:04:05+00:00",
        product={"model_designation": "X"},
        inputs=(Input("firmware", f"/firmware/{image_name}", "cd" * 32, 1234),),
        findings=findings,
        verdicts=psti_verdicts(*failing),
        checks=(CheckRun(KEY_CHECK, "2", ("EN303645:5.4-1",), "ran", 0.25),),
    )


def component(name: str, version: str | None, distro_version: str | None = None) -> Component:
    evidence = Evidence(Method.PACKAGE_DB, "/usr/lib/opkg/status", f"Version: {version}", distro_version=distro_version)
    return Component(
        key=name,
        name=name,
        version=version,
        type="application",
        purl=f"pkg:generic/{name}@{version}",
        cpe=f"cpe:2.3:a:thekelleys:{name}:{version}:*:*:*:*:*:*:*" if version else None,
        confidence=0.95,
        evidence=(evidence,),
    )


def cve_match(
    name: str, version: str, cve: str, kev: bool = False, not_affected: str | None = None
) -> VulnerabilityMatch:
    entry = KevEntry(cve, "Thekelleys", name, "overflow", "2022-01-01", "", "patch", "2022-02-01", "Unknown", "")
    return VulnerabilityMatch(
        component=name,
        component_version=version,
        cve_id=cve,
        status=MatchStatus.AFFECTED,
        reasons=(MatchReason(f"cpe:2.3:a:thekelleys:{name}:*", f"{version} < 2.78 (versionEndExcluding)"),),
        conditions=(),
        description="heap overflow",
        severity=CvssScore("3.1", 9.8, "CVSS:3.1/AV:N", "CRITICAL"),
        cvss_v4=None,
        kev=entry if kev else None,
        not_affected=NotAffected("code_not_reachable", "not built", "vex.yaml") if not_affected else None,
    )

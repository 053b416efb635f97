"""Findings about update frameworks (opkg, Mender, RAUC, SWUpdate, OpenWrt sysupgrade) from their
configuration and the keys the image holds."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from iotbaseline.model import Finding, JSONValue, Location, Outcome, Severity
from iotbaseline.updates.findings import (
    AUTHENTIC_AND_INTACT,
    BEST_PRACTICE_CRYPTO,
    REMEDIATION,
    TRUST_RELATIONSHIP,
    UPDATE_PROVISIONS,
    FindingMaker,
    KeyFacts,
)
from iotbaseline.updates.frameworks import FrameworkConfig, Setting
from iotbaseline.updates.rules import FrameworkRule
from iotbaseline.updates.script import CLEARTEXT

_NAMES = {"opkg": "opkg", "mender": "Mender", "rauc": "RAUC", "swupdate": "SWUpdate"}


@dataclass(frozen=True)
class FrameworkPlace:
    image: str
    path: str
    extracted_path: str

    def location(self, line: int | None) -> Location:
        return Location(image=self.image, path=self.path, extracted_path=self.extracted_path, line=line)


def framework_findings(
    check: str,
    version: str,
    place: FrameworkPlace,
    config: FrameworkConfig,
    rule: FrameworkRule,
    key: KeyFacts | None,
) -> list[Finding]:
    name = _NAMES.get(config.framework, config.framework)
    open_servers = [s for s in config.servers if _transport(s.value) in CLEARTEXT]
    evidence: dict[str, JSONValue] = {
        "framework": config.framework,
        "signature_setting": _setting(config.signature_setting),
        "servers": [_setting(s) for s in config.servers],
        "tls_verification_off": _setting(config.insecure),
    }
    if key is not None:
        evidence["key"] = {"path": key.path, "present": key.present, "count": len(key.keys)}
    channel_open = bool(open_servers) or config.insecure is not None
    first_open = open_servers[0] if open_servers else config.insecure
    if config.signature_setting is None:
        return _without_signature(check, version, place, config, rule, name, evidence, channel_open, first_open)
    signature = config.signature_setting
    make = FindingMaker(check, version, place.location(signature.line), evidence)
    if key is None or not key.present:
        where = key.path if key is not None else signature.value
        return [
            make(
                Outcome.INFO,
                (AUTHENTIC_AND_INTACT,),
                Severity.INFO,
                f"{name} checks update signatures, but no key was found in the image",
                f"{place.path} turns signature checking on (`{signature.text}`), but {where} holds no key in the "
                "image, so updates cannot be verified (or the keys are provisioned later and were not examined).",
                "no-key",
            )
        ]
    if key.weakness is not None:
        return [
            make(
                Outcome.FAIL,
                (BEST_PRACTICE_CRYPTO,),
                Severity.MEDIUM,
                f"{name} update signatures use a weak key",
                f"{place.path}: the verification key in {key.path} is weak: {key.weakness}.",
                "weak-key",
            )
        ]
    # The framework picks its digest (SHA-256 in all of them); the key decides the strength.
    strong = bool(key.keys) and all(k.algorithm != "unknown" for k in key.keys)
    provisions = UPDATE_PROVISIONS if strong else (AUTHENTIC_AND_INTACT, TRUST_RELATIONSHIP)
    keys = ", ".join(k.describe() for k in key.keys)
    found = [
        make(
            Outcome.PASS,
            provisions,
            Severity.INFO,
            f"{name} verifies update signatures",
            f"{place.path} line {signature.line}: `{signature.text}`; the key{'s' if len(key.keys) > 1 else ''} in "
            f"{key.path} ({keys}) are in the image, and {name} refuses updates whose signature does not verify.",
            "verified",
        )
    ]
    if channel_open and first_open is not None:
        found.append(
            FindingMaker(check, version, place.location(first_open.line), evidence)(
                Outcome.INFO,
                (BEST_PRACTICE_CRYPTO,),
                Severity.LOW,
                f"{name} fetches signed updates over an unauthenticated channel",
                f"{place.path} line {first_open.line}: `{first_open.text}`. The signature protects the update; the "
                "exchange itself is open to eavesdropping. Prefer HTTPS with certificate verification.",
                "open-channel",
            )
        )
    return found


def _without_signature(
    check: str,
    version: str,
    place: FrameworkPlace,
    config: FrameworkConfig,
    rule: FrameworkRule,
    name: str,
    evidence: dict[str, JSONValue],
    channel_open: bool,
    first_open: Setting | None,
) -> list[Finding]:
    line = first_open.line if channel_open and first_open is not None else None
    make = FindingMaker(check, version, place.location(line), evidence)
    if rule.without_key == "refuses":
        return [
            make(
                Outcome.INFO,
                (AUTHENTIC_AND_INTACT,),
                Severity.INFO,
                f"{name} has no keyring configured",
                f"{place.path} names no keyring; {name} then refuses every update bundle, so updates cannot be "
                "installed as configured.",
                "no-keyring",
            )
        ]
    if rule.without_key == "unknown":
        return [
            make(
                Outcome.INFO,
                (AUTHENTIC_AND_INTACT,),
                Severity.INFO,
                f"{name} configuration names no signature key",
                f"{place.path} names no public key; whether {name} checks signatures depends on how it is built and "
                "started (a key on its command line), which this file does not show.",
                "key-unknown",
            )
        ]
    if channel_open and first_open is not None:
        what = (
            f"fetches updates over cleartext {_transport(first_open.value).upper()} (`{first_open.text}`)"
            if _transport(first_open.value) in CLEARTEXT
            else f"turns TLS certificate verification off (`{first_open.text}`)"
        )
        return [
            make(
                Outcome.FAIL,
                UPDATE_PROVISIONS,
                Severity.HIGH,
                f"{name} installs unsigned updates fetched over an unauthenticated channel",
                f"{place.path} line {first_open.line} {what}, and {name} checks no signature: anyone on the network "
                f"path can serve their own software. {REMEDIATION}",
                "unsigned-open-channel",
            )
        ]
    detail = {
        "opkg": "opkg is not told to check package-list signatures (`option check_signature` is absent)",
        "mender": "Mender has no ArtifactVerifyKey, so it installs artifacts without checking a signature",
    }.get(config.framework, f"{name} checks no signature")
    return [
        make(
            Outcome.FAIL,
            (AUTHENTIC_AND_INTACT,),
            Severity.MEDIUM,
            f"{name} installs updates without checking a signature",
            f"{place.path}: {detail}; only the HTTPS connection vouches for what is installed. {REMEDIATION}",
            "unsigned",
        )
    ]


def sysupgrade_hint(check: str, version: str, image: str, ucert: bool, keys: int, required: str | None) -> Finding:
    enforced = ucert and keys > 0 and required is not None
    facts = f"ucert {'is' if ucert else 'is not'} installed, {keys} key(s) are in /etc/opkg/keys, and " + (
        f"{required} sets REQUIRE_IMAGE_SIGNATURE=1" if required else "no upgrade script sets REQUIRE_IMAGE_SIGNATURE=1"
    )
    verdict = (
        "so sysupgrade refuses unsigned images" if enforced else "so sysupgrade accepts images without a signature"
    )
    return Finding(
        check=check,
        check_version=version,
        outcome=Outcome.INFO,
        provisions=(AUTHENTIC_AND_INTACT,),
        severity=Severity.INFO,
        title="OpenWrt sysupgrade: image signature enforcement",
        location=Location(image=image, path="/sbin/sysupgrade"),
        detail=(
            "sysupgrade installs images uploaded through the web interface or copied to the device, checking a "
            f"signature only with ucert, keys and REQUIRE_IMAGE_SIGNATURE=1. Here {facts}: {verdict}."
        ),
        evidence={"ucert": ucert, "keys": keys, "required_by": required, "enforced": enforced},
        discriminator="sysupgrade",
    )


def _setting(setting: Setting | None) -> dict[str, JSONValue] | None:
    return None if setting is None else {"value": setting.value, "line": setting.line, "code": setting.text}


def _transport(url: str) -> str:
    return urlsplit(url).scheme.lower() if "://" in url else "unknown"

"""Which services ask for a password, and how, from what identification observed: a telnet login
prompt, SSH, FTP, an HTTP or RTSP Basic/Digest challenge, a web login form (at / or where / redirects),
an MQTT broker that refused the anonymous client. Pure: the credential phase tries these, and the
credentials check requires a trial for each before it may pass."""

from dataclasses import dataclass

from iotbaseline.live.model import ObservedService
from iotbaseline.live.web_client import same_origin_path

LOGIN_PATH_WORDS = ("login", "logon", "signin", "sign_in", "auth")


@dataclass(frozen=True)
class LoginSpec:
    method: str
    """telnet-login, ssh-password, ftp-login, http-basic, http-digest, http-form, mqtt-connect, rtsp-basic,
    rtsp-digest."""
    where: str = ""
    """The path for HTTP and RTSP."""


def logins_of(service: ObservedService) -> tuple[LoginSpec, ...]:
    evidence = service.evidence
    protocol = service.protocol
    if protocol in ("telnet", "shell") and evidence.get("prompt") in ("login", "password"):
        return (LoginSpec("telnet-login"),)
    if protocol == "ssh":
        return (LoginSpec("ssh-password"),)
    if protocol == "ftp":
        return (LoginSpec("ftp-login"),)
    if protocol == "mqtt" and evidence.get("connack") in (4, 5):
        return (LoginSpec("mqtt-connect"),)
    if protocol == "rtsp" and evidence.get("describe_status") == 401:
        scheme = _challenge_scheme(evidence.get("authentication"))
        return (LoginSpec(f"rtsp-{scheme}", "/"),) if scheme else ()
    if protocol == "http":
        return _web_logins(service)
    return ()


def _web_logins(service: ObservedService) -> tuple[LoginSpec, ...]:
    evidence = service.evidence
    status = evidence.get("status")
    if status == 401:
        scheme = _challenge_scheme(evidence.get("authentication"))
        return (LoginSpec(f"http-{scheme}", "/"),) if scheme else ()
    if evidence.get("login_form"):
        return (LoginSpec("http-form", "/"),)
    location = evidence.get("location")
    if isinstance(status, int) and 300 <= status < 400 and isinstance(location, str):
        shown = f"[{service.host}]" if ":" in service.host else service.host
        origin = shown if service.port == (443 if service.tls else 80) else f"{shown}:{service.port}"
        path = same_origin_path("/", location, origin)
        if path is not None and any(word in path.lower() for word in LOGIN_PATH_WORDS):
            return (LoginSpec("http-form", path),)
    return ()


def _challenge_scheme(challenges: object) -> str | None:
    """basic or digest: the first challenge of either scheme (both name the same login)."""
    if not isinstance(challenges, list):
        return None
    for challenge in challenges:
        scheme = challenge.get("scheme") if isinstance(challenge, dict) else None
        if scheme in ("basic", "digest"):
            return str(scheme)
    return None

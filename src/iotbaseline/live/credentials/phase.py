"""The credential phase of a probe: only when the user confirmed owning the device (`--i-own-this-device`
or the profile), one trial per login found, the logins of different services at once, each login's
attempts one after another. The pairs are ordered by what the device says about itself."""

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from iotbaseline.live.credentials.capable import LoginSpec, logins_of
from iotbaseline.live.credentials.dictionary import candidates
from iotbaseline.live.credentials.ftp import FtpLogin
from iotbaseline.live.credentials.http_auth import HttpAuthLogin, RtspAuthLogin
from iotbaseline.live.credentials.login import Login, LoginPlace
from iotbaseline.live.credentials.mqtt import MqttLogin
from iotbaseline.live.credentials.runner import TrialLimits, run_trial
from iotbaseline.live.credentials.settings import CredentialSettings, credential_settings
from iotbaseline.live.credentials.ssh import SshLogin
from iotbaseline.live.credentials.telnet import TelnetLogin
from iotbaseline.live.credentials.web_form import WebFormLogin
from iotbaseline.live.model import ObservedService
from iotbaseline.live.session import ProbeSession
from iotbaseline.live.targets import Target
from iotbaseline.live.trials import AccessResult, CredentialRun, CredentialTrial

if TYPE_CHECKING:
    from iotbaseline.profile.model import ProductProfile

CONNECTIONS_PER_ATTEMPT = 3
"""A web form takes up to three connections an attempt (the page, the submission, its redirect)."""

LoginFactory = Callable[[LoginPlace, str], Login]
_LOGINS: dict[str, LoginFactory] = {
    "telnet-login": lambda place, where: TelnetLogin(place, where),
    "ssh-password": lambda place, where: SshLogin(place, where),
    "ftp-login": lambda place, where: FtpLogin(place, where),
    "mqtt-connect": lambda place, where: MqttLogin(place, where),
    "http-basic": lambda place, where: HttpAuthLogin(place, where, "basic"),
    "http-digest": lambda place, where: HttpAuthLogin(place, where, "digest"),
    "rtsp-basic": lambda place, where: RtspAuthLogin(place, where, "basic"),
    "rtsp-digest": lambda place, where: RtspAuthLogin(place, where, "digest"),
    "http-form": lambda place, where: WebFormLogin(place, where),
}


@dataclass(frozen=True)
class CredentialOptions:
    enabled: bool = True
    """False with --no-credentials."""
    authorised_by: str | None = None
    """What confirmed the user owns the device (`--i-own-this-device`, the profile); None: nothing did, and
    no password is tried."""
    attempts: int | None = None
    """Pairs per login (None: the data file's default); never more than its hard cap."""
    delay: float | None = None


def owner_confirmation(flag: bool, profile: "ProductProfile | None") -> str | None:
    """What confirms the user may try passwords on the device: the flag, or the profile's
    `live_testing.owner_confirmed: yes` (with its line); None when neither does."""
    if flag:
        return "--i-own-this-device"
    if profile is not None and profile.live_testing.owner_confirmed is True:
        line = profile.line_of("live_testing.owner_confirmed")
        return f"the profile {profile.source or ''} (live_testing.owner_confirmed{f', line {line}' if line else ''})"
    return None


def credential_run(options: CredentialOptions, settings: CredentialSettings | None = None) -> CredentialRun:
    settings = settings or credential_settings()
    attempts = min(options.attempts or settings.attempts, settings.hard_cap)
    delay = settings.delay if options.delay is None else options.delay
    if not options.enabled:
        return CredentialRun(False, "skipped with --no-credentials")
    if options.authorised_by is None:
        reason = (
            "not tried: trying passwords needs the owner's confirmation "
            "(--i-own-this-device, or live_testing.owner_confirmed: yes in the profile)"
        )
        return CredentialRun(False, reason)
    return CredentialRun(True, f"confirmed by {options.authorised_by}", attempts, delay)


async def try_default_credentials(
    session: ProbeSession,
    target: Target,
    services: Sequence[ObservedService],
    run: CredentialRun,
    access: Sequence[AccessResult] = (),
) -> tuple[CredentialTrial, ...]:
    if not run.attempted:
        return ()
    settings = credential_settings()
    limits = TrialLimits(run.max_attempts, settings.hard_cap, run.delay, settings.max_errors)
    hints = tuple(device_hints(services, access))
    per_service = [
        _service_trials(session, target, service, specs, settings, limits, hints)
        for service in services
        if (specs := logins_of(service))
    ]
    done = await asyncio.gather(*per_service)
    return tuple(trial for trials in done for trial in trials)


async def _service_trials(
    session: ProbeSession,
    target: Target,
    service: ObservedService,
    specs: Sequence[LoginSpec],
    settings: CredentialSettings,
    limits: TrialLimits,
    hints: Sequence[str],
) -> list[CredentialTrial]:
    cap = CONNECTIONS_PER_ATTEMPT * (limits.hard_cap + 1)
    place = LoginPlace(session, target, service, settings, cap)
    trials = []
    for spec in specs:
        login = _LOGINS[spec.method](place, spec.where)
        pairs = candidates(login.kind, settings, hints)
        trials.append(await run_trial(login, pairs, limits))
    return trials


def device_hints(services: Iterable[ObservedService], access: Iterable[AccessResult] = ()) -> list[str]:
    """What the device says about itself: products, banners, Server headers, realms, page titles, the
    SSDP server string, the UPnP description's manufacturer and model."""
    hints: list[str] = []
    for service in services:
        hints += [text for text in (service.product, service.banner) if text]
        evidence = service.evidence
        for name in ("server", "title", "device_banner", "broker_version"):
            value = evidence.get(name)
            if isinstance(value, str):
                hints.append(value)
        challenges = evidence.get("authentication")
        if isinstance(challenges, list):
            hints += [str(c.get("realm", "")) for c in challenges if isinstance(c, dict)]
    for result in access:
        for name in ("manufacturer", "model_name", "friendly_name"):
            value = result.evidence.get(name)
            if isinstance(value, str):
                hints.append(value)
    return hints

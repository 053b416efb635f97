"""The access phase of a probe: every test for every service, at once (each test reads and stops early)."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from iotbaseline.live.access.adb import adb_connect
from iotbaseline.live.access.mqtt import mqtt_subscribe
from iotbaseline.live.access.place import AccessPlace
from iotbaseline.live.access.rtsp import rtsp_describe
from iotbaseline.live.access.settings import access_settings
from iotbaseline.live.access.shell import shell_without_login
from iotbaseline.live.access.upnp import upnp_igd
from iotbaseline.live.access.web_admin import web_admin
from iotbaseline.live.model import ObservedService
from iotbaseline.live.session import ProbeSession
from iotbaseline.live.targets import Target
from iotbaseline.live.trials import AccessResult

ServiceTest = Callable[[AccessPlace, ObservedService], Awaitable[AccessResult | None]]
SERVICE_TESTS: tuple[ServiceTest, ...] = (mqtt_subscribe, rtsp_describe, shell_without_login, web_admin, adb_connect)


async def run_access_tests(
    session: ProbeSession, target: Target, services: Sequence[ObservedService]
) -> tuple[AccessResult, ...]:
    place = AccessPlace(session, target, access_settings())
    per_service = [test(place, service) for service in services for test in SERVICE_TESTS]
    found, gateway = await asyncio.gather(asyncio.gather(*per_service), upnp_igd(place, list(services)))
    return tuple([r for r in found if r is not None] + gateway)

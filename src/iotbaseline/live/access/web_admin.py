"""Administration pages without login: a short list of the paths consumer devices use, fetched with GET.
A page counts when it answers 200 without a password field, differs from the device's answer to a
path that cannot exist (devices that answer every path with one page), and shows at least
`min_markers` administration markers (factory reset, firmware upgrade, network settings...)."""

import hashlib
import os
import re

from iotbaseline.live.access.place import AccessPlace, result
from iotbaseline.live.credentials.capable import LOGIN_PATH_WORDS
from iotbaseline.live.credentials.forms import has_password_input
from iotbaseline.live.model import ObservedService
from iotbaseline.live.text import field
from iotbaseline.live.trials import AccessResult
from iotbaseline.live.web_client import WebResponse, exchange, request

_TITLE = re.compile(r"<title[^>]*>([^<]{0,200})</title>", re.I)
_TAGS = re.compile(r"<[^>]{0,2000}>")


async def web_admin(place: AccessPlace, service: ObservedService) -> AccessResult | None:
    if service.protocol != "http" or _redirects_to_https(service):
        return None
    missing = await _get(place, service, f"/iotbaseline-{os.urandom(4).hex()}.html")
    baseline = _digest(missing) if missing is not None and missing.status == 200 else None
    asked, protected = [], 0
    for path in place.settings.admin_paths:
        page = await _get(place, service, path)
        if page is None:
            continue
        asked.append(path)
        if _asks_login(page):
            protected += 1
            continue
        if page.status != 200 or _digest(page) == baseline:
            continue
        markers = place.settings.markers_in(_TAGS.sub(" ", page.text))
        if len(markers) >= place.settings.min_markers:
            title = _TITLE.search(page.text)
            summary = f"GET {path} shows an administration page without any login ({', '.join(markers[:4])})"
            shown = field(title[1]) if title else ""
            return result(service, "http-admin", True, summary, path=path, markers=markers, title=shown)
    if protected:
        summary = f"{protected} of {len(asked)} administration paths ask for a login, none is open"
        return result(service, "http-admin", False, summary, asked=asked)
    return result(service, "http-admin", None, f"no administration page found at {len(asked)} paths", asked=asked)


def _asks_login(page: WebResponse) -> bool:
    """401/403, a page with a password field, or a redirect to a login page."""
    if page.status in (401, 403) or (page.status == 200 and has_password_input(page.text)):
        return True
    location = (page.message.header("location") or "").lower()
    return 300 <= page.status < 400 and any(word in location for word in LOGIN_PATH_WORDS)


def _redirects_to_https(service: ObservedService) -> bool:
    status, location = service.evidence.get("status"), str(service.evidence.get("location", ""))
    return isinstance(status, int) and 300 <= status < 400 and location.lower().startswith("https://")


def _digest(page: WebResponse) -> str:
    return hashlib.sha256(page.message.body).hexdigest()


async def _get(place: AccessPlace, service: ObservedService, path: str) -> WebResponse | None:
    shown = f"[{place.target.address}]" if ":" in place.target.address else place.target.address
    host = shown if service.port == (443 if service.tls else 80) else f"{shown}:{service.port}"
    async with place.connect(service.port, service.tls, "http") as connection:
        if connection is None:
            return None
        return await exchange(connection, request("GET", path, host), place.wait)

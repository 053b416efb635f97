"""What every route reaches: the running dashboard (settings, store, queue, sessions), its small forms and their
CSRF check."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import HTTPException
from starlette.requests import Request

from iotbaseline.catalogue import Catalogue
from iotbaseline.store.sql_store import SqlResultStore
from iotbaseline.web.access import LoginAttempts, access_of
from iotbaseline.web.scan_queue import ScanQueue
from iotbaseline.web.sessions import CSRF_FIELD, SessionStore
from iotbaseline.web.settings import DashboardSettings

MAX_FORM_BYTES = 16 * 1024
MAX_FIELD_CHARS = 4096


@dataclass(frozen=True)
class Dashboard:
    settings: DashboardSettings
    store: SqlResultStore
    queue: ScanQueue
    sessions: SessionStore
    catalogue: Catalogue
    logins: LoginAttempts


def dashboard_of(request: Request) -> Dashboard:
    dashboard: Dashboard = request.app.state.dashboard
    return dashboard


async def small_form(request: Request) -> dict[str, str]:
    """An urlencoded form of a few short fields, read with a size limit (413 beyond): first value of each."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise HTTPException(415, "send the form as application/x-www-form-urlencoded")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_FORM_BYTES):
        raise HTTPException(413, "the form is too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "the form is too large")
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=32, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(400, "the form is malformed") from None
    return {name: values[0][:MAX_FIELD_CHARS] for name, values in parsed.items() if values}


def csrf_ok(request: Request, fields: Mapping[str, str]) -> bool:
    """The form carries its session's CSRF token (scripts with the bearer token carry no cookie and need none)."""
    access = access_of(request.scope)
    if access.csrf_exempt:
        return True
    return access.session is not None and access.session.csrf_matches(fields.get(CSRF_FIELD))


def require_csrf(request: Request, fields: Mapping[str, str]) -> None:
    if not csrf_ok(request, fields):
        raise HTTPException(403, "the form's CSRF token is missing or wrong: reload the page and try again")

"""The FastAPI application: access control around every route, the login form, the stylesheet, error pages.

`create_app` takes what it serves (settings, an open store, a scan runner); `iotbaseline serve` builds those and
runs the app with uvicorn, tests hand it a store in a temporary folder and a runner of their own.
"""

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from iotbaseline.catalogue import default_catalogue
from iotbaseline.store.errors import StoreError
from iotbaseline.store.sql_store import SqlResultStore
from iotbaseline.web import routes_browse, routes_submit
from iotbaseline.web.access import LOGIN_PATH, STYLESHEET_PATH, AccessControl, LoginAttempts, access_of, token_matches
from iotbaseline.web.context import Dashboard, dashboard_of, require_csrf, small_form
from iotbaseline.web.pages import render, stylesheet
from iotbaseline.web.scan_queue import ScanQueue, close_abandoned
from iotbaseline.web.sessions import SessionStore, cookie_header, ended_cookie_header
from iotbaseline.web.settings import DashboardSettings
from iotbaseline.web.workers import ScanRunner

log = logging.getLogger("iotbaseline.web")


def create_app(settings: DashboardSettings, store: SqlResultStore, runner: ScanRunner) -> FastAPI:
    """The queue starts with the app (its lifespan) and stops with it; the store and the runner stay the caller's."""
    settings.uploads.mkdir(parents=True, exist_ok=True)
    settings.scans.mkdir(parents=True, exist_ok=True)
    sessions = SessionStore()
    queue = ScanQueue(store, runner, settings)
    dashboard = Dashboard(settings, store, queue, sessions, default_catalogue(), LoginAttempts())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        closed = close_abandoned(store, settings.scans)
        if closed:
            log.warning("%d scans were left running by an earlier run of the dashboard; closed as failed", closed)
        queue.start()
        try:
            yield
        finally:
            queue.close()

    app = FastAPI(title="iotbaseline", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.dashboard = dashboard
    app.add_middleware(AccessControl, settings=settings, sessions=sessions)
    app.include_router(routes_browse.router)
    app.include_router(routes_submit.router)
    app.add_api_route(LOGIN_PATH, login_form, methods=["GET"], response_class=HTMLResponse)
    app.add_api_route(LOGIN_PATH, login, methods=["POST"])
    app.add_api_route("/logout", logout, methods=["POST"])
    app.add_api_route(STYLESHEET_PATH, stylesheet_response, methods=["GET"])
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]  # Starlette's signature
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(StoreError, store_error)  # type: ignore[arg-type]
    return app


def login_form(request: Request) -> Response:
    return render(request, "login.html", title="Log in", problem="")


async def login(request: Request) -> Response:
    dashboard = dashboard_of(request)
    fields = await small_form(request)
    require_csrf(request, fields)
    client = request.client.host if request.client else ""
    if dashboard.logins.blocked(client):
        return render(request, "login.html", status=429, title="Log in", problem="Too many failed attempts: wait.")
    if not token_matches(fields.get("token", ""), dashboard.settings.token):
        dashboard.logins.failed(client)
        return render(request, "login.html", status=401, title="Log in", problem="That is not the token.")
    old = access_of(request.scope).session
    if old is not None:
        dashboard.sessions.end(old.id)
    session = dashboard.sessions.new(authenticated=True)  # a new id: a session planted before login stays useless
    response = RedirectResponse("/", status_code=303)
    response.headers.append("set-cookie", cookie_header(session, dashboard.settings.secure_cookies))
    return response


async def logout(request: Request) -> Response:
    dashboard = dashboard_of(request)
    require_csrf(request, await small_form(request))
    session = access_of(request.scope).session
    if session is not None:
        dashboard.sessions.end(session.id)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.headers.append("set-cookie", ended_cookie_header(dashboard.settings.secure_cookies))
    return response


def stylesheet_response() -> Response:
    return Response(stylesheet(), media_type="text/css; charset=utf-8", headers={"cache-control": "max-age=3600"})


def http_error(request: Request, error: StarletteHTTPException) -> Response:
    return _error_page(request, error.status_code, str(error.detail), error.headers)


def invalid_request(request: Request, error: RequestValidationError) -> Response:
    places = [tuple(item.get("loc", ())) for item in error.errors()]
    in_path = any(place[:1] == ("path",) for place in places)  # /scans/abc names no scan
    fields = ", ".join(".".join(str(part) for part in place[1:]) for place in places)
    return _error_page(request, 404 if in_path else 400, f"invalid request: {fields}")


def store_error(request: Request, error: StoreError) -> Response:
    return _error_page(request, 503, f"the results database cannot be used: {error}")


def _error_page(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    if "state" not in request.scope or "access" not in request.scope["state"]:
        return Response(message, status_code=status, media_type="text/plain; charset=utf-8")
    response = render(
        request, "error.html", status=status, title=f"Error {status}", status_code=status, message=message
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response

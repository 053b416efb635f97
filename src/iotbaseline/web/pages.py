"""The dashboard's pages: Jinja2 templates in `data/web/templates/`, autoescaped, with every value made visible first
(control characters and bidirectional overrides from firmware shown as escapes, as in the HTML report)."""

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2
import markupsafe
from starlette.requests import Request
from starlette.responses import HTMLResponse

from iotbaseline import __version__
from iotbaseline.report.html_report import VERDICT_CSS, evidence_items, size_text, time_text
from iotbaseline.report.locations import location_fields, location_text
from iotbaseline.report.text import visible
from iotbaseline.report.view import VERDICT_LABELS
from iotbaseline.web.access import Identity, access_of

STYLESHEET = "dashboard.css"

VERDICT_BADGES: Mapping[str, str] = {value.value: VERDICT_CSS[value] for value in VERDICT_CSS}
STATE_BADGES: Mapping[str, str] = {
    "queued": "s-queued",
    "running": "s-running",
    "done": "s-done",
    "failed": "s-failed",
}


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    access = access_of(request.scope)
    page = (
        _environment()
        .get_template(template)
        .render(
            csrf=access.session.csrf if access.session is not None else "",
            signed_in=access.identity in (Identity.SESSION, Identity.LOOPBACK, Identity.BEARER),
            logged_in=access.identity is Identity.SESSION,
            version=__version__,
            **context,
        )
    )
    return HTMLResponse(page, status_code=status)


def stylesheet() -> str:
    return files("iotbaseline").joinpath("data", "web", STYLESHEET).read_text(encoding="utf-8")


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("iotbaseline", "data/web/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_visible_value,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(
        location_text=location_text,
        location_fields=location_fields,
        evidence_items=evidence_items,
        size_text=size_text,
        time_text=time_text,
        verdict_badges=VERDICT_BADGES,
        verdict_labels={value.value: label for value, label in VERDICT_LABELS.items()},
        state_badges=STATE_BADGES,
    )
    environment.filters["percent"] = lambda share: f"{share * 100:.0f} %"
    environment.filters["mib"] = lambda size: f"{size / (1024 * 1024):,.1f} MiB"
    return environment


def _visible_value(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value)
    return value

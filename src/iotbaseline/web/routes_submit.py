"""Asking for scans: an upload or an allow-listed path, and the queue they wait in."""

from collections.abc import Mapping

from fastapi import APIRouter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from iotbaseline.model import JSONValue
from iotbaseline.web.context import csrf_ok, dashboard_of, require_csrf, small_form
from iotbaseline.web.pages import render
from iotbaseline.web.paths import PathRefused, allowed_image, listed_images
from iotbaseline.web.scan_queue import ImageRequest, QueueState
from iotbaseline.web.uploads import UploadRefused, receive_upload

PRODUCT_FIELDS = ("vendor", "model", "firmware_version")
MAX_PRODUCT_CHARS = 200
REFRESH_SECONDS = 2

router = APIRouter()


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    return _submit_page(request)


def _submit_page(request: Request, status: int = 200, problem: str = "", path: str = "") -> Response:
    settings = dashboard_of(request).settings
    return render(
        request,
        "upload.html",
        status=status,
        title="Scan an image",
        max_upload=settings.max_upload_bytes,
        allow_paths=settings.allow_paths,
        listed=listed_images(settings.allow_paths),
        problem=problem,
        path=path,
    )


@router.post("/upload")
async def upload(request: Request) -> Response:
    dashboard = dashboard_of(request)
    settings = dashboard.settings
    try:
        received = await receive_upload(
            request.stream(),
            request.headers.get("content-type", ""),
            request.headers.get("content-length"),
            settings.uploads,
            settings.max_upload_bytes,
            lambda fields: csrf_ok(request, fields),
        )
    except UploadRefused as refused:
        return _submit_page(request, refused.status, refused.message)
    entry = dashboard.queue.submit(
        ImageRequest(received.image, received.name, "upload", _product(received.fields), received.sha256, received.size)
    )
    return RedirectResponse(f"/queue#job-{entry.number}", status_code=303)


@router.post("/scan-path")
async def scan_path(request: Request) -> Response:
    dashboard = dashboard_of(request)
    fields = await small_form(request)
    require_csrf(request, fields)
    requested = fields.get("path", "")
    try:
        found = allowed_image(requested, dashboard.settings.allow_paths)
    except PathRefused as refused:
        return _submit_page(request, 400, str(refused), requested)
    entry = dashboard.queue.submit(ImageRequest(found.path, found.path.name, "path", _product(fields), None, None))
    return RedirectResponse(f"/queue#job-{entry.number}", status_code=303)


def _product(fields: Mapping[str, str]) -> dict[str, JSONValue]:
    """The product facts typed into the form (the store files the image under its vendor and model)."""
    return {name: fields[name].strip()[:MAX_PRODUCT_CHARS] for name in PRODUCT_FIELDS if fields.get(name, "").strip()}


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request) -> Response:
    entries = dashboard_of(request).queue.entries()
    busy = any(entry.state in (QueueState.QUEUED, QueueState.RUNNING) for entry in entries)
    # The refresh names the page without the #job-N of the redirect: a browser takes the same URL with a fragment
    # as a jump within the page, not a reload.
    refresh = REFRESH_SECONDS if busy else None
    return render(request, "queue.html", title="Queue", entries=entries, refresh=refresh, refresh_to="/queue")


@router.get("/queue/{number}")
def queue_entry(request: Request, number: int) -> Response:
    """One entry: to its stored scan once there is one, else the queue."""
    entry = dashboard_of(request).queue.entry(number)
    if entry is None:
        raise HTTPException(404, "no such entry in this server's queue")
    if entry.scan_id is not None and entry.state is QueueState.DONE:
        return RedirectResponse(f"/scans/{entry.scan_id}", status_code=303)
    return RedirectResponse(f"/queue#job-{entry.number}", status_code=303)

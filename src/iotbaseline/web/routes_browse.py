"""Reading the store: home figures, products, scans, a scan with its PSTI verdicts and findings, one finding, the
HTML report, downloads, and the comparison of two scans."""

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from iotbaseline.diff import diff_releases
from iotbaseline.diff.sources import STORED_PREFIX, Source, SourceKind, load_stored
from iotbaseline.errors import InputError
from iotbaseline.model import Assessment
from iotbaseline.report.view import view_of
from iotbaseline.store.fleet import fleet_summary
from iotbaseline.store.interface import ScanStatus, StoredScan
from iotbaseline.web import browse
from iotbaseline.web.artefacts import (
    ARTEFACTS,
    BY_NAME,
    HTML_REPORT,
    HTML_REPORT_POLICY,
    ArtefactMissing,
    artefact_bytes,
    render_report,
)
from iotbaseline.web.context import dashboard_of
from iotbaseline.web.pages import render

PAGE_SIZE = 50
MAX_VENDORS_SHOWN = 25
COMPARE_CHOICES = 200
_FINDING_ID = re.compile(r"[0-9a-f]{16}")

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    dashboard = dashboard_of(request)
    engine = dashboard.store.engine
    fleet = fleet_summary(engine)
    return render(
        request,
        "home.html",
        title="Overview",
        counts=browse.store_counts(engine),
        queue=dashboard.queue.entries()[:5],
        fleet=fleet,
        vendors=fleet.by_vendor[:MAX_VENDORS_SHOWN],
        location=dashboard.store.location,
    )


@router.get("/products", response_class=HTMLResponse)
def products(request: Request) -> Response:
    found = browse.products(dashboard_of(request).store.engine)
    return render(request, "products.html", title="Products", products=found)


@router.get("/scans", response_class=HTMLResponse)
def scans(
    request: Request,
    status: Annotated[ScanStatus | None, Query()] = None,
    product: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    engine = dashboard_of(request).store.engine
    listed = browse.scans(engine, product, status, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    total = browse.count_scans(engine, product, status)
    return render(
        request,
        "scans.html",
        title="Scans",
        scans=listed,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        status_filter=status.value if status else "",
        product=browse.product(engine, product) if product is not None else None,
        product_id=product,
        statuses=[s.value for s in ScanStatus],
    )


@router.get("/scans/{scan_id}", response_class=HTMLResponse)
def scan(request: Request, scan_id: int) -> Response:
    dashboard = dashboard_of(request)
    stored = _stored(request, scan_id)
    assessment = dashboard.store.assessment(scan_id) if stored.status is ScanStatus.DONE else None
    others = [s for s in dashboard.store.scans(limit=COMPARE_CHOICES, status=ScanStatus.DONE) if s.id != scan_id]
    return render(
        request,
        "scan.html",
        title=f"Scan {scan_id}",
        scan=stored,
        assessment=assessment,
        view=view_of(assessment, dashboard.catalogue) if assessment is not None else None,
        artefacts=ARTEFACTS,
        others=others,
    )


@router.get("/scans/{scan_id}/findings/{finding_id}", response_class=HTMLResponse)
def finding(request: Request, scan_id: int, finding_id: str) -> Response:
    if not _FINDING_ID.fullmatch(finding_id):
        raise HTTPException(404, "no such finding")
    stored = _stored(request, scan_id)
    assessment = _assessment(request, stored)
    found = next((f for f in assessment.findings if f.id == finding_id), None)
    if found is None:
        raise HTTPException(404, "no such finding in this scan")
    verdicts = [v for v in assessment.verdicts if finding_id in v.findings]
    return render(request, "finding.html", title=found.title, scan=stored, finding=found, verdicts=verdicts)


@router.get(f"/scans/{{scan_id}}/{HTML_REPORT}")
def html_report(request: Request, scan_id: int) -> Response:
    assessment = _assessment(request, _stored(request, scan_id))
    page = render_report(HTML_REPORT, assessment, dashboard_of(request).catalogue)
    return Response(
        page, media_type="text/html; charset=utf-8", headers={"content-security-policy": HTML_REPORT_POLICY}
    )


@router.get("/scans/{scan_id}/download/{name}")
def download(request: Request, scan_id: int, name: str) -> Response:
    artefact = BY_NAME.get(name)
    if artefact is None:  # the name picks from a fixed set; it never reaches the file system
        raise HTTPException(404, "no such download")
    stored = _stored(request, scan_id)
    assessment = _assessment(request, stored)
    try:
        content = artefact_bytes(artefact, assessment, dashboard_of(request).catalogue, stored.output)
    except ArtefactMissing as missing:
        raise HTTPException(404, str(missing)) from None
    disposition = f'attachment; filename="scan-{scan_id}-{artefact.name}"'
    return Response(content, media_type=artefact.media_type, headers={"content-disposition": disposition})


@router.get("/compare", response_class=HTMLResponse)
def compare(
    request: Request,
    old: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    new: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    dashboard = dashboard_of(request)
    choices = dashboard.store.scans(limit=COMPARE_CHOICES, status=ScanStatus.DONE)
    result, problem = None, ""
    if old is not None and new is not None:
        try:
            before = load_stored(Source(SourceKind.STORED, f"{STORED_PREFIX}{old}", scan_id=old), dashboard.store)
            after = load_stored(Source(SourceKind.STORED, f"{STORED_PREFIX}{new}", scan_id=new), dashboard.store)
            result = diff_releases(before, after)
        except InputError as error:
            problem = str(error)
    return render(
        request,
        "compare.html",
        title="Compare two scans",
        choices=choices,
        old=old,
        new=new,
        diff=result,
        problem=problem,
        status=400 if problem else 200,
    )


def _stored(request: Request, scan_id: int) -> StoredScan:
    stored = dashboard_of(request).store.scan(scan_id) if 1 <= scan_id <= 2**62 else None
    if stored is None:
        raise HTTPException(404, f"no scan {scan_id} in the results store")
    return stored


def _assessment(request: Request, stored: StoredScan) -> Assessment:
    assessment = dashboard_of(request).store.assessment(stored.id) if stored.status is ScanStatus.DONE else None
    if assessment is None:
        raise HTTPException(409, f"scan {stored.id} has no results (it is {stored.status.value})")
    return assessment

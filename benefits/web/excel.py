"""The Excel page: upload a tracker, see the dry run, confirm; download the template and the rollups;
and the pages of a register export built in the background (its progress, polled by htmx, and its file).

The uploaded bytes wait for the confirmation in the default storage (S3-compatible by settings),
named by a random token kept in the user's session with the file's sha256; the confirmation
imports exactly those bytes, through the same service as the API (ADR 0056). The register's own
download is one door for the register page and this page alike (web/register.py, ADR 0055).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone

from benefits.errors import Conflict, NotFound
from benefits.excel.exports import rollup_workbook
from benefits.excel.template import template_workbook, template_years
from benefits.excel.writer import XLSX, xlsx_response
from benefits.finance.calendar import CalendarError, FinancialYear, month_name
from benefits.models.choices import Confidence, JobStatus, Stage
from benefits.policy import Action, can, require
from benefits.selectors.exports import template_choices
from benefits.selectors.jobs import export_job as find_export_job
from benefits.selectors.jobs import recent_imports
from benefits.selectors.periods import reporting_month
from benefits.selectors.rollups import compute_all_rollups
from benefits.services import exports as export_services
from benefits.services.housekeeping import PENDING_UPLOADS as PENDING_DIR
from benefits.services.imports import ImportRefused, import_workbook

from .http import job_progress, page_view, render_page
from .layout import JobRow, job_state, label_of, optional_year

if TYPE_CHECKING:
    from benefits.models import ExportJob

SESSION_KEY = "pending_imports"


# --- importing a tracker ---------------------------------------------------------------------------


def _page(request: HttpRequest, *, result=None, errors=None, token: str = "", filename: str = "", status: int = 200):
    as_at = reporting_month()
    fy = FinancialYear.of(as_at)
    context = {
        "nav_current": "imports",
        "can_import": can(request.user, Action.EDIT_REGISTER),
        "result": result,
        "errors": errors or [],
        "token": token,
        "filename": filename,
        "fy": fy,
        "as_at": as_at,
        "as_at_name": month_name(as_at),
        "batches": recent_imports(20),
        "page_errors": [
            {"text": "The file was not imported. Fix the problems listed below and upload it again.", "href": "#problems"}
        ]
        if errors
        else [],
    }
    return render_page(request, "benefits/imports/imports.jinja", context, status=status)


@page_view
def imports(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST with a file: the dry run, and a confirm button if the file is valid."""
    if request.method != "POST":
        return _page(request)
    require(request.user, Action.EDIT_REGISTER, what="import trackers")
    upload = request.FILES.get("file")
    if upload is None:
        return _page(
            request, errors=[{"sheet": None, "row": None, "column": None, "message": "Choose a file to upload."}], status=400
        )
    data = upload.read()
    try:
        result = import_workbook(user=request.user, data=data, filename=upload.name, dry_run=True)
    except ImportRefused as exc:
        return _page(request, errors=[p.as_json() for p in exc.problems], filename=upload.name, status=400)
    token = ""
    if result.already_imported is None and result.plan.changes_total:
        token = secrets.token_urlsafe(16)
        default_storage.save(f"{PENDING_DIR}/{token}.xlsx", ContentFile(data))
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"filename": upload.name, "sha256": hashlib.sha256(data).hexdigest()}
        request.session[SESSION_KEY] = pending
    return _page(request, result=result.as_json(dry_run=True), token=token, filename=upload.name)


@page_view
def confirm_import(request: HttpRequest) -> HttpResponse:
    """Commit the file the user has just seen the dry run of (all or nothing)."""
    if request.method != "POST":
        return redirect("web:imports")
    require(request.user, Action.EDIT_REGISTER, what="import trackers")
    token = request.POST.get("token", "")
    pending = request.session.get(SESSION_KEY, {})
    item = pending.pop(token, None) if token.replace("-", "").replace("_", "").isalnum() else None
    request.session[SESSION_KEY] = pending
    name = f"{PENDING_DIR}/{token}.xlsx"
    if item is None or not default_storage.exists(name):
        messages.error(request, "That upload has expired or was already imported. Upload the file again.")
        return redirect("web:imports")
    with default_storage.open(name, "rb") as stored:
        data = stored.read()
    default_storage.delete(name)
    if hashlib.sha256(data).hexdigest() != item["sha256"]:
        messages.error(request, "The stored upload does not match what you checked. Upload the file again.")
        return redirect("web:imports")
    try:
        result = import_workbook(user=request.user, data=data, filename=item["filename"], dry_run=False)
    except ImportRefused as exc:
        # The tracker changed between the dry run and the confirmation: show the problems now.
        return _page(request, errors=[p.as_json() for p in exc.problems], filename=item["filename"], status=400)
    batch = result.batch or result.already_imported
    counts = result.plan.counts()
    messages.success(
        request,
        f"Imported {item['filename']} (import {batch.pk}): created {counts['created']['initiatives']} initiatives, "
        f"{counts['created']['benefits']} benefit lines and {counts['created']['entries']} figures; "
        f"changed {counts['updated']['initiatives']} initiatives, {counts['updated']['benefits']} lines "
        f"and {counts['updated']['entries']} figures.",
    )
    return redirect(reverse("web:imports") + f"#import-{batch.pk}")


# --- downloads -------------------------------------------------------------------------------------


@page_view
def template_download(request: HttpRequest) -> HttpResponse:
    workbook = template_workbook(template_years(timezone.localdate()), template_choices())
    return xlsx_response(workbook, "benefits-import-template.xlsx")


@page_view
def rollup_download(request: HttpRequest) -> HttpResponse:
    as_at = request.GET.get("as_at") or reporting_month()
    try:
        fy = FinancialYear.of(as_at)
    except CalendarError:
        as_at = reporting_month()
        fy = FinancialYear.of(as_at)
    workbook = rollup_workbook(compute_all_rollups(fy=fy, as_at=as_at), fy=fy, as_at=as_at)
    return xlsx_response(workbook, f"benefits-rollup-{as_at}.xlsx")


# --- register exports built in the background --------------------------------------------------------


@dataclass(frozen=True)
class ExportJobRow(JobRow):
    lines: str
    filters: str
    page_href: str
    progress_href: str
    download_href: str


def export_filters_text(filters: dict, fy: str) -> str:
    """What the user asked for, in words: "workstream PROC, trust RYE, stage Delivery; 2025/26"."""
    words = [
        f"workstream {filters['workstream']}" if filters.get("workstream") else "",
        f"lead trust {filters['lead_organisation']}" if filters.get("lead_organisation") else "",
        f"trust {filters['organisation']}" if filters.get("organisation") else "",
        f"stage {label_of(Stage, filters['stage'])}" if filters.get("stage") else "",
        f"confidence {label_of(Confidence, filters['delivery_confidence'])}" if filters.get("delivery_confidence") else "",
        f"search “{filters['search']}”" if filters.get("search") else "",
    ]
    chosen = ", ".join(w for w in words if w) or "the whole register"
    return f"{chosen}; {fy or 'every year with figures'}"


def export_job_row(job: ExportJob) -> ExportJobRow:
    return ExportJobRow(
        **job_state(job),
        lines=f"{job.lines:,} benefit line{'' if job.lines == 1 else 's'}",
        filters=export_filters_text(job.filters, job.fy),
        page_href=reverse("web:export_job", args=[job.pk]),
        progress_href=reverse("web:export_job_progress", args=[job.pk]),
        download_href=reverse("web:export_job_download", args=[job.pk]),
    )


def _job(request: HttpRequest, job_id: int) -> ExportJob:
    job = find_export_job(job_id)
    if job is None:
        raise NotFound(f"There is no export {job_id}. Export the register again from the register page.")
    export_services.require_access(user=request.user, job=job)
    return job


@page_view
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    row = export_job_row(_job(request, job_id))
    return render_page(request, "benefits/export_job.jinja", {"job": row, "nav_current": "register"})


@page_view
def export_job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """htmx polls this while the export is built; 286 tells htmx 2 to stop polling once it has ended."""
    row = export_job_row(_job(request, job_id))
    return job_progress(request, "benefits/partials/export_job_status.jinja", {"job": row}, active=row.active)


@page_view
def export_job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != JobStatus.DONE or not job.file:
        raise Conflict(f"The export is not ready yet ({job.get_status_display().lower()}). Try again in a moment.")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=export_services.filename(optional_year(job.fy)),
                        content_type=XLSX)


urlpatterns = [
    path("imports/", imports, name="imports"),
    path("imports/confirm/", confirm_import, name="import_confirm"),
    path("imports/template.xlsx", template_download, name="import_template"),
    path("exports/rollup.xlsx", rollup_download, name="export_rollup"),
    path("exports/<int:job_id>/", export_job, name="export_job"),
    path("exports/<int:job_id>/progress/", export_job_progress, name="export_job_progress"),
    path("exports/<int:job_id>/download/", export_job_download, name="export_job_download"),
]

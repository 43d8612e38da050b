"""The Excel page: upload a tracker, see the dry run, confirm; download the template and the exports.

The uploaded bytes wait for the confirmation in the default storage (S3-compatible by settings),
named by a random token kept in the user's session with the file's sha256; the confirmation
imports exactly those bytes, through the same service as the API (ADR 0056).
"""

from __future__ import annotations

import hashlib
import secrets

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone

from benefits.excel.exports import register_workbook, rollup_workbook
from benefits.excel.template import template_workbook, template_years
from benefits.excel.writer import xlsx_response
from benefits.finance.calendar import CalendarError, FinancialYear, month_name
from benefits.models import ImportBatch
from benefits.policy import Action, can, require
from benefits.selectors.exports import register_export, template_choices, visible_initiatives
from benefits.selectors.periods import reporting_month
from benefits.selectors.register import RegisterFilter
from benefits.selectors.rollups import compute_all_rollups
from benefits.services.housekeeping import PENDING_UPLOADS as PENDING_DIR
from benefits.services.imports import ImportRefused, import_workbook

from .http import page_view, render_page

SESSION_KEY = "pending_imports"


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
        "batches": list(ImportBatch.objects.select_related("created_by").order_by("-created_at", "-id")[:20]),
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


@page_view
def template_download(request: HttpRequest) -> HttpResponse:
    workbook = template_workbook(template_years(timezone.localdate()), template_choices())
    return xlsx_response(workbook, "benefits-import-template.xlsx")


@page_view
def register_download(request: HttpRequest) -> HttpResponse:
    """The register page's filters (workstream, trust, stage, …) plus `fy`, as the API takes them."""
    filterset = RegisterFilter(request.GET, queryset=visible_initiatives(request.user))
    initiatives = filterset.qs if filterset.is_valid() else visible_initiatives(request.user)
    fy = None
    if request.GET.get("fy"):
        try:
            fy = FinancialYear.parse(request.GET["fy"])
        except CalendarError:
            fy = None
    return xlsx_response(register_workbook(register_export(initiatives=initiatives, fy=fy)), "benefits-register.xlsx")


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


urlpatterns = [
    path("imports/", imports, name="imports"),
    path("imports/confirm/", confirm_import, name="import_confirm"),
    path("imports/template.xlsx", template_download, name="import_template"),
    path("exports/register.xlsx", register_download, name="export_register"),
    path("exports/rollup.xlsx", rollup_download, name="export_rollup"),
]

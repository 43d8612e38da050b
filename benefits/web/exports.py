"""The register page's "Download as Excel": the file at once, or a job with a progress page when large.

The form posts the register's filters; up to `EXPORT_BACKGROUND_LINES` benefit lines the answer
is the workbook itself, as before; above it the export becomes a job (services.exports) and the
user is sent to its page, which htmx polls like the board packs page and which ends with the
download link (ADR 0055). The API's `exports/register.xlsx` stays synchronous (API.md).
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_http_methods

from benefits.errors import Conflict, NotFound
from benefits.excel.exports import register_workbook
from benefits.excel.writer import XLSX, xlsx_response
from benefits.finance.calendar import CalendarError, FinancialYear
from benefits.models import ExportJob
from benefits.models.choices import JobStatus
from benefits.selectors.exports import register_export, register_line_count, visible_initiatives
from benefits.selectors.register import filter_register
from benefits.services import exports as export_services

from . import presenters
from .http import job_progress, page_view, render_page


def _fy(text: str) -> FinancialYear | None:
    try:
        return FinancialYear.parse(text) if text else None
    except CalendarError:
        return None  # the form offers only real years; anything else exports every year


@page_view
@require_http_methods(["POST"])
def register_excel(request: HttpRequest) -> HttpResponse:
    """The register as filtered on the page (and a year): the file now, or a job when it is large."""
    filters = presenters.RegisterFilters.from_query(request.POST).as_filters()
    fy = _fy(request.POST.get("fy", ""))
    initiatives = filter_register(visible_initiatives(request.user), **filters)
    lines = register_line_count(initiatives)
    if not export_services.builds_in_background(lines):
        data = register_workbook(register_export(initiatives=initiatives, fy=fy))
        return xlsx_response(data, export_services.filename(fy))
    job = export_services.request_register_export(user=request.user, filters=filters, fy=fy, lines=lines)
    return redirect("web:export_job", job_id=job.pk)


def _job(request: HttpRequest, job_id: int) -> ExportJob:
    job = ExportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"There is no export {job_id}. Export the register again from the register page.")
    export_services.require_access(user=request.user, job=job)
    return job


@page_view
def export_job(request: HttpRequest, job_id: int) -> HttpResponse:
    row = presenters.export_job_row(_job(request, job_id))
    return render_page(request, "benefits/export_job.jinja", {"job": row, "nav_current": "register"})


@page_view
def export_job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """htmx polls this while the export is built; 286 tells htmx 2 to stop polling once it has ended."""
    row = presenters.export_job_row(_job(request, job_id))
    return job_progress(request, "benefits/partials/export_job_status.jinja", {"job": row}, active=row.active)


@page_view
def export_job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != JobStatus.DONE or not job.file:
        raise Conflict(f"The export is not ready yet ({job.get_status_display().lower()}). Try again in a moment.")
    fy = _fy(job.fy)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=export_services.filename(fy), content_type=XLSX)


urlpatterns = [
    path("exports/register/", register_excel, name="register_excel"),
    path("exports/<int:job_id>/", export_job, name="export_job"),
    path("exports/<int:job_id>/progress/", export_job_progress, name="export_job_progress"),
    path("exports/<int:job_id>/download/", export_job_download, name="export_job_download"),
]

"""The register page's "Download as Excel": at once when small, a job with a progress page when large."""

from __future__ import annotations

import importlib
import io

import pytest
from celery import current_app
from django.apps import apps
from django.urls import reverse
from openpyxl import load_workbook

from benefits import tasks  # noqa: F401 (registers the tasks, as a worker does when it starts)
from benefits.models import AuditEvent, ExportJob, OutboxMessage
from benefits.services import exports as export_services
from benefits.services import jobs
from benefits.web.excel import urlpatterns
from tests.factories import WorkstreamFactory, make_initiative, make_line, put

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def background_above_two_lines(settings):
    settings.EXPORT_BACKGROUND_LINES = 2


@pytest.fixture
def register(pmo_rye, pmo_ryd, procurement):
    """Three procurement lines (two initiatives, two trusts) with figures, and one fleet line the filter leaves out."""
    ours = make_initiative(pmo_rye, workstream=procurement, title="=SUM(A1:A9)")  # text that looks like a formula
    for n, amount in ((1, "1234.56"), (2, "952547762549.43")):
        put(pmo_rye, make_line(pmo_rye, ours, title=f"Saving {n}"), "plan", ["2025-04", "2026-01"], amount)
    theirs = make_initiative(pmo_ryd, lead="RYD", workstream=procurement, title="Shared stores")
    put(pmo_ryd, make_line(pmo_ryd, theirs, title="Stock", organisation="RYD"), "forecast", ["2025-05"], "0.10")
    fleet = make_initiative(pmo_rye, workstream=WorkstreamFactory(code="FLEET", name="Fleet"), title="Fleet")
    put(pmo_rye, make_line(pmo_rye, fleet, title="Tyres"), "plan", ["2025-04"], "5.00")


def values(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cells, with their number formats: what a person sees in Excel."""
    wb = load_workbook(io.BytesIO(content))
    return {ws.title: [tuple((c.value, c.number_format) for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


def build_from_outbox(job: ExportJob) -> list[tuple[int, str]]:
    """Run the task the outbox names, in this process as a worker would: the progress it reported, then where it ended."""
    message = OutboxMessage.objects.get(task="benefits.tasks.build_register_export")
    assert message.kwargs == {"export_id": job.pk}
    seen: list[tuple[int, str]] = []
    real = jobs.set_progress

    def recording(model, job_id, progress, **fields):
        real(model, job_id, progress, **fields)
        seen.append(tuple(model.objects.filter(pk=job_id).values_list("progress", "status").get()))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jobs, "set_progress", recording)
        assert current_app.tasks[message.task].apply(kwargs=message.kwargs).get() == "done"
    return [*seen, tuple(ExportJob.objects.filter(pk=job.pk).values_list("progress", "status").get())]


def test_a_large_filtered_register_becomes_a_job_whose_file_equals_the_direct_export(
    client, api, pmo_rye, register, background_above_two_lines
):
    client.force_login(pmo_rye)
    page = client.get("/initiatives/?workstream=PROC").content.decode()
    form = page.split('id="download"')[1].split("</form>")[0]
    assert 'name="workstream" value="PROC"' in form and "Download as Excel" in form

    response = client.post("/exports/register/", {"workstream": "PROC", "fy": "2025/26"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert (job.created_by, job.filters, job.fy, job.lines, job.status) == (pmo_rye, {"workstream": "PROC"}, "2025/26", 3, "queued")
    queued = client.get(f"/exports/{job.pk}/").content.decode()
    assert "3 benefit lines: workstream PROC; 2025/26" in queued and "Queued" in queued
    assert 'hx-trigger="every 1s"' in queued and "Refresh to see the progress" in queued  # polled, or refreshed without JS

    progress = build_from_outbox(job)
    assert progress[0] == (0, "running") and progress[-1] == (100, "done")
    assert [p for p, _ in progress] == sorted(p for p, _ in progress) and len(progress) >= 4
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    with job.file.open("rb") as stored:
        assert len(stored.read()) == job.size_bytes and len(job.sha256) == 64

    poll = client.get(f"/exports/{job.pk}/progress/", **HTMX)
    assert poll.status_code == 286 and "Ready" in poll.content.decode()  # htmx stops polling
    assert f'href="/exports/{job.pk}/download/"' in client.get(f"/exports/{job.pk}/").content.decode()
    download = client.get(f"/exports/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    assert 'filename="benefits-register-2025-26.xlsx"' in download["Content-Disposition"]
    background = values(b"".join(download.streaming_content))
    direct = api(pmo_rye).get("/api/v1/exports/register.xlsx?workstream=PROC&fy=2025/26")
    assert background == values(direct.content)
    rows = background["2025-26"]
    assert len(rows) == 4 and rows[1][1] == ("=SUM(A1:A9)", "General")  # text, not a formula
    assert rows[2][16] == (952547762549.43, "#,##0.00")  # Apr 2025 plan of "Saving 2", as money
    actions = AuditEvent.objects.filter(object_type="export").order_by("id").values_list("action", flat=True)
    assert list(actions) == ["benefits.export.requested", "benefits.export.built"]


def test_a_register_below_the_threshold_downloads_at_once(client, pmo_rye, register, settings):
    settings.EXPORT_BACKGROUND_LINES = 3
    client.force_login(pmo_rye)
    response = client.post("/exports/register/", {"workstream": "PROC"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert list(values(response.content)) == ["2025-26"]  # every year with figures: one here
    assert [row[1][0] for row in values(response.content)["2025-26"][1:]] == ["=SUM(A1:A9)", "=SUM(A1:A9)", "Shared stores"]
    assert not ExportJob.objects.exists() and not OutboxMessage.objects.exists()


def test_the_excel_pages_register_download_uses_the_same_door_and_becomes_a_job_when_large(
    client, api, pmo_rye, register, background_above_two_lines
):
    client.force_login(pmo_rye)
    page = client.get("/imports/").content.decode()
    assert 'action="/exports/register/" class="app-inline-form" id="download-register-fy"' in page
    fy = page.split('id="download-register-fy"')[1].split('name="fy" value="')[1].split('"')[0]
    assert "The register for " + fy + " (xlsx)" in page

    response = client.post("/exports/register/", {"fy": fy})  # what that form posts: no filter, the year
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    assert (job.filters, job.fy, job.lines, job.status) == ({}, fy, 4, "queued")  # not built in the request
    assert build_from_outbox(job)[-1] == (100, "done")
    download = client.get(f"/exports/{job.pk}/download/")
    direct = api(pmo_rye).get(f"/api/v1/exports/register.xlsx?fy={fy}")
    assert values(b"".join(download.streaming_content)) == values(direct.content)


def test_the_excel_pages_register_download_of_a_small_register_is_the_file_at_once(client, pmo_rye, register, settings):
    settings.EXPORT_BACKGROUND_LINES = 4
    client.force_login(pmo_rye)
    assert 'id="download-register"' in client.get("/imports/").content.decode()
    response = client.post("/exports/register/", {})  # "The register with every profile"
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert 'filename="benefits-register.xlsx"' in response["Content-Disposition"]
    assert len(values(response.content)["2025-26"]) == 5  # the heading and every line
    assert not ExportJob.objects.exists()


def test_an_export_asked_for_before_the_filters_took_the_apis_names_still_builds_what_its_user_saw(pmo_rye, register):
    """Migration 0012 renames a stored job's `trust` and `confidence` to `organisation` and `delivery_confidence`."""
    migration = importlib.import_module("benefits.migrations.0012_export_filters_named_as_the_api")
    job = export_services.request_register_export(user=pmo_rye, filters={}, fy=None, lines=1)
    old = {"workstream": "PROC", "trust": "RYD", "confidence": "amber"}  # as the register page named them
    ExportJob.objects.filter(pk=job.pk).update(filters=old)
    untouched = export_services.request_register_export(user=pmo_rye, filters={"organisation": "RYE"}, fy=None, lines=1)

    migration.forwards(apps, None)
    job.refresh_from_db()
    assert job.filters == {"workstream": "PROC", "organisation": "RYD", "delivery_confidence": "amber"}
    assert ExportJob.objects.get(pk=untouched.pk).filters == {"organisation": "RYE"}
    built = export_services.build_register_export(export_id=job.pk)
    with built.file.open("rb") as stored:
        rows = values(stored.read())["2025-26"]
    assert [row[1][0] for row in rows[1:]] == ["Shared stores"]  # the one PROC initiative involving RYD

    migration.backwards(apps, None)
    assert ExportJob.objects.get(pk=job.pk).filters == old


def test_only_whoever_asked_or_an_admin_may_fetch_the_export(client, pmo_rye, pmo_ryd, admin_user, register, background_above_two_lines):
    job = export_services.request_register_export(user=pmo_rye, filters={"workstream": "PROC"}, fy=None, lines=3)
    export_services.build_register_export(export_id=job.pk)
    client.force_login(pmo_ryd)
    for url in (f"/exports/{job.pk}/", f"/exports/{job.pk}/progress/", f"/exports/{job.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "asked for by someone else" in response.content.decode()
    client.force_login(admin_user)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 200
    client.force_login(pmo_rye)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 200


def test_a_failed_build_shows_failed_with_its_error_and_offers_no_file(client, pmo_rye, register, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    job = export_services.request_register_export(user=pmo_rye, filters={}, fy=None, lines=4)
    monkeypatch.setattr(export_services, "write_workbook", disk_full)
    built = export_services.build_register_export(export_id=job.pk)
    assert built.status == "failed" and built.progress < 100 and not built.file and built.finished_at is not None
    assert built.error == (
        "The register export could not be built: [Errno 28] No space left on device. Ask for it again from the "
        f"register; if it fails again, tell the service desk and quote export {job.pk}."
    )
    client.force_login(pmo_rye)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "Failed" in page and "No space left on device" in page and "/download/" not in page
    assert "Refresh to see the progress" not in page
    poll = client.get(f"/exports/{job.pk}/progress/", **HTMX)
    assert poll.status_code == 286 and "No space left on device" in poll.content.decode()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 409
    assert AuditEvent.objects.filter(object_type="export", action="benefits.export.failed").count() == 1


def test_building_an_export_that_is_done_changes_nothing(pmo_rye, register):
    job = export_services.request_register_export(user=pmo_rye, filters={}, fy=None, lines=4)
    first = export_services.build_register_export(export_id=job.pk)
    again = export_services.build_register_export(export_id=job.pk)  # the outbox delivered it twice
    assert (again.status, again.sha256, again.file.name) == ("done", first.sha256, first.file.name)
    assert AuditEvent.objects.filter(object_type="export", action="benefits.export.built").count() == 1


ROLES = {"anon": None, "outsider": "outsider", "pmo_own": "pmo_rye", "pmo_other": "pmo_ryd",
         "finance": "finance_rye", "executive": "executive", "admin": "admin_user"}
# Every export job route of benefits/web/excel.py × the cast (GET), for an export pmo_rye asked for and not yet
# built (the download door, register_excel, is in tests/web/test_page_policy.py's table).
OWNER = {"pmo_own": 200, "admin": 200}
TABLE = {
    "export_job": OWNER,
    "export_job_progress": OWNER,
    "export_job_download": {"pmo_own": 409, "admin": 409},  # not built yet
}


def test_every_route_of_the_export_job_pages_is_in_the_table():
    assert {p.name for p in urlpatterns if p.name.startswith("export_job")} == set(TABLE)


@pytest.mark.parametrize("role", list(ROLES))
def test_each_exports_page_answers_each_role_as_the_table_says(role, client, request, pmo_rye):
    job = export_services.request_register_export(user=pmo_rye, filters={}, fy=None, lines=1)
    if ROLES[role]:
        client.force_login(request.getfixturevalue(ROLES[role]))
    for name, allowed in TABLE.items():
        kwargs = {"job_id": job.pk}
        expected = 302 if role in ("anon", "outsider") else allowed.get(role, 403)
        assert client.get(reverse(f"web:{name}", kwargs=kwargs)).status_code == expected, (name, role)

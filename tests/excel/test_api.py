"""The Excel endpoints (API.md, "Imports and exports"): statuses, bodies, and exports equal to the API's figures."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from benefits.excel import layout
from benefits.excel.exports import FIGURE_HEADERS, GROUPING_SHEETS
from benefits.models import AuditEvent, Entry, ImportBatch
from benefits.selectors.audit import FIGURES_IMPORTED
from tests import worked_example
from tests.excel.helpers import build, row
from tests.factories import make_initiative, make_line, put

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "tracker.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def sheets(content: bytes) -> dict[str, list[list]]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_the_template_is_an_xlsx_with_the_layout_and_a_guide(api, pmo_rye, procurement):
    response = api(pmo_rye).get("/api/v1/imports/template/")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    found = sheets(content)
    assert layout.HOW_TO_SHEET in found and layout.LISTS_SHEET in found
    year_sheets = [n for n in found if layout.fy_of_sheet(n)]
    assert len(year_sheets) == 2
    header = found[year_sheets[0]][0]
    assert header[:2] == ["Ref", "Initiative title"] and header[16].endswith(" plan")
    assert "PROC" in [r[0] for r in found[layout.LISTS_SHEET]]


def test_a_dry_run_answers_200_and_writes_nothing(api, pmo_rye, procurement):
    response = api(pmo_rye).post("/api/v1/imports/", {"file": upload(build([row(**{"Apr 2025 plan": 10})]))}, format="multipart")
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True and "id" not in body
    assert body["created"] == {"initiatives": 1, "benefits": 1, "entries": 1}
    assert {"sheet": "2025-26", "row": 2, "column": "Apr 2025 plan", "old": None, "new": "10.00"} in body["changes"]
    assert not Entry.objects.exists() and not ImportBatch.objects.exists()


def test_a_commit_answers_201_with_the_import_id_and_the_import_can_be_read_back(api, pmo_rye, procurement):
    client = api(pmo_rye)
    response = client.post(
        "/api/v1/imports/", {"file": upload(build([row(**{"Apr 2025 plan": 10})])), "dry_run": "false"}, format="multipart"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["dry_run"] is False and body["created"]["entries"] == 1
    batch = ImportBatch.objects.get()
    assert body["id"] == batch.pk
    imported = AuditEvent.objects.get(import_batch=batch, action=FIGURES_IMPORTED, user=pmo_rye)
    assert imported.changes["2025-04 plan"] == [None, "10.00"]
    listed = client.get("/api/v1/imports/").json()
    assert listed["count"] == 1
    detail = client.get(f"/api/v1/imports/{batch.pk}/").json()
    assert detail == listed["results"][0]
    assert detail["filename"] == "tracker.xlsx" and detail["created_by"] == "pmo.rye" and len(detail["sha256"]) == 64
    assert detail["counts"]["created"]["entries"] == 1
    assert client.get("/api/v1/imports/999999/").status_code == 404


def test_an_invalid_file_answers_400_listing_each_problem_and_writes_nothing(api, pmo_rye, procurement):
    data = build([row(**{"May 2025 forecast": "12,5k", "Stage": "soon"})])
    response = api(pmo_rye).post("/api/v1/imports/", {"file": upload(data), "dry_run": "false"}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {
        "sheet": "2025-26",
        "row": 2,
        "column": "May 2025 forecast",
        "message": "Row 2, column 'May 2025 forecast': '12,5k' is not a number.",
    } in errors
    assert [e["column"] for e in errors] == ["Stage", "May 2025 forecast"]
    assert not ImportBatch.objects.exists() and not AuditEvent.objects.filter(action__startswith="benefits.import").exists()


@pytest.mark.parametrize("data", [b"", b"hello", b"PK\x03\x04broken"])
def test_broken_uploads_are_400_never_500(api, pmo_rye, procurement, data):
    response = api(pmo_rye).post("/api/v1/imports/", {"file": upload(data)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


def test_upload_without_a_file_or_with_a_bad_dry_run_flag_is_400(api, pmo_rye, procurement):
    client = api(pmo_rye)
    assert client.post("/api/v1/imports/", {}, format="multipart").status_code == 400
    response = client.post("/api/v1/imports/", {"file": upload(build([row()])), "dry_run": "maybe"}, format="multipart")
    assert response.status_code == 400


def test_who_may_import(api, finance_rye, executive, outsider, procurement):
    data = build([row()])
    assert api(None).post("/api/v1/imports/", {"file": upload(data)}, format="multipart").status_code == 401
    for user in (finance_rye, executive, outsider):
        assert api(user).post("/api/v1/imports/", {"file": upload(data)}, format="multipart").status_code == 403
    assert api(finance_rye).get("/api/v1/imports/").status_code == 200


def test_the_register_export_is_filtered_like_the_register(api, pmo_rye, pmo_ryd, procurement):
    ours = make_initiative(pmo_rye, workstream=procurement, title="Ours")
    put(pmo_rye, make_line(pmo_rye, ours, title="Our line"), "plan", ["2025-04"], "1234.50")
    theirs = make_initiative(pmo_ryd, lead="RYD", workstream=procurement, title="Theirs", stage="idea")
    make_line(pmo_ryd, theirs, title="Their line", organisation="RYD")
    client = api(pmo_rye)
    response = client.get("/api/v1/exports/register.xlsx?fy=2025/26")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    found = sheets(response.content)
    assert list(found) == ["2025-26"]
    rows = found["2025-26"]
    assert [r[1] for r in rows[1:]] == ["Ours", "Theirs"]
    assert rows[1][16] == 1234.5 and rows[0][16] == "Apr 2025 plan"
    only = sheets(client.get("/api/v1/exports/register.xlsx?fy=2025/26&lead_organisation=RYD&stage=idea").content)
    assert [r[1] for r in only["2025-26"][1:]] == ["Theirs"]
    assert client.get("/api/v1/exports/register.xlsx?fy=2025-26").status_code == 400
    assert client.get("/api/v1/exports/register.xlsx?stage=colour").status_code == 400


def test_the_rollup_export_equals_the_rollup_endpoint(api, admin_user, finance_rye):
    worked_example.build(author=admin_user, validator=finance_rye)
    client = api(finance_rye)
    response = client.get("/api/v1/exports/rollup.xlsx?fy=2025/26&as_at=2025-06")
    assert response.status_code == 200
    found = sheets(response.content)
    assert list(found) == list(GROUPING_SHEETS.values())
    names = list(FIGURE_HEADERS)
    for grouping, sheet in GROUPING_SHEETS.items():
        query = "" if grouping == "none" else f"&group_by={grouping}"
        api_body = client.get(f"/api/v1/rollups/?fy=2025/26&as_at=2025-06{query}").json()
        rows = found[sheet]
        assert rows[0] == ["Key", "Name", *FIGURE_HEADERS.values()]
        from_sheet = {r[0]: [f"{float(v):.2f}" for v in r[2:]] for r in rows[1:]}
        assert from_sheet["total"] == [api_body["total"][n] for n in names]
        for api_row in api_body["rows"]:
            assert from_sheet[api_row["key"]] == [api_row[n] for n in names]
    total = found["Total"][-1]
    assert f"{total[names.index('forecast_fy') + 2]:.2f}" == "167950.00"  # FINANCE.md's worked example


def test_the_rollup_export_checks_its_query(api, finance_rye):
    client = api(finance_rye)
    assert client.get("/api/v1/exports/rollup.xlsx?fy=2025/26").status_code == 400
    assert client.get("/api/v1/exports/rollup.xlsx?fy=2025/26&as_at=2026-06").status_code == 400
    assert client.get("/api/v1/exports/rollup.xlsx?fy=colour&as_at=2025-06").status_code == 400


def test_a_commit_repeated_with_the_same_idempotency_key_is_replayed(api, pmo_rye, procurement):
    client = api(pmo_rye)
    data = build([row(**{"Apr 2025 plan": 10})])
    first = client.post(
        "/api/v1/imports/", {"file": upload(data), "dry_run": "false"}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 201
    again = client.post(
        "/api/v1/imports/", {"file": upload(data), "dry_run": "false"}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert ImportBatch.objects.count() == 1 and Entry.objects.count() == 1

"""Hostile or broken files are refused whole with a clear reason, and nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import override_settings

from benefits.excel import layout
from benefits.models import AuditEvent, BenefitLine, Entry, ImportBatch, Initiative
from benefits.services.imports import ImportRefused, import_workbook
from tests.excel.helpers import FY, build, row, workbook, xlsx


def refused(user, data: bytes, *, dry_run: bool = False) -> list[dict]:
    """Import as a commit and return the problems; asserts that nothing at all was written."""
    before = (Initiative.objects.count(), BenefitLine.objects.count(), Entry.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ImportRefused) as caught:
        import_workbook(user=user, data=data, filename="tracker.xlsx", dry_run=dry_run)
    after = (Initiative.objects.count(), BenefitLine.objects.count(), Entry.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert not ImportBatch.objects.exists()
    return [p.as_json() for p in caught.value.problems]


def test_a_file_that_is_not_a_workbook_is_refused(pmo_rye, procurement):
    problems = refused(pmo_rye, b"ref,title\nAG-0001,Fleet\n")
    assert "not an Excel workbook" in problems[0]["message"]


def test_a_zip_that_is_not_a_workbook_is_refused(pmo_rye, procurement):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    problems = refused(pmo_rye, buffer.getvalue())
    assert "not an Excel workbook" in problems[0]["message"]


def test_a_password_protected_workbook_is_refused(pmo_rye, procurement):
    # Excel saves an encrypted .xlsx as an OLE compound file holding EncryptionInfo and EncryptedPackage streams.
    ole = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    ole += "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 4096
    problems = refused(pmo_rye, bytes(ole))
    assert "password-protected" in problems[0]["message"]


def test_an_old_xls_file_is_refused_with_advice(pmo_rye, procurement):
    problems = refused(pmo_rye, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    assert ".xls" in problems[0]["message"]


def _bomb(size: int) -> bytes:
    """A workbook whose one sheet unpacks to `size` bytes of padding: tiny on disk, huge in memory."""
    good = build([row()])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * size)
            target.writestr(info.filename, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(pmo_rye, procurement):
    data = _bomb(20 * 1024 * 1024)
    assert len(data) < 200_000
    problems = refused(pmo_rye, data)
    assert "zip bomb" in problems[0]["message"]


@override_settings(EXCEL_IMPORT_MAX_UNCOMPRESSED_BYTES=1024 * 1024, EXCEL_IMPORT_MAX_RATIO=100_000)
def test_a_workbook_that_unpacks_beyond_the_size_limit_is_refused(pmo_rye, procurement):
    problems = refused(pmo_rye, _bomb(2 * 1024 * 1024))
    assert "Split it into smaller files" in problems[0]["message"]


def test_formulas_instead_of_values_are_refused_naming_the_cells(pmo_rye, procurement):
    wb = workbook(rows=[row(**{"Apr 2025 plan": 100, "May 2025 plan": "=Q2*2"})])
    problems = refused(pmo_rye, xlsx(wb))
    assert len(problems) == 1
    assert problems[0]["sheet"] == "2025-26"
    assert "formulas" in problems[0]["message"]
    assert "T2" in problems[0]["message"]  # the May plan column


def test_merged_cells_are_refused(pmo_rye, procurement):
    wb = workbook(rows=[row(), row(**{"Benefit title": "Second"})])
    wb["2025-26"].merge_cells("B2:B3")
    problems = refused(pmo_rye, xlsx(wb))
    assert "merged cells (B2:B3)" in problems[0]["message"]


@override_settings(EXCEL_IMPORT_MAX_ROWS=5)
def test_more_rows_than_allowed_are_refused(pmo_rye, procurement):
    rows = [row(**{"Benefit title": f"Line {n}"}) for n in range(8)]
    problems = refused(pmo_rye, build(rows))
    assert "more than the 5 rows allowed" in problems[0]["message"]


def test_a_cell_that_is_not_a_number_is_named_by_row_and_column(pmo_rye, procurement):
    rows = [row(**{"Benefit title": f"Line {n}"}) for n in range(13)]
    rows[12] = row(**{"Benefit title": "Line 12", "May 2025 forecast": "12,5k"})
    problems = refused(pmo_rye, build(rows))
    assert problems == [
        {
            "sheet": "2025-26",
            "row": 14,
            "column": "May 2025 forecast",
            "message": "Row 14, column 'May 2025 forecast': '12,5k' is not a number.",
        }
    ]


def test_every_problem_is_listed_not_just_the_first(pmo_rye, procurement):
    rows = [
        row(**{"Stage": "nearly done", "Apr 2025 plan": "lots"}),
        row(**{"Benefit title": "Other", "Workstream": "NOPE", "Jun 2025 actual": -5, "Apr 2025 forecast": "1.234"}),
    ]
    problems = refused(pmo_rye, build(rows))
    where = {(p["row"], p["column"]) for p in problems}
    assert where == {(2, "Stage"), (2, "Apr 2025 plan"), (3, "Workstream"), (3, "Jun 2025 actual"), (3, "Apr 2025 forecast")}
    messages = " ".join(p["message"] for p in problems)
    assert "'nearly done' is not a known stage" in messages
    assert "'NOPE' is not a known workstream code" in messages
    assert "more than 2 decimal places" in messages
    assert "negative" in messages


def test_a_number_with_three_places_is_refused_not_rounded(pmo_rye, procurement):
    # Stored as a number (a float to calamine), read through its text: 1234.565 must not become 1234.57.
    problems = refused(pmo_rye, build([row(**{"Apr 2025 plan": 1234.565})]))
    assert problems[0]["column"] == "Apr 2025 plan"
    assert "more than 2 decimal places" in problems[0]["message"]


def test_unknown_columns_and_months_outside_the_sheets_year_are_refused(pmo_rye, procurement):
    wb = workbook(rows=[row()])
    ws = wb["2025-26"]
    ws.cell(row=1, column=ws.max_column + 1, value="Apr 2026 plan")
    ws.cell(row=1, column=ws.max_column + 1, value="Comments")
    problems = refused(pmo_rye, xlsx(wb))
    columns = {p["column"]: p["message"] for p in problems}
    assert "not in financial year 2025/26" in columns["Apr 2026 plan"]
    assert "not a column of the import layout" in columns["Comments"]


def test_a_sheet_without_a_year_name_is_ignored_but_a_badly_named_year_is_refused(pmo_rye, procurement):
    problems = refused(pmo_rye, xlsx(workbook({"Notes": [], "2025-27": [row()]})))
    assert problems[0]["sheet"] == "2025-27"


def test_unknown_refs_and_benefit_ids_are_refused(pmo_rye, procurement):
    problems = refused(pmo_rye, build([row(Ref="AG-9999"), row(**{"Benefit id": 999999, "Benefit title": "x"})]))
    messages = [p["message"] for p in problems]
    assert any("there is no initiative 'AG-9999'" in m for m in messages)
    assert any("Benefit id" in m for m in messages)


def test_the_sheet_name_is_the_financial_year(procurement):
    assert layout.fy_of_sheet("2025-26") == FY
    assert layout.fy_of_sheet("2025-27") is None

"""Workbooks built in the tests, in the import layout (or deliberately broken)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from benefits.excel import layout
from benefits.finance.calendar import FinancialYear

FY = FinancialYear(2025)


def row(**values) -> dict:
    """A row as {header: value}; months by header, e.g. **{"Apr 2025 plan": 100}."""
    base = {
        "Ref": "",
        "Initiative title": "Joint fleet maintenance",
        "Workstream": "PROC",
        "Lead trust": "RYE",
        "Stage": "delivery",
        "Delivery confidence": "amber",
        "Owner": "",
        "Benefit id": "",
        "Benefit title": "Fewer vehicle off-road days",
        "Class": "cashable",
        "Recurrence": "recurrent",
        "Dis-benefit": "no",
        "Trust": "RYE",
        "Measure": "GBP",
        "Unit cost": "",
        "Attribution %": 100,
    }
    base.update(values)
    return base


def workbook(sheets: dict[str, list[dict]] | None = None, *, fy: FinancialYear = FY, rows: list[dict] | None = None) -> Workbook:
    sheets = sheets if sheets is not None else {layout.sheet_name(fy): rows or []}
    wb = Workbook()
    wb.remove(wb.active)
    for name, items in sheets.items():
        ws = wb.create_sheet(name)
        sheet_fy = layout.fy_of_sheet(name) or fy
        headers = layout.headers(sheet_fy)
        ws.append(headers)
        for item in items:
            unknown = set(item) - set(headers)
            assert not unknown, unknown
            ws.append([item.get(h) for h in headers])
    return wb


def xlsx(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def build(rows: list[dict], fy: FinancialYear = FY) -> bytes:
    return xlsx(workbook(rows=rows, fy=fy))

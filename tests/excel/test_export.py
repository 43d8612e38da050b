"""The register export as finance opens it in Excel: money formatted and exact, text kept as text."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import load_workbook

from benefits.excel.exports import register_workbook
from benefits.selectors.exports import register_export, visible_initiatives
from benefits.services.imports import import_workbook
from tests.factories import make_initiative, make_line, put


def export_of(user) -> bytes:
    return register_workbook(register_export(initiatives=visible_initiatives(user)))


def raw_values(data: bytes, sheet: int = 1) -> dict[str, str]:
    """Cell reference → the number exactly as written in the file (what Excel parses)."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{sheet}.xml").decode()
    return dict(re.findall(r'<c r="([A-Z]+\d+)"[^>]*t="n"[^>]*><v>([^<]*)</v>', xml))


def test_money_cells_are_formatted_and_hold_the_exact_figures(pmo_rye, procurement):
    initiative = make_initiative(pmo_rye, workstream=procurement, title="Estates rationalisation")
    line = make_line(pmo_rye, initiative, title="Disposal of two stations")
    put(pmo_rye, line, "plan", {"2025-04": "952547762549.43", "2025-05": "0.10"})
    put(pmo_rye, line, "forecast", ["2025-04"], "99999999999.99")
    data = export_of(pmo_rye)

    ws = load_workbook(io.BytesIO(data))["2025-26"]
    header = [c.value for c in ws[1]]
    apr_plan, apr_forecast, may_plan = (header.index(h) + 1 for h in ("Apr 2025 plan", "Apr 2025 forecast", "May 2025 plan"))
    for column in (apr_plan, apr_forecast, may_plan, header.index("Attribution %") + 1):
        assert ws.cell(2, column).number_format == "#,##0.00", header[column - 1]
    assert ws.cell(2, header.index("Benefit id") + 1).number_format == "General"
    # The file carries the Decimal's own digits: through a float this one would read 952547762549.4301.
    raw = raw_values(data)
    assert raw[ws.cell(2, apr_plan).coordinate] == "952547762549.43"
    assert raw[ws.cell(2, apr_forecast).coordinate] == "99999999999.99"
    assert raw[ws.cell(2, may_plan).coordinate] == "0.10"
    # A bold, frozen header row, and the widths of the layout.
    assert ws.freeze_panes == "A2" and all(c.font.b for c in ws[1])
    assert ws.column_dimensions["B"].width == 36


def test_a_formula_like_title_is_exported_as_text_and_comes_back_unchanged(pmo_rye, procurement):
    initiative = make_initiative(pmo_rye, workstream=procurement, title="=1+1")
    line = make_line(pmo_rye, initiative, title="#N/A")
    put(pmo_rye, line, "plan", ["2025-04"], "100.00")
    data = export_of(pmo_rye)

    ws = load_workbook(io.BytesIO(data))["2025-26"]
    title, line_title = ws["B2"], ws["I2"]
    assert (title.value, title.data_type, title.quotePrefix) == ("=1+1", "s", True)
    assert (line_title.value, line_title.data_type) == ("#N/A", "s")
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    # Re-imported as it is, nothing changes (the import refuses formulas, so this also says there are none).
    result = import_workbook(user=pmo_rye, data=data, filename="register.xlsx", dry_run=True)
    assert result.plan.changes_total == 0 and result.plan.unchanged == 1


def test_characters_a_workbook_cannot_hold_are_dropped_not_fatal(pmo_rye, procurement):
    make_line(pmo_rye, make_initiative(pmo_rye, workstream=procurement, title="Fleet\x0b savings"))
    ws = load_workbook(io.BytesIO(export_of(pmo_rye))).worksheets[0]
    assert ws["B2"].value == "Fleet savings"

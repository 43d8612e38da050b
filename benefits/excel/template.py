"""The empty workbook in the import layout, with drop-down lists and a short guide (issue 8).

Built with openpyxl (it is small): drop-downs read their values from a hidden `Lists` sheet,
so they stay within Excel's 255-character limit for inline lists. Nothing enforces them when a
file comes back, so the import checks every cell anyway (NOTES.md, Excel).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from benefits.finance.calendar import FinancialYear, format_period

from . import layout
from .writer import save_openpyxl

if TYPE_CHECKING:
    from benefits.selectors.exports import TemplateChoices

TEMPLATE_ROWS = 1000
GUIDE = [
    "How to fill this in",
    "",
    "One sheet per financial year, named like 2025-26. Keep the header row as it is.",
    "One row per benefit line. The first columns describe the initiative (scheme), the next ones the benefit line,",
    "then one column per month and series: plan (baseline), forecast and actual.",
    "",
    "New initiative: leave Ref blank. Rows of one new initiative share its Initiative title.",
    "New benefit line: leave Benefit id blank. Existing ones: keep the Ref and Benefit id from an export.",
    "Coded columns (workstream, trust, stage, confidence, class, recurrence, measure, unit cost) have drop-down lists.",
    "Dis-benefit: yes or no. Attribution %: 0 to 100 (blank means 100). Measure GBP needs no unit cost; any other needs one.",
    "Figures: plain numbers with at most two decimal places (12500.50), never formulas, never merged cells.",
    "Blank month cells leave the tracker as it is; the import never deletes figures.",
    "Actuals arrive as drafts; validated actuals and closed months cannot be changed by an import.",
    "Owner is shown for information only; owners are set in the register.",
    "",
    "Upload the file on the Import page: you will see exactly what would change (a dry run) before you confirm.",
    "If any cell is wrong nothing is imported, and every problem is listed by sheet, row and column.",
]


def template_years(today: dt.date) -> list[FinancialYear]:
    """The years a new template covers: this financial year and the next."""
    fy = FinancialYear.of(format_period(today.year, today.month))
    return [fy, FinancialYear(fy.start_year + 1)]


def _lists(choices: TemplateChoices) -> dict[str, list[str]]:
    return {
        "workstream": choices.workstreams,
        "lead_organisation": choices.organisations,
        "organisation": choices.organisations,
        "stage": [v for v, _ in layout.CODED["stage"].choices],
        "delivery_confidence": [v for v, _ in layout.CODED["delivery_confidence"].choices],
        "benefit_class": [v for v, _ in layout.CODED["benefit_class"].choices],
        "recurrence": [v for v, _ in layout.CODED["recurrence"].choices],
        "is_disbenefit": [layout.YES, layout.NO],
        "measure": list(layout.MEASURE_VALUES),
        "unit_cost": choices.unit_costs,
    }


def template_workbook(fys: list[FinancialYear], choices: TemplateChoices) -> bytes:
    """The template: a guide, one empty sheet per year, and the hidden lists behind the drop-downs."""
    wb = Workbook()
    guide = wb.active
    guide.title = layout.HOW_TO_SHEET
    for line in GUIDE:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 120

    lists = wb.create_sheet(layout.LISTS_SHEET)
    values = _lists(choices)
    ranges: dict[str, str] = {}
    for index, (key, items) in enumerate(values.items(), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=key)
        for row, item in enumerate(items, start=2):
            lists.cell(row=row, column=index, value=item)
        last = max(len(items) + 1, 2)
        ranges[key] = f"'{layout.LISTS_SHEET}'!${letter}$2:${letter}${last}"
    lists.sheet_state = "hidden"

    fixed = len(layout.FIXED_COLUMNS)
    for fy in fys:
        ws = wb.create_sheet(layout.sheet_name(fy))
        ws.append(layout.headers(fy))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        for index, column in enumerate(layout.FIXED_COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        width = len(layout.headers(fy))
        for index in range(fixed + 1, width + 1):
            ws.column_dimensions[get_column_letter(index)].width = 11
        for index, column in enumerate(layout.FIXED_COLUMNS, start=1):
            if column.key in ranges:
                dv = DataValidation(type="list", formula1=ranges[column.key], allow_blank=True, showErrorMessage=True)
                dv.error = f"Choose a value from the list for {column.header}."
                letter = get_column_letter(index)
                dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
                ws.add_data_validation(dv)
        # Column styles: what people type into the money and attribution % columns shows as #,##0.00.
        for index in range(fixed, width + 1):
            ws.column_dimensions[get_column_letter(index)].number_format = layout.MONEY_FORMAT
    return save_openpyxl(wb)

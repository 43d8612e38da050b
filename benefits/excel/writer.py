"""Writing workbooks: the data sheets through openpyxl's write-only mode, streamed row by row.

The register export of a whole group (10,000 lines × 24 months × 3 series) is a million cells.
openpyxl's write-only mode streams each sheet through lxml to a temporary file, so memory stays
bounded whatever the size (ADR 0055).
Three things openpyxl would otherwise get wrong for us are done here:

- Decimals are written from their text (`format(d, "f")`), never through a float, so
  `952547762549.43` stays exactly that (through a float it reads `952547762549.4301`);
- text is always text: a title such as `=1+1` or `#N/A` would become a formula or an error
  cell, so such cells are typed as strings and marked with Excel's quote prefix (an export is
  re-imported, and the import refuses formulas);
- characters XML cannot carry (control characters pasted from elsewhere) are dropped instead of
  failing the whole export.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .layout import MONEY_FORMAT, yes_no

PROGRESS_EVERY = 500  # rows between two calls of `on_rows`


@dataclass
class SheetSpec:
    """A sheet to stream: its header, column widths, which columns hold money, and its rows."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[float] = ()
    money_from: int | None = None  # index of the first money column; all later columns are money
    money_columns: frozenset[int] = frozenset()

    def money(self) -> list[bool]:
        return [
            (self.money_from is not None and i >= self.money_from) or i in self.money_columns for i in range(len(self.header))
        ]


class _Row:
    """Turns one sheet's values into what openpyxl's write-only writer is given, exactly.

    Plain text and whole numbers go in as they are. openpyxl writes a decimal through a float
    (`952547762549.43` would read `952547762549.4301`), writes no number format of its own, and
    reads `=1+1` as a formula, so those values go in as cells of our own: a decimal as its text in a
    cell typed `n` (with the money format in money columns), formula-like text in a text cell with
    Excel's quote prefix. The writer writes each cell as soon as it is given, so every column keeps
    its two cells and reuses them row after row.
    """

    def __init__(self, ws, money: list[bool]) -> None:
        self.money = money
        self.number = [WriteOnlyCell(ws) for _ in money]
        self.quoted = [WriteOnlyCell(ws) for _ in money]
        for i, is_money in enumerate(money):
            self.quoted[i].quotePrefix = True  # Excel keeps `=1+1` as text even when the cell is edited
            if is_money:
                self.number[i].number_format = MONEY_FORMAT

    def __call__(self, values: Sequence[object]) -> list[object]:
        row: list[object] = []
        for i, value in enumerate(values):
            if type(value) is Decimal or (type(value) is int and self.money[i]):  # most cells: month figures
                cell = self.number[i]
                cell.value = format(value, "f")
                cell.data_type = "n"
                row.append(cell)
            elif value is None or value == "":
                row.append(None)
            elif isinstance(value, bool):
                row.append(yes_no(value))
            elif isinstance(value, int):
                row.append(value)
            else:
                text = str(value)
                if ILLEGAL_CHARACTERS_RE.search(text):  # control characters XML cannot carry
                    text = ILLEGAL_CHARACTERS_RE.sub("", text)
                text = text[:32767]
                if text.startswith("=") or text in ERROR_CODES:
                    cell = self.quoted[i]
                    cell.value = text
                    cell.data_type = "s"
                    row.append(cell)
                else:
                    row.append(text)
        return row


def write_workbook(sheets: Sequence[SheetSpec], out: BinaryIO, *, on_rows: Callable[[int], None] | None = None) -> None:
    """Write plain sheets (bold frozen header, widths, money `#,##0.00`) to `out`, row by row.

    `on_rows(n)` is told how many data rows are written so far, every few hundred rows and at
    the end: a background export reports its progress from it.
    """
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    written = 0
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.name)
        ws.freeze_panes = "A2"
        for i, width in enumerate(sheet.widths):
            if width:
                ws.column_dimensions[get_column_letter(i + 1)].width = width
        header = []
        for title in sheet.header:
            cell = WriteOnlyCell(ws, title)  # our own column names: never formula-like
            cell.font = bold
            header.append(cell)
        ws.append(header)
        cells = _Row(ws, sheet.money())
        for values in sheet.rows:
            ws.append(cells(values))
            written += 1
            if on_rows and written % PROGRESS_EVERY == 0:
                on_rows(written)
    if on_rows:
        on_rows(written)
    workbook.save(out)


def stream_workbook(sheets: Sequence[SheetSpec]) -> bytes:
    """An .xlsx of plain sheets (frozen header, money formatted), as bytes (API and page downloads)."""
    buffer = io.BytesIO()
    write_workbook(sheets, buffer)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """A workbook download (API and pages)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Length"] = str(len(data))
    return response


def save_openpyxl(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

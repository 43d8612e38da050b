"""Reading a tracker: workbook cells to typed rows, and every problem found on the way (ADR 0051, 0052).

Nothing here writes. It reads the reference codes a cell may name (workstreams, trusts, unit
costs) from the database, which is why it lives with the import service and not in
`benefits/excel/`, whose modules turn data into files and back without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from benefits.errors import ValidationFailed
from benefits.excel import layout
from benefits.excel.reader import Problem, UnreadableWorkbook, open_workbook, read_sheets
from benefits.finance.calendar import FinancialYear
from benefits.finance.valuation import GBP
from benefits.models import Organisation, UnitCost, Workstream

from ..common import MAX_MONEY

MAX_PROBLEMS = 1000
HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")
NUMBER_RE = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^-?\.\d+$")
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


class ImportRefused(ValidationFailed):
    """The file is refused whole; `problems` lists every reason by sheet, row and column."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(Problem(f"… and {len(problems) - MAX_PROBLEMS:,} more problems not listed. Fix these and upload again."))
        super().__init__(
            f"The file was not imported: {len(problems):,} problem{'s' if len(problems) != 1 else ''} found; nothing was saved.",
            field="file",
            details={"errors": [p.as_json() for p in shown]},
        )
        self.problems = shown


class CellError(ValueError):
    """A cell whose text cannot be read as the column asks."""


# --- reading one cell -------------------------------------------------------------------------


def text_of(value: object) -> str:
    """A cell as text; whole numbers typed in a text column lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def parse_decimal(value: object, *, places: int = 2, maximum: Decimal = MAX_MONEY) -> Decimal | None:
    """A number as Decimal from its text (floats via repr, never Decimal(float)); None for a blank cell."""
    if type(value) is float and places == 2:
        # The common case, fast: a float whose shortest text has at most two places (ADR 0051).
        text = repr(value)
        dot = text.find(".")
        if "e" not in text and text[0].isdigit() and (dot == -1 or len(text) - dot <= 3) and value <= maximum:
            return Decimal(text).quantize(TWO_PLACES)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellError(f"'{value}' is not a number")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"'{value}' is not a number")
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace("£", "", 1) if value.strip().startswith("£") else value.strip()
        if text == "":
            return None
        if not NUMBER_RE.match(text):
            raise CellError(f"'{value.strip()}' is not a number")
        number = Decimal(text.replace(",", ""))
    else:
        raise CellError(f"'{value}' is a date or time, not a number")
    if number < 0:
        raise CellError(f"'{text_of(value)}' is negative; figures cannot be below zero")
    if number != number.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        raise CellError(f"'{text_of(value)}' has more than {places} decimal places")
    if number > maximum:
        raise CellError(f"'{text_of(value)}' is too large (at most {maximum:,})")
    return number.quantize(Decimal(1).scaleb(-places))


# --- reading rows -----------------------------------------------------------------------------


@dataclass
class ParsedRow:
    sheet: str
    row: int
    fy: FinancialYear
    values: dict[str, Any]
    # ((header, period, series), quantity): the column's triple is shared by every row of its sheet,
    # so a whole tracker's 720,000 cells cost a pair and a Decimal each (memory, ADR 0058).
    cells: list[tuple[tuple[str, str, str], Decimal]]


def _lookup(enum) -> dict[str, str]:
    out = {}
    for value, label in enum.choices:
        out[value.lower()] = value
        out[label.lower()] = value
        out[value.replace("_", " ").lower()] = value
    return out


CODE_LOOKUPS = {key: _lookup(enum) for key, enum in layout.CODED.items()}
MEASURE_LOOKUP = {m.lower(): m for m in layout.MEASURE_VALUES}


class _Reader:
    """Turns the sheets' rows into ParsedRows, collecting every problem instead of stopping."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.workstreams = {code.upper(): code for code in Workstream.objects.values_list("code", flat=True)}
        self.organisations = {code.upper(): code for code in Organisation.objects.values_list("code", flat=True)}
        self.unit_costs = {code.lower(): code for code in UnitCost.objects.values_list("code", flat=True).distinct()}

    def problem(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        where = f"Row {row}, column '{column}': " if row and column else (f"Row {row}: " if row else "")
        self.problems.append(Problem(f"{where}{message}.", sheet=sheet, row=row, column=column))

    def header(self, sheet: str, fy: FinancialYear, header_row: list) -> tuple[dict[int, layout.Column], dict[int, tuple]] | None:
        fixed: dict[int, layout.Column] = {}
        months: dict[int, tuple[str, str, str]] = {}
        seen: dict[str, int] = {}
        ok = True
        for index, cell in enumerate(header_row):
            text = text_of(cell)
            if not text:
                continue
            if text.lower() in seen:
                self.problem(sheet, 1, text, "this column appears twice; keep one")
                ok = False
                continue
            seen[text.lower()] = index
            column = layout.BY_HEADER.get(text.lower())
            if column is not None:
                fixed[index] = column
                continue
            month = layout.parse_month_header(text)
            if month is None:
                self.problem(
                    sheet, 1, text, "this is not a column of the import layout (download the template to see the columns)"
                )
                ok = False
                continue
            if month[0] not in fy:
                self.problem(sheet, 1, text, f"this month is not in financial year {fy.label}, which this sheet holds")
                ok = False
                continue
            months[index] = (text, *month)
        present = {c.key for c in fixed.values()}
        for column in layout.FIXED_COLUMNS:
            if column.key not in present and column.key not in layout.OPTIONAL_KEYS:
                self.problems.append(
                    Problem(f"Sheet '{sheet}' has no column '{column.header}'; add it (see the template).", sheet=sheet, row=1)
                )
                ok = False
        return (fixed, months) if ok else None

    def code(self, sheet: str, row: int, column: layout.Column, raw: object, lookup: dict[str, str], what: str) -> str | None:
        text = text_of(raw)
        if not text:
            self.problem(sheet, row, column.header, f"a {what} is required")
            return None
        found = lookup.get(text.lower()) or lookup.get(text.upper())
        if found is None:
            choices = sorted(set(lookup.values()))
            listed = ", ".join(choices[:12]) + (" …" if len(choices) > 12 else "")
            self.problem(sheet, row, column.header, f"'{text}' is not a known {what}; use one of {listed}")
        return found

    def row(self, sheet: str, row_no: int, fy: FinancialYear, cells: list, fixed, months) -> ParsedRow | None:
        values: dict[str, Any] = {}
        before = len(self.problems)
        width = len(cells)
        for index, column in fixed.items():
            raw = cells[index] if index < width else ""
            key = column.key
            if key in ("ref", "owner"):
                values[key] = text_of(raw).upper() if key == "ref" else text_of(raw)
            elif key == "benefit_id":
                text = text_of(raw)
                if text and not text.isdigit():
                    self.problem(sheet, row_no, column.header, f"'{text}' is not a benefit id (a whole number)")
                values[key] = int(text) if text.isdigit() else None
            elif key in ("initiative_title", "title"):
                text = text_of(raw)
                if not text:
                    self.problem(sheet, row_no, column.header, "a title is required")
                elif len(text) > 200:
                    self.problem(sheet, row_no, column.header, "the title is longer than 200 characters")
                values[key] = text
            elif key == "workstream":
                values[key] = self.code(sheet, row_no, column, raw, self.workstreams, "workstream code")
            elif key in ("lead_organisation", "organisation"):
                if key == "organisation" and text_of(raw) == "":
                    values[key] = None  # defaults to the lead trust
                else:
                    values[key] = self.code(sheet, row_no, column, raw, self.organisations, "trust code")
            elif key in CODE_LOOKUPS:
                values[key] = self.code(sheet, row_no, column, raw, CODE_LOOKUPS[key], column.header.lower())
            elif key == "is_disbenefit":
                if isinstance(raw, bool):
                    values[key] = raw
                elif text_of(raw).lower() in TRUE_WORDS:
                    values[key] = True
                elif text_of(raw).lower() in FALSE_WORDS:
                    values[key] = False
                else:
                    self.problem(sheet, row_no, column.header, f"'{text_of(raw)}' is not yes or no")
            elif key == "measure":
                values[key] = GBP if text_of(raw) == "" else self.code(sheet, row_no, column, raw, MEASURE_LOOKUP, "measure")
            elif key == "unit_cost":
                text = text_of(raw)
                values[key] = "" if not text else self.code(sheet, row_no, column, raw, self.unit_costs, "unit cost code")
            elif key == "attribution_pct":
                try:
                    pct = parse_decimal(raw, maximum=HUNDRED)
                except CellError as exc:
                    self.problem(sheet, row_no, column.header, f"{exc} (give a percentage from 0 to 100)")
                    pct = None
                values[key] = HUNDRED.quantize(TWO_PLACES) if pct is None else pct
        values.setdefault("is_disbenefit", False)
        measure, unit_cost = values.get("measure"), values.get("unit_cost")
        if measure == GBP and unit_cost:
            self.problem(
                sheet, row_no, "Unit cost", "a line measured in GBP takes no unit cost; clear the cell or change the measure"
            )
        elif measure and measure != GBP and unit_cost == "":
            self.problem(sheet, row_no, "Unit cost", f"a line measured in {measure} needs a unit cost code")
        figures: list[tuple[tuple[str, str, str], Decimal]] = []
        for index, column in months.items():
            raw = cells[index] if index < width else ""
            if raw == "" or raw is None:
                continue
            try:
                quantity = parse_decimal(raw)
            except CellError as exc:
                self.problem(sheet, row_no, column[0], str(exc))
                continue
            if quantity is not None:
                figures.append((column, quantity))
        if len(self.problems) > before:
            return None
        return ParsedRow(sheet, row_no, fy, values, figures)


def read_workbook(data: bytes) -> tuple[list[ParsedRow], list[Problem]]:
    """Every row of every year sheet, parsed; the problems found on the way (all of them)."""
    problems: list[Problem] = []
    workbook = open_workbook(data)
    names = workbook.sheet_names
    year_sheets = []
    for name in names:
        if name in (layout.HOW_TO_SHEET, layout.LISTS_SHEET):
            continue
        fy = layout.fy_of_sheet(name)
        if fy is None:
            if layout.SHEET_NAME_RE.match(name.strip()):
                problems.append(Problem(f"Sheet '{name}' is not a financial year such as 2025-26.", sheet=name))
            continue
        year_sheets.append((name, fy))
    if not year_sheets:
        raise UnreadableWorkbook(
            [
                *problems,
                Problem("The workbook has no sheet named for a financial year (such as 2025-26). Use the template's layout."),
            ]
        )
    reader = _Reader(problems)
    parsed: list[ParsedRow] = []
    fys = dict(year_sheets)
    for sheet in read_sheets(workbook, [n for n, _ in year_sheets]):
        fy = fys[sheet.name]
        if not sheet.rows:
            continue
        if sheet.first_row != 1:
            problems.append(Problem(f"Sheet '{sheet.name}' must have its header in row 1.", sheet=sheet.name, row=1))
            continue
        header = reader.header(sheet.name, fy, sheet.rows[0])
        if header is None:
            continue
        fixed, months = header
        for offset, cells in enumerate(sheet.rows[1:], start=2):
            if all(c == "" or c is None for c in cells):
                continue
            row = reader.row(sheet.name, offset, fy, cells, fixed, months)
            if row is not None:
                parsed.append(row)
    return parsed, problems


def parse_errors(exc: ValidationFailed) -> list[dict]:
    """The `errors` list of a refused import (API and page share it)."""
    if isinstance(exc, ImportRefused):
        return [p.as_json() for p in exc.problems]
    return [{"sheet": None, "row": None, "column": None, "message": exc.message}]


"""Importing a CIP-style tracker (issue 8; API.md "Imports and exports"): all or nothing.

parse → validate every cell → plan of changes (created / updated / unchanged, old → new per
cell) → a dry run returns the plan; a commit re-plans inside one transaction and applies it
through the register and entry services (the rules live there once), with an ImportBatch row
and audit events that carry the importing user and the import's id. Any invalid cell refuses
the whole file with every problem listed by sheet, row and column (ADR 0052).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from benefits.errors import DomainError, Unprocessable, ValidationFailed
from benefits.excel import layout
from benefits.excel.reader import Problem, UnreadableWorkbook, open_workbook, read_sheets
from benefits.finance.calendar import FinancialYear, month_name
from benefits.finance.valuation import GBP
from benefits.models import BenefitLine, Entry, ImportBatch, Initiative, Organisation, UnitCost, User, Workstream
from benefits.models.choices import EntryStatus, Series
from benefits.policy import Action, can_on_trusts, require
from benefits.selectors.periods import latest_closed_period

from . import audit
from .common import MAX_MONEY, collector_paused, user_trust_ids
from .entries import BulkRow, bulk_upsert_entries
from .register import create_benefits, create_initiatives, update_benefit, update_initiative
from .valuation import Valuer

MAX_PROBLEMS = 1000
EXISTING_BATCH = 1000  # lines whose stored figures the planner reads at a time
MAX_CHANGES = 1000
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


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class RowRef:
    sheet: str
    row: int


@dataclass
class NewInitiative:
    key: tuple
    fields: dict[str, Any]
    organisations: set[int]
    rows: list[RowRef]


@dataclass
class NewLine:
    key: tuple
    initiative_key: tuple
    fields: dict[str, Any]


@dataclass
class Plan:
    """What a file would do. The dry-run body is `as_json()`; the rest is what commit applies."""

    rows: int = 0
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: int = 0
    changes: list[dict] = field(default_factory=list)
    changes_total: int = 0
    new_initiatives: dict[tuple, NewInitiative] = field(default_factory=dict)
    initiative_updates: list[tuple[Initiative, dict[str, Any], set[int] | None]] = field(default_factory=list)
    new_lines: dict[tuple, NewLine] = field(default_factory=dict)
    line_updates: list[tuple[BenefitLine, dict[str, Any]]] = field(default_factory=list)
    entries: list[tuple[tuple, str, str, Decimal]] = field(default_factory=list)

    def note(self, sheet: str, row: int, column: str, old: object, new: object) -> None:
        self.changes_total += 1
        if len(self.changes) < MAX_CHANGES:
            self.changes.append({"sheet": sheet, "row": row, "column": column, "old": old, "new": new})

    def counts(self) -> dict:
        keys = ("initiatives", "benefits", "entries")
        return {
            "created": {k: self.created.get(k, 0) for k in keys},
            "updated": {k: self.updated.get(k, 0) for k in keys},
            "unchanged": self.unchanged,
        }

    def as_json(self, *, dry_run: bool) -> dict:
        return {
            "dry_run": dry_run,
            **self.counts(),
            "rows": self.rows,
            "changes": self.changes,
            "changes_total": self.changes_total,
            "changes_truncated": self.changes_total > len(self.changes),
        }


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


INITIATIVE_KEYS = ("initiative_title", "workstream", "lead_organisation", "stage", "delivery_confidence")
INITIATIVE_FIELD = {"initiative_title": "title"}
LINE_KEYS = ("title", "benefit_class", "recurrence", "is_disbenefit", "organisation", "measure", "unit_cost", "attribution_pct")
HEADER_OF = {c.key: c.header for c in layout.FIXED_COLUMNS}


def _shown(value: object) -> object:
    if isinstance(value, bool):
        return layout.yes_no(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


class _Planner:
    """Compares parsed rows with the tracker (a constant number of queries) and builds the plan."""

    def __init__(self, user: User, rows: list[ParsedRow], problems: list[Problem]) -> None:
        self.user = user
        self.rows = rows
        self.problems = problems
        self.plan = Plan(rows=len(rows))
        self.changed_rows: set[tuple[str, int]] = set()

    def problem(self, row: ParsedRow | RowRef, column: str | None, message: str) -> None:
        where = f"Row {row.row}, column '{column}': " if column else f"Row {row.row}: "
        self.problems.append(Problem(f"{where}{message}.", sheet=row.sheet, row=row.row, column=column))

    def build(self) -> Plan:
        rows, plan = self.rows, self.plan
        refs = {r.values["ref"] for r in rows if r.values.get("ref")}
        ids = {r.values["benefit_id"] for r in rows if r.values.get("benefit_id")}
        initiatives = {
            i.ref: i
            for i in Initiative.objects.filter(ref__in=refs)
            .select_related("workstream", "lead_organisation")
            .prefetch_related("organisations")
        }
        lines = {b.pk: b for b in BenefitLine.objects.filter(pk__in=ids).select_related("initiative", "organisation")}
        orgs = {o.code: o for o in Organisation.objects.all()}
        org_by_id = {o.pk: o for o in orgs.values()}
        workstreams = {w.code: w for w in Workstream.objects.all()}
        my_trusts = user_trust_ids(self.user)
        latest_closed = latest_closed_period()

        # 1. group rows by initiative and by line, and check each group agrees with itself
        by_initiative: dict[tuple, list[ParsedRow]] = defaultdict(list)
        line_rows: dict[tuple, list[ParsedRow]] = defaultdict(list)
        line_initiative: dict[tuple, tuple] = {}
        for r in rows:
            v = r.values
            if v["ref"]:
                if v["ref"] not in initiatives:
                    self.problem(r, "Ref", f"there is no initiative '{v['ref']}'; leave Ref blank to create a new one")
                    continue
                ikey: tuple = ("ref", v["ref"])
            else:
                ikey = ("new", v["initiative_title"].casefold())
            if v["benefit_id"]:
                line = lines.get(v["benefit_id"])
                if line is None:
                    self.problem(
                        r, "Benefit id", f"there is no benefit line {v['benefit_id']}; leave it blank to create a new one"
                    )
                    continue
                if ikey != ("ref", line.initiative.ref):
                    self.problem(
                        r, "Benefit id", f"benefit line {line.pk} belongs to {line.initiative.ref}; put that in column 'Ref'"
                    )
                    continue
                lkey: tuple = ("id", line.pk)
            else:
                lkey = ("new", ikey, v["title"].casefold())
            same_sheet = [o for o in line_rows[lkey] if o.sheet == r.sheet]
            if same_sheet:
                what = f"benefit line {lkey[1]}" if lkey[0] == "id" else f"the new benefit line '{v['title']}'"
                self.problem(r, None, f"duplicates row {same_sheet[0].row} ({what} appears twice in this sheet); keep one row")
                continue
            line_rows[lkey].append(r)
            line_initiative[lkey] = ikey
            by_initiative[ikey].append(r)
        self._agree(by_initiative, INITIATIVE_KEYS, "initiative")
        self._agree(line_rows, LINE_KEYS, "benefit line")
        if self.problems:
            return plan

        # 2. initiatives: created or changed, and the trusts each will involve
        line_trusts: dict[tuple, set[int]] = defaultdict(set)
        for lkey, group in line_rows.items():
            v = group[0].values
            org_code = v["organisation"] or v["lead_organisation"]
            line_trusts[line_initiative[lkey]].add(orgs[org_code].pk)
        touched: dict[tuple, bool] = defaultdict(bool)
        trusts_before: dict[tuple, set[int]] = {}
        for ikey, group in by_initiative.items():
            first = group[0]
            v = first.values
            lead = orgs[v["lead_organisation"]]
            wanted = {
                "title": v["initiative_title"],
                "workstream": v["workstream"],
                "lead_organisation": v["lead_organisation"],
                "stage": v["stage"],
                "delivery_confidence": v["delivery_confidence"],
            }
            if ikey[0] == "new":
                trusts = {lead.pk} | line_trusts[ikey]
                trusts_before[ikey] = trusts
                plan.new_initiatives[ikey] = NewInitiative(
                    key=ikey,
                    fields={
                        "title": wanted["title"],
                        "workstream": workstreams[wanted["workstream"]],
                        "lead_organisation": lead,
                        "stage": wanted["stage"],
                        "delivery_confidence": wanted["delivery_confidence"],
                    },
                    organisations=trusts,
                    rows=[RowRef(r.sheet, r.row) for r in group],
                )
                plan.created["initiatives"] += 1
                plan.note(first.sheet, first.row, "Ref", None, f"(new) {wanted['title']}")
                self.changed_rows.update((r.sheet, r.row) for r in group)
                touched[ikey] = True
                continue
            initiative = initiatives[ikey[1]]
            current_trusts = {o.pk for o in initiative.organisations.all()}
            trusts_before[ikey] = current_trusts
            current = {
                "title": initiative.title,
                "workstream": initiative.workstream.code,
                "lead_organisation": initiative.lead_organisation.code,
                "stage": initiative.stage,
                "delivery_confidence": initiative.delivery_confidence,
            }
            changes: dict[str, Any] = {}
            for name, new in wanted.items():
                if current[name] != new:
                    header = HEADER_OF["initiative_title" if name == "title" else name]
                    plan.note(first.sheet, first.row, header, current[name], new)
                    changes[name] = (
                        workstreams[new] if name == "workstream" else orgs[new] if name == "lead_organisation" else new
                    )
            new_trusts = current_trusts | {lead.pk} | line_trusts[ikey]
            if changes or new_trusts != current_trusts:
                plan.initiative_updates.append((initiative, changes, new_trusts if new_trusts != current_trusts else None))
                plan.updated["initiatives"] += 1
                self.changed_rows.add((first.sheet, first.row))
                touched[ikey] = True

        # 3. lines: created or changed
        for lkey, group in line_rows.items():
            first = group[0]
            v = first.values
            ikey = line_initiative[lkey]
            org_code = v["organisation"] or v["lead_organisation"]
            wanted = {
                "title": v["title"],
                "benefit_class": v["benefit_class"],
                "recurrence": v["recurrence"],
                "is_disbenefit": v["is_disbenefit"],
                "organisation": org_code,
                "measure": v["measure"],
                "unit_cost": v["unit_cost"],
                "attribution_pct": v["attribution_pct"],
            }
            if lkey[0] == "new":
                plan.new_lines[lkey] = NewLine(key=lkey, initiative_key=ikey, fields={**wanted, "organisation": orgs[org_code]})
                plan.created["benefits"] += 1
                plan.note(first.sheet, first.row, "Benefit id", None, f"(new) {wanted['title']}")
                self.changed_rows.update((r.sheet, r.row) for r in group)
                touched[ikey] = True
                continue
            line = lines[lkey[1]]
            current = {
                "title": line.title,
                "benefit_class": line.benefit_class,
                "recurrence": line.recurrence,
                "is_disbenefit": line.is_disbenefit,
                "organisation": line.organisation.code,
                "measure": line.measure,
                "unit_cost": line.unit_cost,
                "attribution_pct": line.attribution_pct,
            }
            changes = {}
            for name, new in wanted.items():
                if current[name] != new:
                    plan.note(first.sheet, first.row, HEADER_OF[name], _shown(current[name]), _shown(new))
                    changes[name] = orgs[new] if name == "organisation" else new
            if changes:
                plan.line_updates.append((line, changes))
                plan.updated["benefits"] += 1
                self.changed_rows.add((first.sheet, first.row))
                touched[ikey] = True

        # 4. entries: created or changed; closed months, settled actuals and valuation checked per cell
        existing: dict[tuple[int, str, str], tuple[Decimal, str | None]] = {}
        periods = {column[1] for r in rows for column, _ in r.cells}
        valuer = Valuer({(g[0].values["unit_cost"] or "") for g in line_rows.values()})
        line_keys = list(line_rows)
        for n, (lkey, group) in enumerate(line_rows.items()):
            if n % EXISTING_BATCH == 0:
                # The stored figures of the next batch of lines only: a whole tracker already in
                # holds 720,000 of them, too many to hold at once (memory, ADR 0058).
                batch = [k[1] for k in line_keys[n : n + EXISTING_BATCH] if k[0] == "id"]
                existing = {
                    (benefit_id, period, series): (quantity, status)
                    for benefit_id, period, series, quantity, status in Entry.objects.filter(
                        benefit_id__in=batch, period__in=periods
                    ).values_list("benefit_id", "period", "series", "quantity", "status")
                } if batch and periods else {}
            ikey = line_initiative[lkey]
            v = group[0].values
            probe = BenefitLine(
                measure=v["measure"],
                unit_cost=v["unit_cost"],
                attribution_pct=v["attribution_pct"],
                is_disbenefit=v["is_disbenefit"],
            )
            line_id = lkey[1] if lkey[0] == "id" else None
            for r in group:
                for (header, period, series), quantity in r.cells:
                    old = existing.get((line_id, period, series)) if line_id else None
                    if old is not None and old[0] == quantity:
                        continue
                    if latest_closed is not None and period <= latest_closed:
                        was = f"the tracker has {old[0]:.2f}" if old else "the tracker has nothing"
                        self.problem(
                            r,
                            header,
                            f"{month_name(period)} is closed, so its figures cannot change (the file has {quantity:.2f}, {was}); "
                            "ask finance to reopen the month if a correction is needed",
                        )
                        continue
                    if old is not None and series == Series.ACTUAL and old[1] != EntryStatus.DRAFT:
                        self.problem(
                            r,
                            header,
                            f"this actual is already {old[1]} at {old[0]:.2f}, so it cannot change to {quantity:.2f}"
                            + ("; ask finance to send it back first" if old[1] == EntryStatus.SUBMITTED else ""),
                        )
                        continue
                    try:
                        if probe.measure != GBP:  # GBP lines always have a value; others need a unit cost in force
                            valuer.value(probe, period, quantity)
                    except Unprocessable:
                        self.problem(
                            r,
                            header,
                            f"unit cost '{v['unit_cost']}' has no version in force for {month_name(period)}, so this figure "
                            "cannot be valued; ask finance to add one",
                        )
                        continue
                    plan.entries.append((lkey, period, series, quantity))
                    plan.note(r.sheet, r.row, header, f"{old[0]:.2f}" if old else None, f"{quantity:.2f}")
                    (plan.updated if old else plan.created)["entries"] += 1
                    self.changed_rows.add((r.sheet, r.row))
                    touched[ikey] = True

        # 5. the user must be allowed to write every initiative the file changes (refused whole otherwise)
        for ikey, group in by_initiative.items():
            if not touched[ikey]:
                continue
            if not can_on_trusts(self.user, Action.EDIT_REGISTER, trusts_before[ikey], my_trusts):
                name = ikey[1] if ikey[0] == "ref" else f"the new initiative '{group[0].values['initiative_title']}'"
                trusts = ", ".join(sorted(org_by_id[t].code for t in trusts_before[ikey]))
                for r in group:
                    self.problem(
                        r,
                        "Ref" if ikey[0] == "ref" else "Lead trust",
                        f"you may not change {name}: it involves only {trusts}, none of your trusts",
                    )

        plan.unchanged = sum(1 for r in rows if (r.sheet, r.row) not in self.changed_rows)
        return plan

    def _agree(self, groups: dict[tuple, list[ParsedRow]], keys: tuple[str, ...], what: str) -> None:
        """Rows of one initiative (or one line, across sheets) must carry the same values."""
        for group in groups.values():
            first = group[0]
            for other in group[1:]:
                for key in keys:
                    a, b = first.values.get(key), other.values.get(key)
                    if key == "organisation":
                        a = a or first.values.get("lead_organisation")
                        b = b or other.values.get("lead_organisation")
                    if a != b:
                        self.problem(
                            other,
                            HEADER_OF[key],
                            f"'{_shown(b)}' differs from '{_shown(a)}' in row {first.row} of sheet '{first.sheet}', "
                            f"which is the same {what}; give every row of a {what} the same value",
                        )


def plan_import(*, user: User, data: bytes) -> Plan:
    """Read and check the whole file, and say what it would change; writes nothing."""
    require(user, Action.EDIT_REGISTER, what="import trackers")
    try:
        rows, problems = read_workbook(data)
    except UnreadableWorkbook as exc:
        raise ImportRefused(exc.problems) from None
    if problems:
        raise ImportRefused(problems)
    planner = _Planner(user, rows, problems)
    plan = planner.build()
    if problems:
        raise ImportRefused(problems)
    return plan


@dataclass
class ImportResult:
    plan: Plan
    batch: ImportBatch | None
    already_imported: ImportBatch | None = None

    def as_json(self, *, dry_run: bool) -> dict:
        body = self.plan.as_json(dry_run=dry_run)
        if self.batch is not None:
            body["id"] = self.batch.pk
        if self.already_imported is not None:
            body["already_imported"] = self.already_imported.pk
            body.setdefault("id", self.already_imported.pk)
        return body


def _already_imported(sha256: str) -> ImportBatch | None:
    return ImportBatch.objects.filter(sha256=sha256).order_by("-created_at", "-id").first()


def _nothing(plan_rows: int) -> Plan:
    return Plan(rows=plan_rows, unchanged=plan_rows)


def import_workbook(*, user: User, data: bytes, filename: str, dry_run: bool = True) -> ImportResult:
    """Dry run (default) or commit. Re-importing a file already committed changes nothing (ADR 0053)."""
    sha256 = hashlib.sha256(data).hexdigest()
    require(user, Action.EDIT_REGISTER, what="import trackers")
    earlier = _already_imported(sha256)
    if earlier is not None:
        return ImportResult(plan=_nothing(int(earlier.counts.get("rows", 0))), batch=None, already_imported=earlier)
    if dry_run:
        with collector_paused():
            plan = plan_import(user=user, data=data)
        plan.entries = []  # a dry run reports counts and changes; its 720,000 planned cells can go
        return ImportResult(plan=plan, batch=None)
    with collector_paused(), transaction.atomic():
        # Plan inside the transaction, so the commit applies exactly what is true now.
        plan = plan_import(user=user, data=data)
        batch = ImportBatch.objects.create(filename=(filename or "upload.xlsx")[:255], sha256=sha256, created_by=user)
        try:
            _apply(user, plan, batch)
        except DomainError as exc:
            if isinstance(exc, ImportRefused):
                raise
            raise ImportRefused([Problem(f"The file was not imported: {exc.message}")]) from None
        batch.counts = {**plan.counts(), "rows": plan.rows}
        batch.save(update_fields=["counts"])
        audit.record(
            user=user,
            action="benefits.import.committed",
            object_type="import",
            object_id=batch.pk,
            changes={"filename": [None, batch.filename], "sha256": [None, sha256], "counts": [None, batch.counts]},
            import_batch=batch,
        )
    return ImportResult(plan=plan, batch=batch)


def _apply(user: User, plan: Plan, batch: ImportBatch) -> None:
    """Write the plan through the services, in the caller's transaction."""
    new_initiatives = list(plan.new_initiatives.values())
    orgs = {o.pk: o for o in Organisation.objects.all()}
    created = create_initiatives(
        user=user,
        items=[(n.fields, [orgs[t] for t in sorted(n.organisations)]) for n in new_initiatives],
        import_batch=batch,
    )
    initiative_by_key: dict[tuple, Initiative] = {n.key: i for n, i in zip(new_initiatives, created, strict=True)}
    for initiative, changes, organisations in plan.initiative_updates:
        updated = update_initiative(
            user=user,
            initiative=initiative,
            changes=changes,
            organisations=[orgs[t] for t in organisations] if organisations is not None else None,
            import_batch=batch,
        )
        initiative_by_key[("ref", updated.ref)] = updated
    for line, changes in plan.line_updates:
        update_benefit(user=user, benefit=line, changes=changes, import_batch=batch)
    new_lines = list(plan.new_lines.values())
    missing = {n.initiative_key for n in new_lines if n.initiative_key not in initiative_by_key}
    if missing:
        for i in Initiative.objects.filter(ref__in=[k[1] for k in missing]):
            initiative_by_key[("ref", i.ref)] = i
    made = create_benefits(
        user=user, items=[(initiative_by_key[n.initiative_key], n.fields) for n in new_lines], import_batch=batch
    )
    line_ids: dict[tuple, int] = {n.key: line.pk for n, line in zip(new_lines, made, strict=True)}
    if plan.entries:
        # Each planned cell becomes its service row in place: a whole tracker is 720,000 of them,
        # and two lists of that size at once were the import's peak memory (ADR 0058).
        rows: list = plan.entries
        plan.entries = []
        for n, (lkey, period, series, quantity) in enumerate(rows):
            rows[n] = BulkRow(line_ids[lkey] if lkey[0] == "new" else lkey[1], period, series, quantity)
        bulk_upsert_entries(user=user, rows=rows, import_batch=batch, max_rows=None)


def parse_errors(exc: ValidationFailed) -> list[dict]:
    """The `errors` list of a refused import (API and page share it)."""
    if isinstance(exc, ImportRefused):
        return [p.as_json() for p in exc.problems]
    return [{"sheet": None, "row": None, "column": None, "message": exc.message}]


__all__ = [
    "ImportRefused",
    "ImportResult",
    "Plan",
    "import_workbook",
    "parse_decimal",
    "plan_import",
]

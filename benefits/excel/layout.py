"""The one workbook layout (issue 8, API.md "Imports and exports").

One sheet per financial year named `2025-26`; a frozen header row; one row per benefit line
with its initiative's fields and its own, then one column per month and series
(`Apr 2025 plan`, `Apr 2025 forecast`, `Apr 2025 actual`). The template, the export and the
import all read these names from here, so a file exported today imports unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from benefits.finance.calendar import MONTH_NAMES, FinancialYear, short_month_name
from benefits.models.choices import MEASURES, BenefitClass, Confidence, Recurrence, Series, Stage

MONEY_FORMAT = "#,##0.00"
SHEET_NAME_RE = re.compile(r"^(\d{4})-(\d{2})$")
HOW_TO_SHEET = "How to fill this in"
LISTS_SHEET = "Lists"
SERIES = (Series.PLAN.value, Series.FORECAST.value, Series.ACTUAL.value)
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Column:
    key: str  # the field it carries
    header: str  # what the header cell says
    level: str  # "initiative" or "benefit"
    width: int = 14
    note: str = ""


INITIATIVE_COLUMNS = (
    Column("ref", "Ref", "initiative", 10, "Blank for a new initiative; rows of one new initiative share its title."),
    Column("initiative_title", "Initiative title", "initiative", 36),
    Column("workstream", "Workstream", "initiative", 12, "A workstream code from the Lists sheet."),
    Column("lead_organisation", "Lead trust", "initiative", 10, "RYE or RYD."),
    Column("stage", "Stage", "initiative", 14),
    Column("delivery_confidence", "Delivery confidence", "initiative", 14),
    Column("owner", "Owner", "initiative", 14, "For information: owners are set in the register, not by import."),
)
BENEFIT_COLUMNS = (
    Column("benefit_id", "Benefit id", "benefit", 10, "Blank for a new benefit line."),
    Column("title", "Benefit title", "benefit", 32),
    Column("benefit_class", "Class", "benefit", 13),
    Column("recurrence", "Recurrence", "benefit", 13),
    Column("is_disbenefit", "Dis-benefit", "benefit", 10, "yes or no."),
    Column("organisation", "Trust", "benefit", 8, "The trust the benefit accrues to."),
    Column("measure", "Measure", "benefit", 12),
    Column("unit_cost", "Unit cost", "benefit", 18, "A unit cost code; blank when the measure is GBP."),
    Column("attribution_pct", "Attribution %", "benefit", 11, "0 to 100; blank means 100."),
)
FIXED_COLUMNS = INITIATIVE_COLUMNS + BENEFIT_COLUMNS
OPTIONAL_KEYS = frozenset({"owner"})
BY_HEADER = {c.header.lower(): c for c in FIXED_COLUMNS}

# Coded fields and their allowed values (the drop-downs; the import accepts code or label).
CODED = {
    "stage": Stage,
    "delivery_confidence": Confidence,
    "benefit_class": BenefitClass,
    "recurrence": Recurrence,
}
MEASURE_VALUES = tuple(MEASURES)
_MONTH_ABBR = {name[:3].lower(): i + 1 for i, name in enumerate(MONTH_NAMES)}
MONTH_HEADER_RE = re.compile(r"^\s*([A-Za-z]{3})\s+(\d{4})\s+(plan|forecast|actual)\s*$", re.IGNORECASE)


def sheet_name(fy: FinancialYear) -> str:
    return fy.sheet_name


def fy_of_sheet(name: str) -> FinancialYear | None:
    """`2025-26` → FinancialYear(2025); None for any other sheet name."""
    match = SHEET_NAME_RE.match(name.strip())
    if not match:
        return None
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)) or not 2000 <= start <= 2099:
        return None
    return FinancialYear(start)


def month_header(period: str, series: str) -> str:
    return f"{short_month_name(period)} {series}"


def month_columns(fy: FinancialYear) -> list[tuple[str, str, str]]:
    """(header, period, series) for every month of the year, in order: Apr plan, Apr forecast, Apr actual, May…"""
    return [(month_header(p, s), p, s) for p in fy.periods for s in SERIES]


def headers(fy: FinancialYear) -> list[str]:
    return [c.header for c in FIXED_COLUMNS] + [h for h, _, _ in month_columns(fy)]


def parse_month_header(text: str) -> tuple[str, str] | None:
    """`Apr 2025 plan` → ("2025-04", "plan"); None if the text is not a month column."""
    match = MONTH_HEADER_RE.match(text)
    if not match:
        return None
    month = _MONTH_ABBR.get(match.group(1).lower())
    if month is None:
        return None
    return f"{int(match.group(2)):04d}-{month:02d}", match.group(3).lower()


def yes_no(value: bool) -> str:
    return YES if value else NO

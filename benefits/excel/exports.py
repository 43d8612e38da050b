"""The register and rollup exports as workbooks, from the data the selectors read.

The register in the import layout (one sheet per financial year, one row per benefit line, ADR
0050), so an export imports unchanged; every rollup grouping on a sheet of its own, with the figures
of `rollups/` to the penny.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from benefits.finance.calendar import FinancialYear

from . import layout
from .writer import SheetSpec, stream_workbook

if TYPE_CHECKING:  # the shapes of the data handed in; a format never reads the database itself
    from benefits.selectors.exports import RegisterExport
    from benefits.selectors.rollups import Figures, Rollup

FIGURE_HEADERS = {
    "plan_ytd": "Plan YTD",
    "actual_ytd": "Actual YTD (validated)",
    "unvalidated_ytd": "Unvalidated YTD",
    "variance_ytd": "Variance YTD",
    "plan_fy": "Plan FY",
    "forecast_fy": "Forecast FY",
    "risk_adjusted_fy": "Risk-adjusted FY",
    "fye": "Full-year effect",
    "pipeline_fy": "Pipeline FY",
}
GROUPING_SHEETS = {
    "none": "Total",
    "organisation": "By trust",
    "workstream": "By workstream",
    "benefit_class": "By benefit class",
    "stage": "By stage",
    "delivery_confidence": "By delivery confidence",
}


def register_rows(export: RegisterExport, fy: FinancialYear) -> Iterator[list[object]]:
    """One row per benefit line: its initiative and line columns, then its quantities month by month."""
    months = layout.month_columns(fy)
    get = export.quantities.get
    for line in export.lines:
        pk = line.pk
        fixed = [
            line.ref,
            line.initiative_title,
            line.workstream,
            line.lead_organisation,
            line.stage,
            line.delivery_confidence,
            line.owner or "",
            pk,
            line.title,
            line.benefit_class,
            line.recurrence,
            layout.yes_no(line.is_disbenefit),
            line.organisation,
            line.measure,
            line.unit_cost or "",
            line.attribution_pct,
        ]
        yield fixed + [get((pk, period, series)) for _, period, series in months]


def register_sheets(export: RegisterExport) -> list[SheetSpec]:
    """The register in the import layout: one sheet per year, one row per line (ADR 0050)."""
    widths = [c.width for c in layout.FIXED_COLUMNS]
    sheets = []
    for fy in export.fys:
        header = layout.headers(fy)
        sheets.append(
            SheetSpec(
                name=layout.sheet_name(fy),
                header=header,
                rows=register_rows(export, fy),
                widths=widths + [11] * (len(header) - len(widths)),
                money_from=len(layout.FIXED_COLUMNS),
                money_columns=frozenset({len(layout.FIXED_COLUMNS) - 1}),
            )
        )
    return sheets


def register_workbook(export: RegisterExport) -> bytes:
    """The register as an xlsx, built in the request (large ones from the page are jobs: services.exports)."""
    return stream_workbook(register_sheets(export))


def rollup_sheets(rollups: Mapping[str, Rollup], *, fy: FinancialYear, as_at: str) -> list[SheetSpec]:
    """Every grouping on its own sheet, with the total as the last row."""
    names = list(FIGURE_HEADERS)
    sheets = []
    for grouping, sheet_name in GROUPING_SHEETS.items():
        rollup = rollups[grouping]
        rows: list[list[object]] = [[r.key, r.label, *_figures(r.figures, names)] for r in rollup.rows]
        rows.append(["total", f"Total, {fy.label} as at {as_at}", *_figures(rollup.total, names)])
        sheets.append(
            SheetSpec(
                name=sheet_name,
                header=["Key", "Name", *FIGURE_HEADERS.values()],
                rows=rows,
                widths=[16, 36, *([18] * len(names))],
                money_from=2,
            )
        )
    return sheets


def _figures(figures: Figures, names: list[str]) -> list[Decimal]:
    return [getattr(figures, n).quantize(Decimal("0.01")) for n in names]


def rollup_workbook(rollups: Mapping[str, Rollup], *, fy: FinancialYear, as_at: str) -> bytes:
    return stream_workbook(rollup_sheets(rollups, fy=fy, as_at=as_at))

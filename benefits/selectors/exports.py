"""Reads behind the Excel exports: the register with its profiles, and every rollup grouping.

Both use the same doors as the pages and the API: initiatives through `for_user(user, VIEW)`
(filtered by the caller, as the register is), rollups through `compute_all_rollups`, so a
figure in a workbook is the figure on the screen. Queries are constant: three for the register
whatever its size, one for the rollups.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from benefits.excel import layout
from benefits.excel.writer import SheetSpec, stream_workbook
from benefits.finance.calendar import FinancialYear, format_period
from benefits.models import BenefitLine, Entry, Initiative, User
from benefits.policy import Action

from .rollups import GROUPINGS, Figures, compute_all_rollups

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
LINE_FIELDS = (
    "pk",
    "initiative__ref",
    "initiative__title",
    "initiative__workstream__code",
    "initiative__lead_organisation__code",
    "initiative__stage",
    "initiative__delivery_confidence",
    "initiative__owner__username",
    "title",
    "benefit_class",
    "recurrence",
    "is_disbenefit",
    "organisation__code",
    "measure",
    "unit_cost",
    "attribution_pct",
)


def visible_initiatives(user: User) -> QuerySet[Initiative]:
    """The register as the user may read it (the pages' and the API's door)."""
    return Initiative.objects.for_user(user, Action.VIEW)


@dataclass(frozen=True)
class RegisterExport:
    fys: tuple[FinancialYear, ...]
    lines: tuple[tuple, ...]
    quantities: dict[tuple[int, str, str], Decimal]

    def sheet_rows(self, fy: FinancialYear) -> Iterator[list[object]]:
        months = layout.month_columns(fy)
        get = self.quantities.get
        for line in self.lines:
            pk = line[0]
            fixed = [
                line[1],
                line[2],
                line[3],
                line[4],
                line[5],
                line[6],
                line[7] or "",
                pk,
                line[8],
                line[9],
                line[10],
                layout.yes_no(line[11]),
                line[12],
                line[13],
                line[14] or "",
                line[15],
            ]
            yield fixed + [get((pk, period, series)) for _, period, series in months]


def register_export(*, initiatives: QuerySet[Initiative], fy: FinancialYear | None = None) -> RegisterExport:
    """Every benefit line of these initiatives with its entries, for one year or every year that has figures."""
    lines_qs = BenefitLine.objects.filter(initiative__in=initiatives.values("pk"))
    lines = tuple(lines_qs.order_by("initiative__ref", "pk").values_list(*LINE_FIELDS))
    entries = Entry.objects.filter(benefit__in=lines_qs.values("pk"))
    if fy is not None:
        fys: tuple[FinancialYear, ...] = (fy,)
        entries = entries.filter(period__gte=fy.first, period__lte=fy.last)
    quantities: dict[tuple[int, str, str], Decimal] = {}
    years: set[int] = set()
    for benefit_id, period, series, quantity in entries.values_list("benefit_id", "period", "series", "quantity").order_by():
        quantities[(benefit_id, period, series)] = quantity
        years.add(int(period[:4]) - (1 if period[5:7] < "04" else 0))
    if fy is None:
        now = timezone.localdate()
        fys = tuple(FinancialYear(y) for y in sorted(years)) or (FinancialYear.of(format_period(now.year, now.month)),)
    return RegisterExport(fys=fys, lines=lines, quantities=quantities)


def register_line_count(initiatives: QuerySet[Initiative]) -> int:
    """How many benefit lines (rows per year sheet) an export of these initiatives holds."""
    return BenefitLine.objects.filter(initiative__in=initiatives.values("pk")).count()


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
                rows=export.sheet_rows(fy),
                widths=widths + [11] * (len(header) - len(widths)),
                money_from=len(layout.FIXED_COLUMNS),
                money_columns=frozenset({len(layout.FIXED_COLUMNS) - 1}),
            )
        )
    return sheets


def register_workbook(export: RegisterExport) -> bytes:
    """The register as an xlsx, built in the request (ADR 0055; large ones go to services.exports)."""
    return stream_workbook(register_sheets(export))


def rollup_sheets(*, fy: FinancialYear, as_at: str) -> list[SheetSpec]:
    """Every grouping of compute_all_rollups on its own sheet, with the total as the last row."""
    rollups = compute_all_rollups(fy=fy, as_at=as_at)
    names = list(FIGURE_HEADERS)
    sheets = []
    for grouping in ("none", *GROUPINGS):
        rollup = rollups[grouping]
        rows: list[list[object]] = [[r.key, r.label, *_figures(r.figures, names)] for r in rollup.rows]
        rows.append(["total", f"Total, {fy.label} as at {as_at}", *_figures(rollup.total, names)])
        sheets.append(
            SheetSpec(
                name=GROUPING_SHEETS[grouping],
                header=["Key", "Name", *FIGURE_HEADERS.values()],
                rows=rows,
                widths=[16, 36, *([18] * len(names))],
                money_from=2,
            )
        )
    return sheets


def _figures(figures: Figures, names: list[str]) -> list[Decimal]:
    return [getattr(figures, n).quantize(Decimal("0.01")) for n in names]


def rollup_workbook(*, fy: FinancialYear, as_at: str) -> bytes:
    return stream_workbook(rollup_sheets(fy=fy, as_at=as_at))

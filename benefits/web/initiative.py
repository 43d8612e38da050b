"""The initiative page: its details, its totals for a year, and each benefit line's month grid.

The view reads through selectors (the initiative, its trusts, lines, entries in the year and the
closed months) and the presenters below only format. Whether a cell may be typed in is the one
rule of services.common (`entry_change_refusal`), asked for the cell's stored status; saving the
cells is web/grid.py, registering and changing initiatives and lines web/initiative_forms.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse

from benefits.errors import NotAllowed, NotFound
from benefits.finance.calendar import FinancialYear, month_name, short_month_name
from benefits.finance.rounding import pounds_pence
from benefits.models.choices import BenefitClass, Confidence, EntryStatus, ImpactStatus, Recurrence, Series, Stage
from benefits.selectors.ledger import YearEntries, YearSums, initiative_lines, initiative_year_entries, year_sums
from benefits.selectors.periods import ClosedMonths, closed_months
from benefits.selectors.register import initiative_trusts, visible_initiative, visible_line
from benefits.services.common import entry_change_refusal, register_write_refusal

from .http import page_view, render_page
from .layout import CONFIDENCE_TAG, financial_year, fy_options, label_of

if TYPE_CHECKING:
    from benefits.models import BenefitLine, Entry, Initiative, Organisation, User

ZERO = Decimal("0.00")
STATUS_TAG = {"draft": "nhsuk-tag--grey", "submitted": "nhsuk-tag--blue", "validated": "nhsuk-tag--green", "sent_back": "nhsuk-tag--orange"}
STATUS_LABEL = {"draft": "Draft", "submitted": "Submitted", "validated": "Validated", "sent_back": "Sent back"}
SERIES = (Series.PLAN, Series.FORECAST, Series.ACTUAL)


def find_initiative(user: User, ref: str) -> Initiative:
    found = visible_initiative(user, ref)
    if found is None:
        raise NotFound(f"There is no initiative {ref[:20]}. Check the reference, or find it in the register.")
    return found


def find_line(user: User, line_id: int) -> BenefitLine:
    found = visible_line(user, line_id)
    if found is None:
        raise NotFound(f"There is no benefit line {line_id}.")
    return found


def write_refusal(user: User, initiative: Initiative, trusts: list[Organisation]) -> NotAllowed | None:
    """Why the page offers no changes to this initiative (the services' own rule, asked with the trusts read)."""
    return register_write_refusal(user, initiative, {o.pk for o in trusts})


# --- the month grid: cells, rows, a line -------------------------------------------------------


@dataclass
class Cell:
    line_id: int
    series: str
    period: str
    month: str
    quantity: str
    version: str
    value: str
    status: str = ""
    status_label: str = ""
    status_tag: str = ""
    reason: str = ""
    editable: bool = False
    error: str = ""
    notice: str = ""
    history_href: str = ""  # the entry's History page; blank while the month has no entry

    @property
    def name(self) -> str:
        return f"q-{self.series}-{self.period}"

    @property
    def version_name(self) -> str:
        return f"v-{self.series}-{self.period}"

    @property
    def id(self) -> str:
        return f"q-{self.line_id}-{self.series}-{self.period}"

    @property
    def cell_id(self) -> str:
        return f"cell-{self.line_id}-{self.series}-{self.period}"

    @property
    def history_text(self) -> str:
        """What the cell's History link names for screen readers: `of the May 2025 forecast`."""
        return f"of the {month_name(self.period)} {self.series}"


@dataclass
class GridRow:
    line_id: int
    series: str
    label: str
    cells: list[Cell]
    total_quantity: str
    total_value: str

    @property
    def total_id(self) -> str:
        return f"total-{self.line_id}-{self.series}"


@dataclass
class LineGrid:
    id: int
    title: str
    details: list[tuple[str, str]]
    measure: str
    is_money: bool
    rows: list[GridRow]
    editable: bool
    draft_actuals: int
    months: list[dict]
    history_href: str
    fy: str


@dataclass
class YearTotals:
    initiative_ref: str
    fy: str
    plan: str
    forecast: str
    actual: str
    validated: str


def _qty(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _money(value: Decimal | None) -> str:
    return "" if value is None else pounds_pence(value)


def make_cell(line: BenefitLine, series: str, period: str, entry: Entry | None, *, editable_line: bool, closed: ClosedMonths,
              reasons: dict[int, str]) -> Cell:
    status = entry.status if entry is not None and series == Series.ACTUAL else ""
    shown, reason = status, ""
    if entry is not None and status == EntryStatus.DRAFT and entry.pk in reasons:
        shown, reason = "sent_back", reasons[entry.pk]
    refusal = entry_change_refusal(period=period, series=series, status=entry.status if entry is not None else None, closed=closed)
    return Cell(
        line_id=line.pk,
        series=series,
        period=period,
        month=short_month_name(period),
        quantity=_qty(entry.quantity) if entry else "",
        version=str(entry.version) if entry else "",
        value=_money(entry.value_gbp) if entry else "",
        status=shown,
        status_label=STATUS_LABEL.get(shown, ""),
        status_tag=STATUS_TAG.get(shown, ""),
        reason=reason,
        editable=editable_line and refusal is None,
        history_href=reverse("web:history", args=["entry", entry.pk]) if entry is not None else "",
    )


def grid_row(*, line: BenefitLine, series: str, fy: FinancialYear, ledger: YearEntries, editable: bool, closed: ClosedMonths) -> GridRow:
    """One series of a line over the year, with its totals (the htmx cell response swaps it in place)."""
    found = [ledger.by_cell[(line.pk, p, series)] for p in fy.periods if (line.pk, p, series) in ledger.by_cell]
    return GridRow(
        line_id=line.pk,
        series=series,
        label=label_of(Series, series),
        cells=[
            make_cell(line, series, p, ledger.by_cell.get((line.pk, p, series)), editable_line=editable, closed=closed,
                      reasons=ledger.sent_back)
            for p in fy.periods
        ],
        total_quantity=_qty(sum((e.quantity for e in found), ZERO)),
        total_value=pounds_pence(sum((e.value_gbp for e in found), ZERO)),
    )


def line_grid(line: BenefitLine, fy: FinancialYear, ledger: YearEntries, *, editable: bool, closed: ClosedMonths) -> LineGrid:
    rows = [grid_row(line=line, series=s, fy=fy, ledger=ledger, editable=editable, closed=closed) for s in SERIES]
    drafts = sum(1 for c in rows[2].cells if c.status in ("draft", "sent_back") and c.period not in closed)
    measure = "£ (GBP)" if line.measure == "GBP" else f"{line.measure.replace('_', ' ')} at unit cost {line.unit_cost}"
    return LineGrid(
        id=line.pk,
        title=line.title,
        details=[
            ("Class", label_of(BenefitClass, line.benefit_class) + (" dis-benefit" if line.is_disbenefit else "")),
            ("Recurrence", label_of(Recurrence, line.recurrence)),
            ("Trust", line.organisation.code),
            ("Measure", measure),
            ("Attribution", f"{line.attribution_pct:.2f}%"),
        ],
        measure=line.measure,
        is_money=line.measure == "GBP",
        rows=rows,
        editable=editable,
        draft_actuals=drafts,
        months=[{"period": p, "name": short_month_name(p), "long": month_name(p)} for p in fy.periods],
        history_href=reverse("web:history", args=["benefit", line.pk]),
        fy=fy.label,
    )


def year_totals(initiative: Initiative, fy: FinancialYear, sums: YearSums) -> YearTotals:
    """The initiative's totals over the year by series, in pounds and pence."""
    return YearTotals(
        initiative_ref=initiative.ref,
        fy=fy.label,
        plan=pounds_pence(sums.plan),
        forecast=pounds_pence(sums.forecast),
        actual=pounds_pence(sums.actual),
        validated=pounds_pence(sums.validated),
    )


# --- the page ----------------------------------------------------------------------------------


@dataclass
class InitiativePage:
    ref: str
    title: str
    summary: list[tuple[str, str]]
    description: str
    confidence: str
    confidence_tag: str
    can_edit: bool
    fy: str
    fy_choices: list[dict]
    lines: list[LineGrid]
    totals: YearTotals
    edit_href: str
    add_line_href: str
    history_href: str
    latest_closed: str | None
    latest_closed_name: str


def _date(value) -> str:
    return value.strftime("%-d %B %Y") if value else "Not set"


def initiative_page(*, initiative: Initiative, trusts: list[Organisation], lines: list[BenefitLine], fy: FinancialYear,
                    ledger: YearEntries, sums: YearSums, closed: ClosedMonths, editable: bool) -> InitiativePage:
    """Details, and each line's grid for the year."""
    i = initiative
    summary = [
        ("Workstream", i.workstream.name),
        ("Lead trust", i.lead_organisation.name),
        ("Trusts involved", ", ".join(o.code for o in trusts)),
        ("Stage", label_of(Stage, i.stage)),
        ("Delivery confidence", label_of(Confidence, i.delivery_confidence)),
        ("Owner", i.owner.display_name if i.owner else "Not set"),
        ("Start date", _date(i.start_date)),
        ("End date", _date(i.end_date)),
        ("Quality impact assessment", label_of(ImpactStatus, i.qia_status)),
        ("Equality impact assessment", label_of(ImpactStatus, i.eia_status)),
        ("One-off investment", pounds_pence(i.investment_one_off_gbp)),
        ("Recurrent investment", pounds_pence(i.investment_recurrent_gbp)),
    ]
    return InitiativePage(
        ref=i.ref,
        title=i.title,
        summary=summary,
        description=i.description,
        confidence=label_of(Confidence, i.delivery_confidence),
        confidence_tag=CONFIDENCE_TAG.get(i.delivery_confidence, ""),
        can_edit=editable,
        fy=fy.label,
        fy_choices=fy_options(fy),
        lines=[line_grid(line, fy, ledger, editable=editable, closed=closed) for line in lines],
        totals=year_totals(i, fy, sums),
        edit_href=reverse("web:initiative_edit", args=[i.ref]),
        add_line_href=reverse("web:benefit_new", args=[i.ref]),
        history_href=reverse("web:history", args=["initiative", i.ref]),
        latest_closed=closed.latest,
        latest_closed_name=month_name(closed.latest) if closed.latest else "",
    )


def read_initiative_page(user: User, initiative: Initiative, fy: FinancialYear) -> InitiativePage:
    """The page as it stands: trusts (1), the user's trusts (1), lines (1), entries and send-backs (2), closed (1), totals (1)."""
    trusts = initiative_trusts(initiative)
    return initiative_page(
        initiative=initiative,
        trusts=trusts,
        lines=initiative_lines(initiative),
        fy=fy,
        ledger=initiative_year_entries(initiative, fy),
        sums=year_sums(initiative, fy),
        closed=closed_months(),
        editable=write_refusal(user, initiative, trusts) is None,
    )


@page_view
def initiative(request: HttpRequest, ref: str) -> HttpResponse:
    found = find_initiative(request.user, ref)
    page = read_initiative_page(request.user, found, financial_year(request))
    return render_page(request, "benefits/initiative.jinja", {"page": page, "nav_current": "register"})


urlpatterns = [
    path("initiatives/<str:ref>/", initiative, name="initiative"),
]

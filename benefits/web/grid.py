"""Saving a benefit line's month grid, and submitting its actuals for validation.

With JavaScript each cell is saved as it changes (htmx) and answered with the cell and the new
totals; without it the whole grid is posted and saved all or nothing (services.profiles). A cell
someone else changed meanwhile is not overwritten: the page says what it is now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from benefits.errors import DomainError, StaleVersion
from benefits.finance.calendar import FinancialYear, is_period
from benefits.finance.rounding import pounds_pence
from benefits.models.choices import Series
from benefits.selectors.ledger import line_year_entries, year_sums
from benefits.selectors.periods import closed_months
from benefits.selectors.register import initiative_trusts
from benefits.services import profiles as profile_services
from benefits.services.profiles import CellEdit, CellsRefused

from .http import forbidden_page, page_view, render_page
from .initiative import find_initiative, find_line, grid_row, read_initiative_page, write_refusal, year_totals
from .layout import financial_year, version_of

if TYPE_CHECKING:
    from benefits.models import BenefitLine


def _parse_cell_name(name: str) -> tuple[str, str] | None:
    parts = name.split("-", 2)
    if len(parts) != 3 or parts[0] != "q" or parts[1] not in Series.values or not is_period(parts[2]):
        return None
    return parts[1], parts[2]


def _cell_edit(post, series: str, period: str) -> CellEdit:
    """The month as typed on the page, with the version the page showed."""
    return CellEdit(series, period, post.get(f"q-{series}-{period}", ""), version_of(post.get(f"v-{series}-{period}", "")))


def _stale_notice(exc: StaleVersion, typed: str, line: BenefitLine) -> str:
    current = exc.current  # the entry as saved now, or None when it was removed
    if current is None:
        newer = "now empty"
    elif line.measure == "GBP":
        newer = f"now {pounds_pence(current.value_gbp)}"
    else:
        newer = f"now {current.quantity:.2f} ({pounds_pence(current.value_gbp)})"
    return (
        f"Not saved: someone else changed this month since you loaded the page; it is {newer}. "
        f"Your value {typed or '(blank)'} was not saved. Enter it again if it should replace theirs."
    )


@page_view
@require_POST
def grid_save(request: HttpRequest, line_id: int) -> HttpResponse:
    """htmx: save the one cell that changed and answer with it and the totals (swapped in place).

    Without JavaScript the whole grid is posted: every changed cell is saved in one
    transaction, all or nothing, and the page is shown again with any errors beside the cells.
    """
    line = find_line(request.user, line_id)
    fy = financial_year(request)
    if refusal := write_refusal(request.user, line.initiative, initiative_trusts(line.initiative)):
        return forbidden_page(request, refusal.message)
    if request.htmx:
        return _save_one_cell(request, line, fy)
    return _save_whole_grid(request, line, fy)


def _save_one_cell(request: HttpRequest, line: BenefitLine, fy: FinancialYear) -> HttpResponse:
    name = request.htmx.trigger_name or ""
    parsed = _parse_cell_name(name)
    if parsed is None or parsed[1] not in fy:
        return HttpResponse("That cell is not part of this grid; reload the page.", status=400)
    series, period = parsed
    edit = _cell_edit(request.POST, series, period)
    error = notice = ""
    try:
        profile_services.save_cell(user=request.user, line=line, edit=edit)
    except StaleVersion as exc:
        notice = _stale_notice(exc, edit.typed, line)
    except DomainError as exc:
        error = exc.message
    ledger = line_year_entries(line, fy, series)
    row = grid_row(line=line, series=series, fy=fy, ledger=ledger, editable=True, closed=closed_months())
    cell = next(c for c in row.cells if c.period == period)
    if error:
        cell.error, cell.quantity = error, edit.typed
    cell.notice = notice
    totals = year_totals(line.initiative, fy, year_sums(line.initiative, fy))
    return render_page(request, "benefits/partials/grid_cell_response.jinja",
                       {"cell": cell, "row": row, "totals": totals, "line_is_money": line.measure == "GBP"})


def _save_whole_grid(request: HttpRequest, line: BenefitLine, fy: FinancialYear) -> HttpResponse:
    """Every cell of the posted grid, all or nothing; on a refusal the page again, each error beside its cell."""
    cells = [parsed for parsed in map(_parse_cell_name, request.POST) if parsed is not None and parsed[1] in fy]
    edits = [_cell_edit(request.POST, series, period) for series, period in cells]
    target = reverse("web:initiative", args=[line.initiative.ref]) + f"?fy={fy.label}"
    try:
        saved = profile_services.save_cells(user=request.user, line=line, edits=edits)
    except CellsRefused as refused:
        errors = {
            f"q-{series}-{period}": _stale_notice(exc, request.POST.get(f"q-{series}-{period}", ""), line)
            if isinstance(exc, StaleVersion) else exc.message
            for (series, period), exc in refused.errors.items()
        }
    else:
        messages.success(request, f"{saved} month{'s' if saved != 1 else ''} of “{line.title}” saved." if saved else "Nothing had changed.")
        return redirect(target + f"#line-{line.pk}")
    typed_values = {f"q-{e.series}-{e.period}": e.typed for e in edits}
    page = read_initiative_page(request.user, find_initiative(request.user, line.initiative.ref), fy)
    summary = []
    for grid in page.lines:
        if grid.id != line.pk:
            continue
        for row in grid.rows:
            for cell in row.cells:
                if cell.name in errors:
                    cell.error, cell.quantity = errors[cell.name], typed_values.get(cell.name, cell.quantity)
                    summary.append({"text": f"{cell.month} {row.label.lower()}: {errors[cell.name]}", "href": f"#{cell.id}"})
                elif cell.name in typed_values and typed_values[cell.name].strip() != cell.quantity:
                    cell.quantity = typed_values[cell.name]
    return render_page(request, "benefits/initiative.jinja", {"page": page, "nav_current": "register", "page_errors": summary}, status=400)


@page_view
@require_POST
def submit_actuals(request: HttpRequest, line_id: int) -> HttpResponse:
    line = find_line(request.user, line_id)
    fy = financial_year(request)
    target = reverse("web:initiative", args=[line.initiative.ref]) + f"?fy={fy.label}#line-{line.pk}"
    submitted = profile_services.submit_line_actuals(user=request.user, line=line, fy=fy)
    if not submitted:
        messages.info(request, f"“{line.title}” has no draft actuals in {fy.label} to submit.")
    else:
        n = len(submitted)
        messages.success(request, f"{n} actual{'s' if n != 1 else ''} of “{line.title}” submitted for validation.")
    return redirect(target)


urlpatterns = [
    path("benefits/<int:line_id>/grid/", grid_save, name="grid_save"),
    path("benefits/<int:line_id>/submit/", submit_actuals, name="submit_actuals"),
]

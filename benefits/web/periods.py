"""Finance closes months in order and reopens the latest closed one (FINANCE.md, "Closed periods").

Which months are closed is the one rule of selectors.periods (`ClosedMonths`, `month_states`);
closing and reopening are services.periods.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from benefits.errors import Conflict, ValidationFailed
from benefits.finance.calendar import FinancialYear, month_name
from benefits.policy import Action, require
from benefits.selectors.periods import ClosedMonths, MonthState, closed_months, month_states
from benefits.services import periods as period_services

from .http import page_view, render_page
from .layout import financial_year, fy_options


def periods_page(*, fy: FinancialYear, states: list[MonthState], closed: ClosedMonths) -> dict:
    """The year's months, closed or open, who closed each, and which may be closed or reopened."""
    latest = closed.latest
    months = [
        {
            "period": s.period,
            "name": month_name(s.period),
            "closed": s.closed,
            "closed_by": s.closed_by.display_name if s.closed_by else "",
            "closed_at": s.closed_at,
            "reopenable": s.period == latest,
        }
        for s in states
    ]
    return {
        "fy": fy.label,
        "fy_choices": fy_options(fy),
        "months": months,
        "latest_closed": latest,
        "latest_closed_name": month_name(latest) if latest else "",
        "close_choices": [{"value": m["period"], "text": m["name"]} for m in months if not m["closed"]],
        "history_href": reverse("web:history", args=["period", latest]) if latest else "",
    }


@page_view
@require_http_methods(["GET", "POST"])
def periods(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CLOSE_PERIOD, what="close or reopen months")
    fy = financial_year(request)
    errors = []
    if request.method == "POST":
        month = request.POST.get("period", "")
        reason = request.POST.get("reason", "").strip()
        try:
            if request.POST.get("action") == "reopen":
                period_services.reopen_period(user=request.user, period=month, reason=reason)
                messages.success(request, f"{month_name(month)} is open again.")
            else:
                period_services.close_period(user=request.user, period=month, reason=reason)
                messages.success(request, f"{month_name(month)} and every month before it are closed.")
            return redirect(reverse("web:periods") + f"?fy={fy.label}")
        except (ValidationFailed, Conflict) as exc:
            errors.append({"text": exc.message, "href": "#reason" if exc.field == "reason" else "#period"})
    closed = closed_months()
    page = periods_page(fy=fy, states=month_states(fy.periods, closed), closed=closed)
    return render_page(request, "benefits/periods.jinja", {"page": page, "nav_current": "periods", "page_errors": errors},
                       status=400 if errors else 200)


urlpatterns = [
    path("finance/periods/", periods, name="periods"),
]

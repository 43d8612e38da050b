"""Finance's validation queue: submitted actuals across initiatives, validated or sent back with a reason.

Segregation of duties is the services' rule (services.actuals): one's own actuals are marked and
offer no Validate button, and a service refuses them whatever the page sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from benefits.errors import DomainError, NotAllowed, ValidationFailed
from benefits.finance.calendar import FinancialYear, is_period, month_name
from benefits.finance.rounding import pounds_pence
from benefits.policy import Action, require
from benefits.selectors.ledger import validation_queue as queue_of
from benefits.selectors.periods import reporting_month
from benefits.selectors.register import trust_choices, workstream_choices
from benefits.services import actuals as actual_services

from .http import forbidden_page, page_view, render_page
from .layout import month_options, page_number, select_items

if TYPE_CHECKING:
    from benefits.models import Entry
    from benefits.selectors.paging import Paged

QUEUE_PAGE_SIZE = 100


@dataclass(frozen=True)
class QueueFilters:
    trust: str = ""
    workstream: str = ""
    month: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query) -> QueueFilters:
        month = query.get("month", "")
        return cls(trust=query.get("trust", "")[:10], workstream=query.get("workstream", "")[:20],
                   month=month if is_period(month) else "", page=page_number(query))

    def query(self, **changes) -> str:
        values = {"trust": self.trust, "workstream": self.workstream, "month": self.month, "page": str(self.page)}
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == "1")})


@dataclass(frozen=True)
class ValidationQueue:
    filters: QueueFilters
    rows: list[dict]
    count: int
    page: int
    pages: int
    previous_href: str
    next_href: str
    trusts: list[dict]
    workstreams: list[dict]
    months: list[dict]
    own_count: int


def _row(e: Entry, own: set[int]) -> dict:
    line = e.benefit
    return {
        "id": e.pk,
        "version": e.version,
        "month": month_name(e.period),
        "ref": line.initiative.ref,
        "initiative": line.initiative.title,
        "href": reverse("web:initiative", args=[line.initiative.ref]) + f"?fy={FinancialYear.of(e.period).label}",
        "line": line.title,
        "trust": line.organisation.code,
        "quantity": f"{e.quantity:.2f}" if line.measure != "GBP" else "",
        "measure": line.measure.replace("_", " "),
        "value": pounds_pence(e.value_gbp),
        "entered_by": e.updated_by.display_name if e.updated_by else "",
        "own": e.pk in own,
    }


def queue_page(*, filters: QueueFilters, queue: Paged[Entry], own: set[int], trusts, workstreams, month: str) -> ValidationQueue:
    """One page of the queue; one's own actuals are marked (their Validate button is absent)."""
    f = filters
    return ValidationQueue(
        filters=f,
        rows=[_row(e, own) for e in queue.items],
        count=queue.count,
        page=queue.number,
        pages=queue.pages,
        previous_href=f.query(page=str(queue.number - 1)) if queue.has_previous else "",
        next_href=f.query(page=str(queue.number + 1)) if queue.has_next else "",
        trusts=select_items(trusts, f.trust, "All trusts"),
        workstreams=select_items(workstreams, f.workstream, "All workstreams"),
        months=[{"value": "", "text": "All months"}] + [
            {**m, "selected": m["value"] == f.month} for m in month_options(month)
        ],
        own_count=len(own),
    )


def _decide(request: HttpRequest) -> None:
    """Validate or send back what the form names, in the services' words when they refuse."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    one = request.POST.get("validate_one", "")
    back = request.POST.get("send_back", "")
    reason = request.POST.get("reason", "").strip()
    if one.isdigit():
        actual_services.validate_entries(user=request.user, ids=[int(one)])
        messages.success(request, "The actual is validated.")
    elif request.POST.get("action") == "validate":
        if not ids:
            raise ValidationFailed("Select the actuals to validate.", field="ids")
        done = actual_services.validate_entries(user=request.user, ids=ids)
        messages.success(request, f"{len(done)} actual{'s' if len(done) != 1 else ''} validated.")
    elif request.POST.get("action") == "send_back" or back.isdigit():
        chosen = [int(back)] if back.isdigit() else ids
        if not chosen:
            raise ValidationFailed("Select the actuals to send back.", field="ids")
        if not reason:
            raise ValidationFailed("Give a reason for sending the actuals back, so the programme office knows what to fix.", field="reason")
        actual_services.reject_entries(user=request.user, ids=chosen, reason=reason)
        messages.success(request, f"{len(chosen)} actual{'s' if len(chosen) != 1 else ''} sent back with your reason.")
    else:
        raise ValidationFailed("Choose to validate or send back.", field="ids")


@page_view
@require_http_methods(["GET", "POST"])
def validation_queue(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.VALIDATE, what="validate actuals")
    filters = QueueFilters.from_query(request.GET)
    errors = []
    if request.method == "POST":
        try:
            _decide(request)
            return redirect(reverse("web:validation_queue") + filters.query())
        except NotAllowed as exc:
            return forbidden_page(request, exc.message)
        except DomainError as exc:
            errors.append({"text": exc.message, "href": "#reason" if exc.field == "reason" else "#queue"})
    queue = queue_of(user=request.user, trust=filters.trust, workstream=filters.workstream, month=filters.month,
                     page=filters.page, size=QUEUE_PAGE_SIZE)
    page = queue_page(filters=filters, queue=queue, own=actual_services.own_entry_ids(request.user, queue.items),
                      trusts=trust_choices(), workstreams=workstream_choices(), month=filters.month or reporting_month())
    return render_page(request, "benefits/validation_queue.jinja",
                       {"page": page, "nav_current": "validation", "page_errors": errors, "reason": request.POST.get("reason", "")},
                       status=400 if errors else 200)


urlpatterns = [
    path("finance/validation/", validation_queue, name="validation_queue"),
]

"""The register page (filter, search, sort, page, each initiative's money for the year) and its
"Download as Excel".

The filters are the API's (`RegisterFilter`, by the same names: workstream, organisation, stage,
delivery_confidence, search); an invalid value is left out rather than shown as an error. The
download posts the filters the page applied to the one export door (`services.exports.export_register`):
the workbook at once, or a job with a progress page when the register is large (ADR 0055).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from benefits.excel.writer import xlsx_response
from benefits.finance.calendar import FinancialYear, month_name
from benefits.finance.rounding import whole_pounds
from benefits.models.choices import Confidence, Stage
from benefits.policy import Action, can
from benefits.selectors.periods import reporting_month
from benefits.selectors.register import REGISTER_SORTS, filtered_register, register_page, trust_choices, workstream_choices
from benefits.selectors.rollups import Figures, initiative_figures
from benefits.services import exports as export_services

from .http import page_view, render_page
from .layout import CONFIDENCE_TAG, fy_options, initiative_hrefs, label_of, optional_year, page_number, select_items

if TYPE_CHECKING:
    from benefits.models import Initiative
    from benefits.selectors.paging import Paged

PAGE_SIZE = 50
NO_FIGURES = Figures()  # an initiative with no figure in the year


@dataclass(frozen=True)
class RegisterQuery:
    """What the page shows: the filters applied (by their API names), the column sorted by, the page."""

    filters: dict[str, str]
    sort: str = "ref"
    descending: bool = False
    page: int = 1

    @classmethod
    def sorting(cls, text: str) -> tuple[str, bool]:
        """(column, descending) of `sort=-title`; an unknown column sorts by ref."""
        key = text.lstrip("-")
        return (key if key in REGISTER_SORTS else "ref"), text.startswith("-")

    @property
    def search(self) -> str:
        return self.filters.get("search", "")

    def query(self, **changes) -> str:
        values = {**self.filters, "sort": ("-" if self.descending else "") + self.sort, "page": str(self.page), **changes}
        return "?" + urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == "1")})

    def as_filters(self) -> dict[str, str]:
        """The filters alone (no sort or page), as the download posts them."""
        return dict(self.filters)


class RegisterRow(NamedTuple):
    """One initiative of the register table: a tuple, which the template unpacks (no lookup per cell)."""

    ref: str
    href: str
    title: str
    workstream: str
    trust: str
    stage: str
    confidence: str
    tag: str
    plan_fy: str  # whole pounds; blank for an idea, whose figures are pipeline only
    forecast_fy: str
    pipeline: bool


@dataclass(frozen=True)
class Register:
    filters: RegisterQuery
    rows: list[RegisterRow]
    count: int
    page: int
    pages: int
    previous_href: str
    next_href: str
    workstreams: list[dict]
    trusts: list[dict]
    stages: list[dict]
    confidences: list[dict]
    headings: list[dict]
    can_create: bool
    fy: str
    as_at_name: str
    export_years: list[dict]


def export_year_options() -> list[dict]:
    """The register download's choice of year: every year with figures (the default), or one."""
    today = timezone.localdate()
    years = fy_options(FinancialYear.of(f"{today.year:04d}-{today.month:02d}"))
    return [{"value": "", "text": "Every year with figures", "selected": True}, *({**y, "selected": False} for y in years)]


def _row(i: Initiative, href: str, figures: Figures) -> RegisterRow:
    pipeline = i.stage == Stage.IDEA
    return RegisterRow(
        i.ref,
        href,
        i.title,
        i.workstream.name,
        i.lead_organisation.code,
        label_of(Stage, i.stage),
        label_of(Confidence, i.delivery_confidence),
        CONFIDENCE_TAG.get(i.delivery_confidence, ""),
        "" if pipeline else whole_pounds(figures.plan_fy),
        whole_pounds(figures.pipeline_fy if pipeline else figures.forecast_fy),
        pipeline,
    )


def register_presenter(*, query: RegisterQuery, found: Paged[Initiative], money: dict[int, Figures], workstreams, trusts,
                       can_create: bool, as_at: str) -> Register:
    """One page of the register with its money, the filters' choices and the sortable headings."""
    f = query
    rows = [_row(i, href, money.get(i.pk, NO_FIGURES)) for i, href in zip(found.items, initiative_hrefs(i.ref for i in found.items), strict=True)]
    headings = []
    for key, text in (("ref", "Ref"), ("title", "Title"), ("workstream", "Workstream"), ("trust", "Lead trust"),
                      ("stage", "Stage"), ("confidence", "Confidence")):
        current = f.sort == key
        desc_next = current and not f.descending
        headings.append(
            {
                "text": text,
                "href": f.query(sort=("-" if desc_next else "") + key, page="1"),
                "aria_sort": ("descending" if f.descending else "ascending") if current else "none",
            }
        )
    chosen = f.filters.get
    return Register(
        filters=f,
        rows=rows,
        count=found.count,
        page=found.number,
        pages=found.pages,
        previous_href=f.query(page=str(found.number - 1)) if found.has_previous else "",
        next_href=f.query(page=str(found.number + 1)) if found.has_next else "",
        workstreams=select_items(workstreams, chosen("workstream", ""), "All workstreams"),
        trusts=select_items(trusts, chosen("organisation", ""), "All trusts"),
        stages=select_items(Stage.choices, chosen("stage", ""), "All stages"),
        confidences=select_items(Confidence.choices, chosen("delivery_confidence", ""), "All confidence ratings"),
        headings=headings,
        can_create=can_create,
        fy=FinancialYear.of(as_at).label,
        as_at_name=month_name(as_at),
        export_years=export_year_options(),
    )


@page_view
def register(request: HttpRequest) -> HttpResponse:
    """Scoped (for_user) and filtered, one page of 50 with its money: count, page, month, figures, 2 choices."""
    sort, descending = RegisterQuery.sorting(request.GET.get("sort", "ref"))
    chosen = filtered_register(request.user, request.GET)
    found = register_page(initiatives=chosen.selected, sort=sort, descending=descending, page=page_number(request.GET),
                          size=PAGE_SIZE)
    as_at = reporting_month()
    money = initiative_figures(fy=FinancialYear.of(as_at), as_at=as_at, initiative_ids=[i.pk for i in found.items])
    page = register_presenter(
        query=RegisterQuery(chosen.applied, sort, descending, found.number),
        found=found,
        money=money,
        workstreams=workstream_choices(),
        trusts=trust_choices(),
        can_create=can(request.user, Action.EDIT_REGISTER),
        as_at=as_at,
    )
    template = "benefits/partials/register_results.jinja" if request.htmx else "benefits/register.jinja"
    return render_page(request, template, {"page": page, "nav_current": "register"})


@page_view
@require_POST
def register_excel(request: HttpRequest) -> HttpResponse:
    """The register as filtered on the page, for a year or every year: the file now, or a job when it is large.

    The register page and the Excel page both post here (ADR 0055)."""
    fy = optional_year(request.POST.get("fy", ""))
    made = export_services.export_register(user=request.user, filters=request.POST, fy=fy)
    if isinstance(made, bytes):
        return xlsx_response(made, export_services.filename(fy))
    return redirect("web:export_job", job_id=made.pk)


urlpatterns = [
    path("initiatives/", register, name="register"),
    path("exports/register/", register_excel, name="register_excel"),
]

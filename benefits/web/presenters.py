"""Presenters: what each page shows, built from selectors and scoped querysets (STYLE.md rule 12).

Templates receive these frozen dataclasses, never models, and hold no rule: words such as
"on track" and every figure come from here, and every figure from a selector. Each builder
issues a fixed number of queries whatever the number of rows (tests/web pin the counts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup

from benefits.finance.calendar import FinancialYear, add_months, is_period, month_name, months_between, short_month_name
from benefits.finance.rounding import pounds_pence, round_half_up, whole_pounds
from benefits.models import (
    AuditEvent,
    BackgroundJob,
    BenefitLine,
    BoardPack,
    ConfidenceWeight,
    Entry,
    EntryStatusChange,
    ExportJob,
    Initiative,
    Period,
    Target,
    UnitCost,
    User,
)
from benefits.models.choices import (
    BenefitClass,
    Confidence,
    EntryStatus,
    ImpactStatus,
    JobStatus,
    PeriodStatus,
    Recurrence,
    Role,
    Series,
    Stage,
    TargetBasis,
)
from benefits.policy import Action, can, can_on_trusts
from benefits.reports import charts
from benefits.selectors.audit import FIGURES_IMPORTED, VALUE_SUFFIX, parse_cell_key
from benefits.selectors.board_pack import confidence_counts
from benefits.selectors.exceptions import initiative_exceptions
from benefits.selectors.periods import latest_closed_period, reporting_month
from benefits.selectors.register import FILTERS, filter_register, trust_choices, workstream_choices
from benefits.selectors.rollups import Figures, compute_rollup, initiative_figures
from benefits.selectors.snapshots import latest_snapshot_stamp
from benefits.selectors.targets import TargetProgress, all_target_progress
from benefits.services.common import user_trust_ids
from benefits.services.entries import own_entry_ids

ZERO = Decimal("0.00")
CONFIDENCE_TAG = {
    Confidence.GREEN: "nhsuk-tag--green",
    Confidence.AMBER_GREEN: "nhsuk-tag--aqua-green",
    Confidence.AMBER: "nhsuk-tag--yellow",
    Confidence.AMBER_RED: "nhsuk-tag--orange",
    Confidence.RED: "nhsuk-tag--red",
}
STATUS_TAG = {"draft": "nhsuk-tag--grey", "submitted": "nhsuk-tag--blue", "validated": "nhsuk-tag--green", "sent_back": "nhsuk-tag--orange"}
STATUS_LABEL = {"draft": "Draft", "submitted": "Submitted", "validated": "Validated", "sent_back": "Sent back"}
JOB_LABEL = dict(JobStatus.choices)


def label_of(choices, value: str) -> str:
    return dict(choices.choices).get(value, value)


def first_fy_start() -> str:
    """The first month a user may pick (the targets' window starts in 2025-04)."""
    return "2025-04"


NO_FIGURES = Figures()  # an initiative with no figure in the year


def month_options(selected: str, *, last: str | None = None) -> list[dict]:
    today = timezone.localdate()
    end = last or add_months(f"{today.year:04d}-{today.month:02d}", 12)
    months = months_between(first_fy_start(), max(end, selected))
    return [{"value": m, "text": month_name(m), "selected": m == selected} for m in reversed(months)]


def fy_options(selected: FinancialYear) -> list[dict]:
    today = timezone.localdate()
    this = FinancialYear.of(f"{today.year:04d}-{today.month:02d}").start_year
    years = range(2025, max(this, selected.start_year) + 3)
    return [{"value": FinancialYear(y).label, "text": FinancialYear(y).label, "selected": y == selected.start_year} for y in years]


# --- the layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chrome:
    account: dict | None
    navigation: list[dict]
    messages: list[str]
    footer_links: list[dict]


NAV = (
    ("dashboard", "Dashboard", "web:dashboard", Action.VIEW),
    ("register", "Register", "web:register", Action.VIEW),
    ("validation", "Validation queue", "web:validation_queue", Action.VALIDATE),
    ("periods", "Periods", "web:periods", Action.CLOSE_PERIOD),
    ("reference", "Unit costs and targets", "web:unit_costs", Action.EDIT_REFERENCE),
    ("board_packs", "Board packs", "web:board_packs", Action.VIEW),
    ("imports", "Excel", "web:imports", Action.VIEW),  # benefits/web/imports.py: import and export
)


def initiative_hrefs(refs: Iterable[str]) -> list[str]:
    """Each initiative's page, in the order of `refs`."""
    return [reverse("web:initiative", args=[ref]) for ref in refs]


def page_chrome(request, current: str = "") -> Chrome:
    """The header: the user's name, role and trusts, sign-out, and the pages their role uses."""
    user = getattr(request, "user", None)
    msgs = [str(m) for m in messages.get_messages(request)] if hasattr(request, "_messages") else []
    footer = [{"href": reverse("api-docs"), "text": "API documentation"}]
    if user is None or not user.is_authenticated:
        return Chrome(account=None, navigation=[], messages=msgs, footer_links=footer)
    trusts = ", ".join(o.code for o in user.organisations.all()) or "no trust"
    role = label_of(Role, user.role) if user.role else "No role"
    sign_out = Markup(
        '<form class="nhsuk-header__account-form" method="post" action="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button class="nhsuk-header__account-button" type="submit">Sign out</button></form>'
    ).format(reverse("web:logout"), get_token(request))
    who = Markup('<span class="app-account-name">{}</span> <span class="app-account-role">{} · {}</span>').format(
        user.display_name, role, trusts)
    account = {"ariaLabel": "Your account", "items": [{"html": who, "icon": True}, {"html": sign_out}]}
    navigation = [
        {"href": reverse(name), "text": text, "current": key == current} for key, text, name, action in NAV if can(user, action)
    ]
    return Chrome(account=account, navigation=navigation, messages=msgs, footer_links=footer)


# --- the dashboard ----------------------------------------------------------------------------


class ChartRow(NamedTuple):
    """A month of a target's trajectory table. Rows are named tuples, not dicts: Jinja tries an attribute
    before an item, so a dict row costs a failed lookup per cell; not dataclasses: ~100 rows are built per page."""

    month: str
    plan: str
    actual: str
    outturn: str


@dataclass(frozen=True)
class TargetCard:
    name: str
    amount: str
    achieved: str
    forecast: str
    risk_adjusted: str
    pct_achieved: str
    pct_forecast: str
    pct_risk_adjusted: str
    on_track: bool
    statement: str
    basis: str
    chart_svg: str
    chart_rows: list[ChartRow]
    chart_id: str


@dataclass(frozen=True)
class ConfidenceRow:
    label: str
    tag: str
    count: int
    forecast_fy: str
    risk_adjusted_fy: str


class ExceptionItem(NamedTuple):
    ref: str
    title: str
    href: str
    trust: str
    confidence: str
    tag: str
    plan_ytd: str
    actual_ytd: str
    why: str


@dataclass(frozen=True)
class Dashboard:
    as_at: str
    as_at_name: str
    fy: str
    months: list[dict]
    targets: list[TargetCard]
    confidence: list[ConfidenceRow]
    confidence_total: ConfidenceRow
    exceptions: list[ExceptionItem]
    exceptions_total: int
    snapshot_taken_at: object
    snapshot_trigger: str


def _pct(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.2f}%"


def on_track_statement(p: TargetProgress) -> str:
    """The answer to "are we on track?" in words (on track = risk-adjusted ≥ amount, FINANCE.md)."""
    if p.on_track:
        return (
            f"On track: the risk-adjusted forecast of {whole_pounds(p.risk_adjusted)} meets the "
            f"{whole_pounds(p.amount_gbp)} target ({_pct(p.pct_risk_adjusted)})."
        )
    return (
        f"Not on track: the risk-adjusted forecast of {whole_pounds(p.risk_adjusted)} is "
        f"{whole_pounds(p.amount_gbp - p.risk_adjusted)} short of the {whole_pounds(p.amount_gbp)} target "
        f"({_pct(p.pct_risk_adjusted)})."
    )


def _target_card(p: TargetProgress) -> TargetCard:
    rows = [
        ChartRow(short_month_name(t.period), whole_pounds(t.plan), "–" if t.actual is None else whole_pounds(t.actual), whole_pounds(t.outturn))
        for t in p.trajectory
    ]
    return TargetCard(
        name=p.name,
        amount=whole_pounds(p.amount_gbp),
        achieved=whole_pounds(p.achieved),
        forecast=whole_pounds(p.forecast),
        risk_adjusted=whole_pounds(p.risk_adjusted),
        pct_achieved=_pct(p.pct_achieved),
        pct_forecast=_pct(p.pct_forecast),
        pct_risk_adjusted=_pct(p.pct_risk_adjusted),
        on_track=p.on_track,
        statement=on_track_statement(p),
        basis="annual run rate" if p.basis == "annual_run_rate" else "cumulative",
        # the board pack's own chart (escaped text, no scripts or inline styles), the same figures as the table
        chart_svg=Markup(charts.trajectory_svg(p.as_json(), title=f"{p.name}: trajectory to {whole_pounds(p.amount_gbp)}", chart_id=f"chart-{p.target_id}")),  # noqa: S704
        chart_rows=rows,
        chart_id=f"target-{p.target_id}",
    )


def dashboard(*, as_at: str) -> Dashboard:
    """Targets (one query each), rollup by confidence (1), counts (1), exceptions (2), snapshot (1)."""
    fy = FinancialYear.of(as_at)
    progress = all_target_progress(as_at=as_at)
    by_confidence = compute_rollup(fy=fy, as_at=as_at, group_by="delivery_confidence")
    counts = confidence_counts()
    conf_rows = [
        ConfidenceRow(
            label=row.label,
            tag=CONFIDENCE_TAG.get(row.key, ""),
            count=counts.get(row.key, 0),
            forecast_fy=whole_pounds(row.figures.forecast_fy),
            risk_adjusted_fy=whole_pounds(row.figures.risk_adjusted_fy),
        )
        for row in by_confidence.rows
    ]
    total = ConfidenceRow(
        label="All initiatives",
        tag="",
        count=sum(counts.values()),
        forecast_fy=whole_pounds(by_confidence.total.forecast_fy),
        risk_adjusted_fy=whole_pounds(by_confidence.total.risk_adjusted_fy),
    )
    exc = initiative_exceptions(as_at=as_at)
    exceptions = [
        ExceptionItem(
            ref=r.ref,
            title=r.title,
            href=href,
            trust=r.lead_organisation,
            confidence=label_of(Confidence, r.delivery_confidence),
            tag=CONFIDENCE_TAG.get(r.delivery_confidence, ""),
            plan_ytd=whole_pounds(r.plan_ytd),
            actual_ytd=whole_pounds(r.actual_ytd),
            why=_exception_reason(r),
        )
        for r, href in zip(exc.rows, initiative_hrefs(r.ref for r in exc.rows), strict=True)
    ]
    snap = latest_snapshot_stamp(as_at=as_at)
    return Dashboard(
        as_at=as_at,
        as_at_name=month_name(as_at),
        fy=fy.label,
        months=month_options(as_at),
        targets=[_target_card(p) for p in progress],
        confidence=conf_rows,
        confidence_total=total,
        exceptions=exceptions,
        exceptions_total=exc.total,
        snapshot_taken_at=snap.taken_at if snap else None,
        snapshot_trigger=label_of_trigger(snap.trigger) if snap else "",
    )


def label_of_trigger(value: str) -> str:
    return {"scheduled": "the nightly schedule", "period_close": "a month being closed", "manual": "a request"}.get(value, value)


def _exception_reason(r) -> str:
    reasons = []
    if r.behind_plan:
        share = round_half_up(r.actual_ytd / r.plan_ytd * 100, Decimal("1")) if r.plan_ytd else Decimal(0)
        reasons.append(f"{share}% of plan achieved year to date")
    if r.delivery_confidence in (Confidence.RED, Confidence.AMBER_RED):
        reasons.append(f"rated {label_of(Confidence, r.delivery_confidence).lower()}")
    return "; ".join(reasons).capitalize()


# --- the register -----------------------------------------------------------------------------

SORTS = {
    "ref": "ref",
    "title": "title",
    "workstream": "workstream__name",
    "trust": "lead_organisation__code",
    "stage": "stage",
    "confidence": "delivery_confidence",
    "updated": "updated_at",
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class RegisterFilters:
    workstream: str = ""
    trust: str = ""
    stage: str = ""
    confidence: str = ""
    search: str = ""
    sort: str = "ref"
    descending: bool = False
    page: int = 1

    @classmethod
    def from_query(cls, query) -> RegisterFilters:
        """Unknown values are ignored rather than refused: a page never fails on its query string."""
        sort = query.get("sort", "ref")
        desc = sort.startswith("-")
        sort = sort.lstrip("-")
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            workstream=query.get("workstream", "")[:20],
            trust=query.get("trust", "")[:10],
            stage=query.get("stage", "") if query.get("stage", "") in Stage.values else "",
            confidence=query.get("confidence", "") if query.get("confidence", "") in Confidence.values else "",
            search=query.get("search", "").strip()[:100],
            sort=sort if sort in SORTS else "ref",
            descending=desc,
            page=page,
        )

    def query(self, **changes) -> str:
        values = {
            "workstream": self.workstream,
            "trust": self.trust,
            "stage": self.stage,
            "confidence": self.confidence,
            "search": self.search,
            "sort": ("-" if self.descending else "") + self.sort,
            "page": str(self.page),
        }
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v and not (k == "page" and v == "1")})

    def as_filters(self) -> dict[str, str]:
        """The filters alone (no sort or page), as `filter_register` and a background export take them."""
        return {name: getattr(self, name) for name in FILTERS}


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
    filters: RegisterFilters
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


def select_items(pairs: Iterable[tuple[object, object]], selected: str, blank: str) -> list[dict]:
    """The items of an NHS.UK select: a blank option (`blank` names it), then (value, text) pairs, `selected` marked."""
    return [{"value": "", "text": blank}, *({"value": str(v), "text": str(t), "selected": str(v) == selected} for v, t in pairs)]


def register(*, user: User, filters: RegisterFilters) -> Register:
    """Scoped read (for_user), filtered, sorted, one page of 50 with its money: count, page, figures, month, 2 choices."""
    f = filters
    qs = filter_register(Initiative.objects.for_user(user, Action.VIEW), **f.as_filters())
    order = SORTS[f.sort]
    qs = qs.order_by(("-" if f.descending else "") + order, "ref")
    paginator = Paginator(qs.select_related("workstream", "lead_organisation"), PAGE_SIZE)
    page = paginator.get_page(f.page)
    initiatives = list(page.object_list)
    as_at = reporting_month()
    fy = FinancialYear.of(as_at)
    money = initiative_figures(fy=fy, as_at=as_at, initiative_ids=[i.pk for i in initiatives])
    rows = []
    for i, href in zip(initiatives, initiative_hrefs(i.ref for i in initiatives), strict=True):
        figures = money.get(i.pk, NO_FIGURES)
        pipeline = i.stage == Stage.IDEA
        rows.append(
            RegisterRow(
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
        )
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
    return Register(
        filters=f,
        rows=rows,
        count=paginator.count,
        page=page.number,
        pages=paginator.num_pages,
        previous_href=f.query(page=str(page.number - 1)) if page.has_previous() else "",
        next_href=f.query(page=str(page.number + 1)) if page.has_next() else "",
        workstreams=select_items(workstream_choices(), f.workstream, "All workstreams"),
        trusts=select_items(trust_choices(), f.trust, "All trusts"),
        stages=select_items(Stage.choices, f.stage, "All stages"),
        confidences=select_items(Confidence.choices, f.confidence, "All confidence ratings"),
        headings=headings,
        can_create=can(user, Action.EDIT_REGISTER),
        fy=fy.label,
        as_at_name=month_name(as_at),
        export_years=export_year_options(),
    )


def export_year_options() -> list[dict]:
    """The register download's choice of year: every year with figures (the default), or one."""
    today = timezone.localdate()
    years = fy_options(FinancialYear.of(f"{today.year:04d}-{today.month:02d}"))
    return [{"value": "", "text": "Every year with figures", "selected": True}, *({**y, "selected": False} for y in years)]


# --- the initiative page and its month grid ---------------------------------------------------


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


def _qty(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _money_text(value: Decimal | None) -> str:
    return "" if value is None else pounds_pence(value)


def sent_back_reasons(entries) -> dict[int, str]:
    """The reason of each actual's latest send-back, where its latest step was one (one query).

    `entries` is a queryset of actuals (a subquery, so the query count never depends on the rows).
    """
    latest: dict[int, EntryStatusChange] = {}
    for change in EntryStatusChange.objects.filter(entry__in=entries.values("id")).order_by("entry_id", "at", "id"):
        latest[change.entry_id] = change
    return {
        i: c.reason
        for i, c in latest.items()
        if c.from_status == EntryStatus.SUBMITTED and c.to_status == EntryStatus.DRAFT
    }


def make_cell(line: BenefitLine, series: str, period: str, entry: Entry | None, *, editable_line: bool,
              latest_closed: str | None, reasons: dict[int, str]) -> Cell:
    closed = latest_closed is not None and period <= latest_closed
    status = entry.status if entry is not None and series == Series.ACTUAL else ""
    shown = status
    reason = ""
    if entry is not None and status == EntryStatus.DRAFT and entry.pk in reasons:
        shown, reason = "sent_back", reasons[entry.pk]
    editable = editable_line and not closed and (series != Series.ACTUAL or entry is None or status == EntryStatus.DRAFT)
    return Cell(
        line_id=line.pk,
        series=series,
        period=period,
        month=short_month_name(period),
        quantity=_qty(entry.quantity) if entry else "",
        version=str(entry.version) if entry else "",
        value=_money_text(entry.value_gbp) if entry else "",
        status=shown,
        status_label=STATUS_LABEL.get(shown, ""),
        status_tag=STATUS_TAG.get(shown, ""),
        reason=reason,
        editable=editable,
        history_href=reverse("web:history", args=["entry", entry.pk]) if entry is not None else "",
    )


def _row(line: BenefitLine, series: str, fy: FinancialYear, entries: dict, **kw) -> GridRow:
    cells = [make_cell(line, series, p, entries.get((line.pk, p, series)), **kw) for p in fy.periods]
    found = [entries[(line.pk, p, series)] for p in fy.periods if (line.pk, p, series) in entries]
    return GridRow(
        line_id=line.pk,
        series=series,
        label=label_of(Series, series),
        cells=cells,
        total_quantity=_qty(sum((e.quantity for e in found), ZERO)),
        total_value=pounds_pence(sum((e.value_gbp for e in found), ZERO)),
    )


def grid_row(*, line: BenefitLine, series: str, fy: FinancialYear, editable: bool) -> GridRow:
    """One row of the grid, for the htmx cell response (totals updated in place): two queries."""
    in_year = line.entries.filter(period__gte=fy.first, period__lte=fy.last, series=series)
    entries = {(e.benefit_id, e.period, e.series): e for e in in_year}
    latest_closed = latest_closed_period()
    reasons = sent_back_reasons(in_year) if series == Series.ACTUAL else {}
    return _row(line, series, fy, entries, editable_line=editable, latest_closed=latest_closed, reasons=reasons)


def year_totals(initiative: Initiative, fy: FinancialYear) -> YearTotals:
    """The initiative's totals over the year by series, in pounds (one aggregate query)."""
    sums = (
        Entry.objects.filter(benefit__initiative=initiative, period__gte=fy.first, period__lte=fy.last)
        .values("series")
        .annotate(total=Sum("value_gbp"), validated=Sum("value_gbp", filter=Q(status=EntryStatus.VALIDATED)))
        .order_by()
    )
    by = {r["series"]: r for r in sums}
    return YearTotals(
        initiative_ref=initiative.ref,
        fy=fy.label,
        plan=pounds_pence(by.get("plan", {}).get("total") or ZERO),
        forecast=pounds_pence(by.get("forecast", {}).get("total") or ZERO),
        actual=pounds_pence(by.get("actual", {}).get("total") or ZERO),
        validated=pounds_pence(by.get("actual", {}).get("validated") or ZERO),
    )


def may_edit(user: User, initiative: Initiative, trust_ids: set[int]) -> bool:
    return can_on_trusts(user, Action.EDIT_REGISTER, trust_ids, user_trust_ids(user))


def initiative_page(*, user: User, initiative: Initiative, fy: FinancialYear) -> InitiativePage:
    """Details, lines and their grids: organisations (1), lines (1), entries (1), send-backs (1), closed (1), user trusts (1)."""
    orgs = list(initiative.organisations.all())
    trust_ids = {o.pk for o in orgs}
    editable = may_edit(user, initiative, trust_ids)
    lines = list(initiative.benefits.select_related("organisation").order_by("id"))
    in_year = Entry.objects.filter(benefit__initiative=initiative, period__gte=fy.first, period__lte=fy.last)
    entries = {(e.benefit_id, e.period, e.series): e for e in in_year}
    reasons = sent_back_reasons(in_year.filter(series=Series.ACTUAL))
    latest_closed = latest_closed_period()
    grids = []
    for line in lines:
        kw = {"editable_line": editable, "latest_closed": latest_closed, "reasons": reasons}
        rows = [_row(line, s, fy, entries, **kw) for s in (Series.PLAN, Series.FORECAST, Series.ACTUAL)]
        drafts = sum(
            1 for c in rows[2].cells if c.status in ("draft", "sent_back") and (latest_closed is None or c.period > latest_closed)
        )
        measure = "£ (GBP)" if line.measure == "GBP" else f"{line.measure.replace('_', ' ')} at unit cost {line.unit_cost}"
        grids.append(
            LineGrid(
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
        )
    i = initiative
    summary = [
        ("Workstream", i.workstream.name),
        ("Lead trust", i.lead_organisation.name),
        ("Trusts involved", ", ".join(o.code for o in orgs)),
        ("Stage", label_of(Stage, i.stage)),
        ("Delivery confidence", label_of(Confidence, i.delivery_confidence)),
        ("Owner", i.owner.display_name if i.owner else "Not set"),
        ("Start date", i.start_date.strftime("%-d %B %Y") if i.start_date else "Not set"),
        ("End date", i.end_date.strftime("%-d %B %Y") if i.end_date else "Not set"),
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
        lines=grids,
        totals=year_totals(i, fy),
        edit_href=reverse("web:initiative_edit", args=[i.ref]),
        add_line_href=reverse("web:benefit_new", args=[i.ref]),
        history_href=reverse("web:history", args=["initiative", i.ref]),
        latest_closed=latest_closed,
        latest_closed_name=month_name(latest_closed) if latest_closed else "",
    )


# --- finance: the validation queue -------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    trust: str = ""
    workstream: str = ""
    month: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, query) -> QueueFilters:
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        month = query.get("month", "")
        return cls(trust=query.get("trust", "")[:10], workstream=query.get("workstream", "")[:20],
                   month=month if is_period(month) else "", page=page)

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


QUEUE_PAGE_SIZE = 100


def validation_queue(*, user: User, filters: QueueFilters) -> ValidationQueue:
    """Submitted actuals across initiatives; one's own are marked (their Validate button is absent)."""
    qs = Entry.objects.for_user(user, Action.VIEW).filter(series=Series.ACTUAL, status=EntryStatus.SUBMITTED)
    f = filters
    if f.trust:
        qs = qs.filter(benefit__organisation__code=f.trust)
    if f.workstream:
        qs = qs.filter(benefit__initiative__workstream__code=f.workstream)
    if f.month:
        qs = qs.filter(period=f.month)
    qs = qs.select_related("benefit__initiative", "benefit__organisation", "updated_by").order_by("period", "benefit__initiative__ref", "benefit_id")
    paginator = Paginator(qs, QUEUE_PAGE_SIZE)
    page = paginator.get_page(f.page)
    entries = list(page.object_list)
    own = own_entry_ids(user, entries)
    rows = []
    for e in entries:
        line = e.benefit
        rows.append(
            {
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
        )
    return ValidationQueue(
        filters=f,
        rows=rows,
        count=paginator.count,
        page=page.number,
        pages=paginator.num_pages,
        previous_href=f.query(page=str(page.number - 1)) if page.has_previous() else "",
        next_href=f.query(page=str(page.number + 1)) if page.has_next() else "",
        trusts=select_items(trust_choices(), f.trust, "All trusts"),
        workstreams=select_items(workstream_choices(), f.workstream, "All workstreams"),
        months=[{"value": "", "text": "All months"}] + [
            {**m, "selected": m["value"] == f.month} for m in month_options(f.month or reporting_month())
        ],
        own_count=len(own),
    )


# --- finance: periods, unit costs, weights, targets --------------------------------------------


def periods_page(*, fy: FinancialYear) -> dict:
    rows = {p.period: p for p in Period.objects.filter(period__gte=fy.first, period__lte=fy.last).select_related("closed_by")}
    latest = Period.objects.filter(status=PeriodStatus.CLOSED).order_by("-period").values_list("period", flat=True).first()
    months = []
    for m in fy.periods:
        row = rows.get(m)
        closed = bool(latest and m <= latest)
        months.append(
            {
                "period": m,
                "name": month_name(m),
                "closed": closed,
                "closed_by": row.closed_by.display_name if row and row.closed_by and closed else "",
                "closed_at": row.closed_at if row and closed else None,
                "reopenable": m == latest,
            }
        )
    open_months = [m for m in months if not m["closed"]]
    return {
        "fy": fy.label,
        "fy_choices": fy_options(fy),
        "months": months,
        "latest_closed": latest,
        "latest_closed_name": month_name(latest) if latest else "",
        "close_choices": [{"value": m["period"], "text": m["name"]} for m in open_months],
        "history_href": reverse("web:history", args=["period", latest]) if latest else "",
    }


def unit_costs_page() -> dict:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for c in UnitCost.objects.order_by("code", "valid_from"):
        grouped[c.code].append(
            {"id": c.pk, "name": c.name, "unit": c.unit, "value": pounds_pence(c.value_gbp), "valid_from": month_name(c.valid_from),
             "source": c.source, "history_href": reverse("web:history", args=["unit_cost", c.pk]),
             "edit_href": reverse("web:unit_cost_edit", args=[c.pk]), "delete_href": reverse("web:unit_cost_delete", args=[c.pk])}
        )
    return {"codes": [{"code": k, "versions": v, "name": v[-1]["name"]} for k, v in grouped.items()]}


@dataclass(frozen=True)
class Deletion:
    """What a confirm-delete page shows: the object, what deleting it does, and the form's target."""

    heading: str
    rows: list[tuple[str, str]]
    consequences: list[str]
    version: int
    action_href: str
    cancel_href: str
    button: str


def _unit_cost_rows(cost: UnitCost) -> list[tuple[str, str]]:
    return [("Code", cost.code), ("Name", cost.name), ("Value", f"{pounds_pence(cost.value_gbp)} per {cost.unit}"),
            ("Valid from", month_name(cost.valid_from)), ("Source", cost.source)]


def _target_rows(target: Target) -> list[tuple[str, str]]:
    return [("Name", target.name), ("Amount", whole_pounds(target.amount_gbp)),
            ("Benefit classes", ", ".join(label_of(BenefitClass, c) for c in target.benefit_classes)),
            ("Basis", label_of(TargetBasis, target.basis)),
            ("Window", f"{month_name(target.start_period)} to {month_name(target.end_period)}")]


def unit_cost_deletion(cost: UnitCost) -> Deletion:
    """The version and what deleting it means (the service decides; this page only explains)."""
    later = UnitCost.objects.filter(code=cost.code, valid_from__gt=cost.valid_from).order_by("valid_from").values_list("valid_from", flat=True).first()
    lines = BenefitLine.objects.filter(unit_cost=cost.code).count()
    months = f"from {month_name(cost.valid_from)}" + (f" to {month_name(add_months(later, -1))}" if later else " onwards")
    return Deletion(
        heading=f"Delete unit cost {cost.code} from {month_name(cost.valid_from)}?",
        rows=[*_unit_cost_rows(cost), ("Benefit lines measured with it", str(lines))],
        consequences=[
            f"The entries this version values ({months}) are revalued with the version in force before it.",
            "The deletion is refused, and nothing changes, if its months are closed, if a validated actual or a "
            "closed month's figure would change, or if an entry would be left with no version to value it.",
            "The deletion is recorded in the unit cost's history.",
        ],
        version=cost.version,
        action_href=reverse("web:unit_cost_delete", args=[cost.pk]),
        cancel_href=reverse("web:unit_costs"),
        button="Delete this unit cost version",
    )


def target_deletion(target: Target) -> Deletion:
    return Deletion(
        heading=f"Delete target {target.name}?",
        rows=_target_rows(target),
        consequences=[
            "The target leaves the dashboard, and snapshots and board packs made from now on leave it out.",
            "Snapshots and board packs already made keep its figures, so they can still be reproduced.",
            "The deletion is recorded in the target's history.",
        ],
        version=target.version,
        action_href=reverse("web:target_delete", args=[target.pk]),
        cancel_href=reverse("web:targets"),
        button="Delete this target",
    )


@dataclass(frozen=True)
class Change:
    """What a change (or add) page shows around its form. After a stale save, `saved` holds the values
    someone else saved meanwhile, and `stale` says so in words; the form keeps what the user typed."""

    heading: str
    button: str
    cancel_href: str
    notes: list[str] = field(default_factory=list)
    stale: str = ""
    saved: list[tuple[str, str]] = field(default_factory=list)


def unit_cost_change(cost: UnitCost, *, stale: bool = False) -> Change:
    what = f"unit cost {cost.code} from {month_name(cost.valid_from)}"
    return Change(
        heading=f"Change {what}",
        button="Save unit cost version",
        cancel_href=reverse("web:unit_costs"),
        notes=[
            "A new value or month revalues the entries this version values, and those of the months it no longer covers.",
            "The change is refused, and nothing changes, if a closed month's figure or a validated actual would change; "
            "add a new version from an open month instead. The name, unit and source can always be corrected.",
        ],
        stale=_stale_notice(what) if stale else "",
        saved=_unit_cost_rows(cost) if stale else [],
    )


def target_change(target: Target | None, *, stale: bool = False) -> Change:
    """The add page when `target` is None, else its change page."""
    if target is None:
        return Change(heading="Add a target", button="Add target", cancel_href=reverse("web:targets"),
                      notes=["The dashboard, snapshots and board packs made from now on report progress towards it."])
    return Change(
        heading=f"Change target {target.name}",
        button="Save target",
        cancel_href=reverse("web:targets"),
        stale=_stale_notice(f"target {target.name}") if stale else "",
        saved=_target_rows(target) if stale else [],
    )


def _stale_notice(what: str) -> str:
    return (
        f"Not saved: someone else changed {what} since you opened this page. The values saved now are shown below, "
        "and your changes are still in the form. Check them, then save again to replace the saved values, or cancel."
    )


def weights_page() -> list[dict]:
    return [
        {"key": w.delivery_confidence, "label": label_of(Confidence, w.delivery_confidence), "weight": f"{w.weight:.2f}",
         "version": w.version, "tag": CONFIDENCE_TAG.get(w.delivery_confidence, "")}
        for w in ConfidenceWeight.objects.order_by("-weight")
    ]


def targets_page() -> list[dict]:
    return [
        {"id": t.pk, "name": t.name, "amount": whole_pounds(t.amount_gbp),
         "classes": ", ".join(label_of(BenefitClass, c) for c in t.benefit_classes),
         "basis": "Annual run rate" if t.basis == "annual_run_rate" else "Cumulative",
         "window": f"{month_name(t.start_period)} to {month_name(t.end_period)}",
         "edit_href": reverse("web:target_edit", args=[t.pk]),
         "delete_href": reverse("web:target_delete", args=[t.pk]),
         "history_href": reverse("web:history", args=["target", t.pk])}
        for t in Target.objects.order_by("id")
    ]


# --- board packs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobRow:
    """A background job as the shared progress partial (partials/job_status.jinja) shows it."""

    id: int
    status: str
    status_label: str
    progress: int
    active: bool
    done: bool
    failed: bool
    error: str
    size: str
    created_by: str
    created_at: object


@dataclass(frozen=True)
class PackRow(JobRow):
    as_at: str
    month: str
    sha256: str
    pages: int | None
    download_href: str
    progress_href: str


def job_state(job: BackgroundJob) -> dict:
    """The JobRow fields of any background job (board pack, register export)."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": JOB_LABEL.get(job.status, job.status),
        "progress": 100 if job.status == JobStatus.DONE else job.progress,
        "active": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "done": job.status == JobStatus.DONE,
        "failed": job.status == JobStatus.FAILED,
        "error": job.error,
        "size": f"{job.size_bytes / 1024:,.0f} KB" if job.size_bytes else "",
        "created_by": job.created_by.display_name,
        "created_at": job.created_at,
    }


def pack_row(p: BoardPack) -> PackRow:
    return PackRow(
        **job_state(p),
        as_at=p.as_at,
        month=month_name(p.as_at),
        sha256=p.sha256,
        pages=p.pages,
        download_href=reverse("web:board_pack_download", args=[p.pk]),
        progress_href=reverse("web:board_pack_progress", args=[p.pk]),
    )


def board_packs_page(*, user: User, selected: str) -> dict:
    packs = [pack_row(p) for p in BoardPack.objects.select_related("created_by").order_by("-created_at", "-id")[:50]]
    return {
        "packs": packs,
        "months": month_options(selected, last=reporting_month()),
        "can_generate": can(user, Action.GENERATE_BOARD_PACK),
    }


# --- register exports built in the background ----------------------------------------------------


@dataclass(frozen=True)
class ExportJobRow(JobRow):
    lines: str
    filters: str
    page_href: str
    progress_href: str
    download_href: str


def export_filters_text(filters: dict, fy: str) -> str:
    """What the user asked for, in words: "workstream PROC, trust RYE, stage Delivery; 2025/26"."""
    words = [
        f"workstream {filters['workstream']}" if filters.get("workstream") else "",
        f"trust {filters['trust']}" if filters.get("trust") else "",
        f"stage {label_of(Stage, filters['stage'])}" if filters.get("stage") else "",
        f"confidence {label_of(Confidence, filters['confidence'])}" if filters.get("confidence") else "",
        f"search “{filters['search']}”" if filters.get("search") else "",
    ]
    chosen = ", ".join(w for w in words if w) or "the whole register"
    return f"{chosen}; {fy or 'every year with figures'}"


def export_job_row(job: ExportJob) -> ExportJobRow:
    return ExportJobRow(
        **job_state(job),
        lines=f"{job.lines:,} benefit line{'' if job.lines == 1 else 's'}",
        filters=export_filters_text(job.filters, job.fy),
        page_href=reverse("web:export_job", args=[job.pk]),
        progress_href=reverse("web:export_job_progress", args=[job.pk]),
        download_href=reverse("web:export_job_download", args=[job.pk]),
    )


# --- history: the audit trail in sentences ------------------------------------------------------

FIELD_LABELS = {
    "title": "title", "description": "description", "workstream": "workstream", "lead_organisation": "lead trust",
    "organisations": "trusts involved", "stage": "stage", "delivery_confidence": "delivery confidence",
    "start_date": "start date", "end_date": "end date", "qia_status": "quality impact assessment",
    "eia_status": "equality impact assessment", "investment_one_off_gbp": "one-off investment",
    "investment_recurrent_gbp": "recurrent investment", "benefit_class": "class", "recurrence": "recurrence",
    "is_disbenefit": "dis-benefit", "organisation": "trust", "measure": "measure", "unit_cost": "unit cost",
    "attribution_pct": "attribution", "weight": "weight", "amount_gbp": "amount", "value_gbp": "value",
    "valid_from": "valid from", "source": "source", "name": "name", "unit": "unit", "basis": "basis",
    "benefit_classes": "benefit classes", "start_period": "start month", "end_period": "end month", "status": "status",
}
CHOICE_LABELS = {**dict(Stage.choices), **dict(Confidence.choices), **dict(ImpactStatus.choices)}


@dataclass(frozen=True)
class HistoryItem:
    at: object
    sentence: str
    where: str
    reason: str


def _show(name: str, value) -> str:
    if value is None or value == "":
        return "nothing"
    if name.endswith("_gbp"):
        try:
            return pounds_pence(Decimal(str(value)))
        except Exception:
            return str(value)
    if name == "attribution_pct":
        return f"{value}%"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(CHOICE_LABELS.get(value, value))


def _entry_amount(changes: dict, idx: int, entry: dict) -> str:
    value = changes.get("value_gbp", [None, None])[idx]
    qty = changes.get("quantity", [None, None])[idx]
    if value is None:
        return "nothing"
    money = pounds_pence(Decimal(str(value)))
    if entry.get("measure", "GBP") != "GBP" and qty is not None:
        return f"{qty} {entry['measure'].replace('_', ' ')} ({money})"
    return money


def _sentence(
    event: AuditEvent, who: str, entries: dict[str, dict], lines: dict[str, str], costs: dict[str, str]
) -> tuple[str, str]:
    action = event.action.removeprefix("benefits.")
    ch = event.changes or {}
    kind, _, verb = action.partition(".")
    if kind == "entry":
        entry = entries.get(event.object_id, {})
        period = entry.get("period") or (ch.get("period") or [None, None])[0] or (ch.get("period") or [None, None])[1]
        series = entry.get("series") or (ch.get("series") or [None, None])[0] or (ch.get("series") or [None, None])[1]
        what = f"the {month_name(period)} {series}" if period and series else f"entry {event.object_id}"
        where = entry.get("line", "")
        if verb == "updated":
            return f"{who} changed {what} from {_entry_amount(ch, 0, entry)} to {_entry_amount(ch, 1, entry)}", where
        if verb == "created":
            return f"{who} entered {what} of {_entry_amount(ch, 1, entry)}", where
        if verb == "deleted":
            return f"{who} removed {what} (it was {_entry_amount(ch, 0, entry)})", where
        if verb == "submitted":
            return f"{who} submitted {what} for validation", where
        if verb == "validated":
            return f"{who} validated {what}", where
        if verb == "rejected":
            return f"{who} sent back {what}", where
        if verb == "revalued":
            return f"{who} revalued {what} from {_entry_amount(ch, 0, entry)} to {_entry_amount(ch, 1, entry)}", where
    noun = {
        "initiative": f"initiative {event.object_id}", "benefit": f"benefit line “{lines.get(event.object_id, event.object_id)}”",
        "period": f"{month_name(event.object_id)}" if event.object_type == "period" else event.object_id,
        "unit_cost": costs.get(event.object_id, f"unit cost version {event.object_id}"), "confidence_weight": f"the {_show('x', event.object_id).lower()} weight",
        "target": f"target {event.object_id}", "workstream": f"workstream {event.object_id}",
        "organisation": f"organisation {event.object_id}",
    }.get(kind, f"{kind.replace('_', ' ')} {event.object_id}")
    if kind == "period" and verb in ("closed", "reopened"):
        return f"{who} {verb} {noun}", ""
    if verb == "created":
        return f"{who} created {noun}", ""
    if verb == "deleted":
        return f"{who} deleted {noun}", ""
    if verb == "updated" and ch:
        parts = [f"the {FIELD_LABELS.get(k, k.replace('_', ' '))} from {_show(k, v[0])} to {_show(k, v[1])}" for k, v in ch.items()]
        return f"{who} changed {noun}: " + "; ".join(parts), ""
    return f"{who} {verb.replace('_', ' ')} {noun}", ""


@dataclass(frozen=True)
class History:
    title: str
    back_href: str
    items: list[HistoryItem]
    count: int
    page: int
    pages: int
    previous_href: str
    next_href: str


HISTORY_PAGE_SIZE = 100


def _imported_sentences(changes: dict, who: str, line: dict, only_cell: str | None) -> list[str]:
    """An import's event for one line (ADR 0058) as a sentence per cell, or only the cell asked for."""
    out = []
    for key, (old, new) in changes.items():
        cell = parse_cell_key(key)
        if cell is None or (only_cell is not None and key != only_cell):
            continue
        amounts = {"quantity": [old, new], "value_gbp": changes.get(key + VALUE_SUFFIX, [old, new])}
        what = f"the {month_name(cell[0])} {cell[1]}"
        if old is None:
            out.append(f"{who} imported {what} of {_entry_amount(amounts, 1, line)}")
        else:
            out.append(f"{who} changed {what} from {_entry_amount(amounts, 0, line)} to {_entry_amount(amounts, 1, line)} by import")
    return out


def history(*, title: str, back_href: str, events, page: int, only_cell: str | None = None) -> History:
    """Audit events (already filtered to the object and its children) as sentences; 5 queries a page.

    `only_cell` ('2025-04 plan'): an entry's page shows only its own cell of an import's line event.
    """
    paginator = Paginator(events.select_related("user").order_by("-at", "-id"), HISTORY_PAGE_SIZE)
    pg = paginator.get_page(page)
    evs = list(pg.object_list)
    entry_ids = {int(e.object_id) for e in evs if e.object_type == "entry" and e.object_id.isdigit()}
    entries = {
        str(e["id"]): {"period": e["period"], "series": e["series"], "line": e["benefit__title"], "measure": e["benefit__measure"]}
        # `or {0}`: an empty IN skips the query; keep the count the same whatever the page holds
        for e in Entry.objects.filter(pk__in=entry_ids or {0}).values("id", "period", "series", "benefit__title", "benefit__measure")
    }
    line_ids = {int(e.object_id) for e in evs if e.object_type == "benefit" and e.object_id.isdigit()}
    line_rows = BenefitLine.objects.filter(pk__in=line_ids or {0}).values_list("id", "title", "measure")
    lines = {str(pk): title for pk, title, _ in line_rows}
    measures = {str(pk): measure for pk, _, measure in line_rows}
    cost_ids = {int(e.object_id) for e in evs if e.object_type == "unit_cost" and e.object_id.isdigit()}
    costs = {  # a version by its code and month, not its database id (a deleted one keeps the id)
        str(pk): f"the “{code}” unit cost from {month_name(valid_from)}"
        for pk, code, valid_from in UnitCost.objects.filter(pk__in=cost_ids or {0}).values_list("id", "code", "valid_from")
    }
    items = []
    for e in evs:
        who = e.user.display_name if e.user else e.actor
        if e.action == FIGURES_IMPORTED:
            line = {"line": lines.get(e.object_id, ""), "measure": measures.get(e.object_id, "GBP")}
            items += [
                HistoryItem(at=e.at, sentence=sentence, where=line["line"], reason=e.reason)
                for sentence in _imported_sentences(e.changes or {}, who, line, only_cell)
            ]
            continue
        sentence, where = _sentence(e, who, entries, lines, costs)
        items.append(HistoryItem(at=e.at, sentence=sentence, where=where, reason=e.reason))
    return History(
        title=title,
        back_href=back_href,
        items=items,
        count=paginator.count,
        page=pg.number,
        pages=paginator.num_pages,
        previous_href=f"?page={pg.number - 1}" if pg.has_previous() else "",
        next_href=f"?page={pg.number + 1}" if pg.has_next() else "",
    )


@dataclass
class FormErrors:
    """Field errors of a form and the NHS error summary's list (links to the fields)."""

    fields: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def summary(self, ids: dict[str, str] | None = None) -> list[dict]:
        ids = ids or {}
        return [{"text": m, "href": f"#{ids.get(n, n)}"} for n, m in self.fields.items()]

    def __bool__(self) -> bool:
        return bool(self.fields)

"""The dashboard: are we on track for each target, the register by delivery confidence, the
initiatives that need attention, and the snapshot the figures can be checked against.

The view reads each part through its selector; the presenter below only formats the figures, and
words such as "on track" come from here (the selector's `on_track` flag, FINANCE.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.http import HttpRequest, HttpResponse
from django.urls import path
from markupsafe import Markup

from benefits.finance.calendar import FinancialYear, is_period, month_name, short_month_name
from benefits.finance.rounding import round_half_up, whole_pounds
from benefits.models.choices import Confidence
from benefits.reports import charts
from benefits.selectors.board_pack import confidence_counts
from benefits.selectors.exceptions import Exceptions, initiative_exceptions
from benefits.selectors.periods import reporting_month
from benefits.selectors.rollups import Rollup, compute_rollup
from benefits.selectors.snapshots import SnapshotStamp, latest_snapshot_stamp
from benefits.selectors.targets import TargetProgress, all_target_progress

from .http import page_view, render_page
from .layout import CONFIDENCE_TAG, initiative_hrefs, label_of, month_options


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


def label_of_trigger(value: str) -> str:
    return {"scheduled": "the nightly schedule", "period_close": "a month being closed", "manual": "a request"}.get(value, value)


def exception_reason(r) -> str:
    reasons = []
    if r.behind_plan:
        share = round_half_up(r.actual_ytd / r.plan_ytd * 100, Decimal("1")) if r.plan_ytd else Decimal(0)
        reasons.append(f"{share}% of plan achieved year to date")
    if r.delivery_confidence in (Confidence.RED, Confidence.AMBER_RED):
        reasons.append(f"rated {label_of(Confidence, r.delivery_confidence).lower()}")
    return "; ".join(reasons).capitalize()


def dashboard_page(*, as_at: str, progress: list[TargetProgress], by_confidence: Rollup, counts: dict[str, int],
                   exceptions: Exceptions, snapshot: SnapshotStamp | None) -> Dashboard:
    """The dashboard's figures in words and whole pounds."""
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
    items = [
        ExceptionItem(
            ref=r.ref,
            title=r.title,
            href=href,
            trust=r.lead_organisation,
            confidence=label_of(Confidence, r.delivery_confidence),
            tag=CONFIDENCE_TAG.get(r.delivery_confidence, ""),
            plan_ytd=whole_pounds(r.plan_ytd),
            actual_ytd=whole_pounds(r.actual_ytd),
            why=exception_reason(r),
        )
        for r, href in zip(exceptions.rows, initiative_hrefs(r.ref for r in exceptions.rows), strict=True)
    ]
    return Dashboard(
        as_at=as_at,
        as_at_name=month_name(as_at),
        fy=FinancialYear.of(as_at).label,
        months=month_options(as_at),
        targets=[_target_card(p) for p in progress],
        confidence=conf_rows,
        confidence_total=total,
        exceptions=items,
        exceptions_total=exceptions.total,
        snapshot_taken_at=snapshot.taken_at if snapshot else None,
        snapshot_trigger=label_of_trigger(snapshot.trigger) if snapshot else "",
    )


@page_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """Targets (one query each), rollup by confidence (1), counts (1), exceptions (2), snapshot (1)."""
    as_at = request.GET.get("as_at", "")
    problem = ""
    if as_at and not is_period(as_at):
        problem = f"'{as_at[:20]}' is not a month; showing the latest figures instead."
        as_at = ""
    as_at = as_at or reporting_month()
    page = dashboard_page(
        as_at=as_at,
        progress=all_target_progress(as_at=as_at),
        by_confidence=compute_rollup(fy=FinancialYear.of(as_at), as_at=as_at, group_by="delivery_confidence"),
        counts=confidence_counts(),
        exceptions=initiative_exceptions(as_at=as_at),
        snapshot=latest_snapshot_stamp(as_at=as_at),
    )
    errors = [{"text": problem, "href": "#as_at"}] if problem else []
    return render_page(request, "benefits/dashboard.jinja", {"page": page, "nav_current": "dashboard", "page_errors": errors})


urlpatterns = [
    path("", dashboard, name="dashboard"),
]

"""Progress against each target as at a month (FINANCE.md, "Targets"), with its trajectory."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from benefits.finance.calendar import months_between
from benefits.finance.rounding import percentage
from benefits.models import Target
from benefits.models.choices import TargetBasis

from .outturn import OUTTURN, RISK_ADJUSTED, VALUED_CTE

ZERO = Decimal("0.00")
TWELVE = Decimal("12")


@dataclass(frozen=True)
class TrajectoryPoint:
    period: str
    plan: Decimal
    actual: Decimal | None  # None after the as-at month
    outturn: Decimal


@dataclass(frozen=True)
class TargetProgress:
    target_id: int
    name: str
    amount_gbp: Decimal
    basis: str
    benefit_classes: tuple[str, ...]
    start_period: str
    end_period: str
    as_at: str
    achieved: Decimal
    forecast: Decimal
    risk_adjusted: Decimal
    pct_achieved: Decimal | None
    pct_forecast: Decimal | None
    pct_risk_adjusted: Decimal | None
    on_track: bool
    trajectory: tuple[TrajectoryPoint, ...]

    def as_json(self) -> dict:
        """The API's `targets/{id}/progress/` body; money as two-place strings."""

        def money(v: Decimal | None) -> str | None:
            return None if v is None else f"{v:.2f}"

        return {
            "target": self.target_id,
            "name": self.name,
            "amount_gbp": money(self.amount_gbp),
            "basis": self.basis,
            "as_at": self.as_at,
            "achieved": money(self.achieved),
            "forecast": money(self.forecast),
            "risk_adjusted": money(self.risk_adjusted),
            "pct_achieved": money(self.pct_achieved),
            "pct_forecast": money(self.pct_forecast),
            "pct_risk_adjusted": money(self.pct_risk_adjusted),
            "on_track": self.on_track,
            "trajectory": [
                {"period": p.period, "plan": money(p.plan), "actual": money(p.actual), "outturn": money(p.outturn)}
                for p in self.trajectory
            ],
        }


_SQL = f"""
WITH {VALUED_CTE}
SELECT period,
       COALESCE(SUM(plan), 0) AS plan,
       COALESCE(SUM(actual_to_date), 0) AS actual,
       COALESCE(SUM({OUTTURN}), 0) AS outturn,
       COALESCE(SUM({RISK_ADJUSTED}), 0) AS risk_adjusted
FROM valued
WHERE NOT pipeline AND benefit_class = ANY(%(classes)s) AND (NOT %(recurrent_only)s OR recurrence = 'recurrent')
GROUP BY period
"""


def _monthly(target: Target, as_at: str) -> dict[str, tuple[Decimal, Decimal, Decimal, Decimal]]:
    """(plan, validated actual to date, outturn, risk-adjusted) by month of the counted lines.

    The run-rate basis reads month `as_at` even outside the window: FINANCE.md defines its
    `achieved` as 12 × that month's validated actuals, with no window (ADR 0020).
    """
    run_rate = target.basis == TargetBasis.ANNUAL_RUN_RATE
    params = {
        "first": min(target.start_period, as_at) if run_rate else target.start_period,
        "last": max(target.end_period, as_at) if run_rate else target.end_period,
        "as_at": as_at,
        "classes": list(target.benefit_classes),
        "recurrent_only": run_rate,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        return {row[0]: tuple(Decimal(v) for v in row[1:]) for row in cursor.fetchall()}  # type: ignore[misc]


def target_progress(*, target: Target, as_at: str) -> TargetProgress:
    """One SQL aggregate by month over the target's window; the cumulation of ≤ 60 months is in Python."""
    monthly = _monthly(target, as_at)
    empty = (ZERO, ZERO, ZERO, ZERO)
    months = months_between(target.start_period, target.end_period)
    points: list[TrajectoryPoint] = []
    run_rate = target.basis == TargetBasis.ANNUAL_RUN_RATE
    cum_plan = cum_actual = cum_outturn = ZERO
    for month in months:
        plan, actual, outturn, _ = monthly.get(month, empty)
        if run_rate:
            points.append(TrajectoryPoint(month, TWELVE * plan, TWELVE * actual if month <= as_at else None, TWELVE * outturn))
        else:
            cum_plan += plan
            cum_actual += actual
            cum_outturn += outturn
            points.append(TrajectoryPoint(month, cum_plan, cum_actual if month <= as_at else None, cum_outturn))
    if run_rate:
        achieved = TWELVE * monthly.get(as_at, empty)[1]
        end = monthly.get(target.end_period, empty)
        forecast, risk_adjusted = TWELVE * end[2], TWELVE * end[3]
    else:
        achieved = cum_actual  # the SQL's actual is 0 after as_at, so this is Σ over the window up to as_at
        forecast = cum_outturn
        risk_adjusted = sum((monthly.get(m, empty)[3] for m in months), ZERO)
    amount = target.amount_gbp
    return TargetProgress(
        target_id=target.pk,
        name=target.name,
        amount_gbp=amount,
        basis=target.basis,
        benefit_classes=tuple(target.benefit_classes),
        start_period=target.start_period,
        end_period=target.end_period,
        as_at=as_at,
        achieved=achieved,
        forecast=forecast,
        risk_adjusted=risk_adjusted,
        pct_achieved=percentage(achieved, amount),
        pct_forecast=percentage(forecast, amount),
        pct_risk_adjusted=percentage(risk_adjusted, amount),
        on_track=risk_adjusted >= amount,
        trajectory=tuple(points),
    )


def all_target_progress(*, as_at: str) -> list[TargetProgress]:
    return [target_progress(target=t, as_at=as_at) for t in Target.objects.order_by("id")]

"""The dashboard's exceptions list: initiatives behind plan by more than 10 % year to date, or rated red or amber/red.

"Behind plan" compares validated actual values with plan values over the months of the
financial year up to the as-at month (FINANCE.md's `actual_ytd` and `plan_ytd`, per initiative).
Pipeline (idea) initiatives are not in delivery and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from benefits.finance.calendar import FinancialYear
from benefits.models import Entry, Initiative
from benefits.models.choices import Confidence, EntryStatus, Series, Stage

BEHIND_SHARE = Decimal("0.90")  # behind plan by more than 10 %
AT_RISK = (Confidence.RED, Confidence.AMBER_RED)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ExceptionRow:
    ref: str
    title: str
    workstream: str
    lead_organisation: str
    delivery_confidence: str
    plan_ytd: Decimal
    actual_ytd: Decimal

    @property
    def variance_ytd(self) -> Decimal:
        return self.actual_ytd - self.plan_ytd

    @property
    def behind_plan(self) -> bool:
        return self.plan_ytd > 0 and self.actual_ytd < self.plan_ytd * BEHIND_SHARE


@dataclass(frozen=True)
class Exceptions:
    total: int
    rows: tuple[ExceptionRow, ...]


def _ytd(fy: FinancialYear, as_at: str, series_filter: Q):
    money = DecimalField(max_digits=14, decimal_places=2)
    sums = (
        Entry.objects.filter(benefit__initiative_id=OuterRef("pk"), period__gte=fy.first, period__lte=as_at)
        .filter(series_filter)
        .order_by()
        .values("benefit__initiative_id")
        .annotate(total=Sum("value_gbp"))
        .values("total")
    )
    return Coalesce(Subquery(sums, output_field=money), Value(ZERO), output_field=money)


def initiative_exceptions(*, as_at: str, limit: int = 25) -> Exceptions:
    """The worst `limit` exceptions (largest shortfall first) and how many there are; two queries."""
    fy = FinancialYear.of(as_at)
    flagged = (
        Initiative.objects.exclude(stage__in=[Stage.IDEA, Stage.CANCELLED, Stage.CLOSED])
        .annotate(
            plan_ytd=_ytd(fy, as_at, Q(series=Series.PLAN)),
            actual_ytd=_ytd(fy, as_at, Q(series=Series.ACTUAL, status=EntryStatus.VALIDATED)),
        )
        .filter(
            Q(delivery_confidence__in=AT_RISK)
            | (Q(plan_ytd__gt=0) & Q(actual_ytd__lt=BEHIND_SHARE * F("plan_ytd")))
        )
    )
    total = flagged.aggregate(n=Count("id"))["n"]
    rows = (
        flagged.select_related("workstream", "lead_organisation")
        .order_by(F("actual_ytd") - F("plan_ytd"), "ref")[:limit]
    )
    return Exceptions(
        total=total,
        rows=tuple(
            ExceptionRow(
                ref=i.ref,
                title=i.title,
                workstream=i.workstream.name,
                lead_organisation=i.lead_organisation.code,
                delivery_confidence=i.delivery_confidence,
                plan_ytd=i.plan_ytd,
                actual_ytd=i.actual_ytd,
            )
            for i in rows
        ),
    )


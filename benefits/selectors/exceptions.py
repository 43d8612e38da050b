"""The dashboard's exceptions list: initiatives behind plan by more than 10 % year to date, or rated red or amber/red.

"Behind plan" compares FINANCE.md's `actual_ytd` (validated actuals to date) with `plan_ytd`
per initiative, over the months of the financial year up to the as-at month, using the same
per-line, per-month SQL as the rollups (selectors/outturn.py). Pipeline (idea), closed and
cancelled initiatives are not in delivery and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from benefits.finance.calendar import FinancialYear
from benefits.models import Initiative
from benefits.models.choices import Confidence, Stage

from .outturn import VALUED_CTE

BEHIND_SHARE = Decimal("0.90")  # behind plan by more than 10 %
AT_RISK = (Confidence.RED, Confidence.AMBER_RED)
LEFT_OUT = (Stage.IDEA, Stage.CLOSED, Stage.CANCELLED)
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


# The YTD window only (cells from the FY's first month to the as-at month), one row per initiative.
_SQL = f"""
WITH {VALUED_CTE},
ytd AS (
    SELECT initiative_id, COALESCE(SUM(plan), 0) AS plan_ytd, COALESCE(SUM(actual_to_date), 0) AS actual_ytd
    FROM valued GROUP BY initiative_id
)
SELECT i.id, COALESCE(y.plan_ytd, 0), COALESCE(y.actual_ytd, 0), COUNT(*) OVER () AS total
FROM benefits_initiative i
LEFT JOIN ytd y ON y.initiative_id = i.id
WHERE NOT (i.stage = ANY(%(left_out)s))
  AND (i.delivery_confidence = ANY(%(at_risk)s)
       OR (COALESCE(y.plan_ytd, 0) > 0 AND COALESCE(y.actual_ytd, 0) < %(share)s * y.plan_ytd))
ORDER BY COALESCE(y.actual_ytd, 0) - COALESCE(y.plan_ytd, 0), i.ref
LIMIT %(limit)s
"""


def initiative_exceptions(*, as_at: str, limit: int = 25) -> Exceptions:
    """The worst `limit` exceptions (largest shortfall first) and how many there are: two queries."""
    fy = FinancialYear.of(as_at)
    params = {
        "first": fy.first,
        "last": as_at,
        "as_at": as_at,
        "left_out": list(LEFT_OUT),
        "at_risk": list(AT_RISK),
        "share": BEHIND_SHARE,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        found = [(row[0], Decimal(row[1]).quantize(ZERO), Decimal(row[2]).quantize(ZERO), row[3]) for row in cursor.fetchall()]
    # Plain rows, not model instances: the board pack asks for every exception (hundreds at 1,000 initiatives).
    fields = ("ref", "title", "workstream__name", "lead_organisation__code", "delivery_confidence")
    names = ("ref", "title", "workstream", "lead_organisation", "delivery_confidence")  # ExceptionRow's
    by_id = {
        pk: dict(zip(names, values, strict=True))
        for pk, *values in Initiative.objects.filter(pk__in=[f[0] for f in found]).values_list("pk", *fields)
    }
    rows = tuple(ExceptionRow(**by_id[pk], plan_ytd=plan, actual_ytd=actual) for pk, plan, actual, _ in found)
    return Exceptions(total=found[0][3] if found else 0, rows=rows)

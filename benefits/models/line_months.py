"""Line-months: one row per (benefit line, month) summing that month's entries, for the rollups.

FINANCE.md values each benefit line month by month (validated actual to date, else forecast;
risk adjustment rounded per month-line), so every rollup first needs its entries side by side
per line and month. Grouping two million entries that way on every request costs seconds;
this table holds the result, kept exact by the statement-level triggers declared here and
installed on `Entry` (its Meta lists `LINE_MONTH_TRIGGERS`): every INSERT, UPDATE and DELETE
of entries adds its difference here in the same transaction, so it can never disagree with the
entries it sums (ADR 0023). Python never writes it.
"""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.db import models

from .register import BenefitLine

ZERO = Decimal("0.00")


class LineMonth(models.Model):
    # No database foreign key: rows are written by triggers only, and a line can only be deleted
    # once its entries are (they PROTECT it), which leaves its line-months at zero.
    benefit = models.ForeignKey(
        BenefitLine, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )  # the unique (benefit, period) index serves lookups by line
    period = models.CharField(max_length=7)
    plan = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    forecast = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    validated = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO, help_text="Validated actual value.")
    validated_count = models.IntegerField(default=0, help_text="1 when a validated actual exists (even of 0.00).")
    unvalidated = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO, help_text="Draft or submitted actual.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["benefit", "period"], name="line_month_one_per_line_and_month")]
        indexes = [models.Index(fields=["period"], name="line_month_period_idx")]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.period}"


COLUMNS = "benefit_id, period, plan, forecast, validated, validated_count, unvalidated"


def _delta(source: str, sign: str) -> str:
    """Each entry's contribution to its line-month, with `sign` 1 (new rows) or -1 (old rows)."""
    return f"""
        SELECT benefit_id, period,
               {sign} * CASE WHEN series = 'plan' THEN value_gbp ELSE 0 END AS plan,
               {sign} * CASE WHEN series = 'forecast' THEN value_gbp ELSE 0 END AS forecast,
               {sign} * CASE WHEN series = 'actual' AND status = 'validated' THEN value_gbp ELSE 0 END AS validated,
               {sign} * CASE WHEN series = 'actual' AND status = 'validated' THEN 1 ELSE 0 END AS validated_count,
               {sign} * CASE WHEN series = 'actual' AND status IS DISTINCT FROM 'validated' THEN value_gbp ELSE 0 END
                   AS unvalidated
        FROM {source}"""


def _apply(deltas: str) -> str:
    """Add the summed differences to the line-months (set-based; rows locked in key order)."""
    return f"""
    INSERT INTO benefits_linemonth AS m ({COLUMNS})
    SELECT benefit_id, period, SUM(plan), SUM(forecast), SUM(validated), SUM(validated_count), SUM(unvalidated)
    FROM ({deltas}) d
    GROUP BY benefit_id, period
    HAVING SUM(plan) <> 0 OR SUM(forecast) <> 0 OR SUM(validated) <> 0 OR SUM(validated_count) <> 0
        OR SUM(unvalidated) <> 0
    ORDER BY benefit_id, period
    ON CONFLICT (benefit_id, period) DO UPDATE SET
        plan = m.plan + EXCLUDED.plan,
        forecast = m.forecast + EXCLUDED.forecast,
        validated = m.validated + EXCLUDED.validated,
        validated_count = m.validated_count + EXCLUDED.validated_count,
        unvalidated = m.unvalidated + EXCLUDED.unvalidated;"""


def _one_line(sql: str) -> str:
    return " ".join(line.strip() for line in sql.splitlines() if line.strip())


def _sync(name: str, operation: pgtrigger.Operation, referencing: pgtrigger.Referencing, deltas: str) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=referencing,
        func=_one_line(_apply(deltas) + " RETURN NULL;"),
    )


# For Entry's Meta: the transition tables hold every row a statement inserted, updated or deleted.
LINE_MONTH_TRIGGERS = [
    _sync("line_month_after_insert", pgtrigger.Insert, pgtrigger.Referencing(new="new_rows"), _delta("new_rows", "1")),
    _sync(
        "line_month_after_update",
        pgtrigger.Update,
        pgtrigger.Referencing(old="old_rows", new="new_rows"),
        _delta("new_rows", "1") + " UNION ALL " + _delta("old_rows", "-1"),
    ),
    _sync("line_month_after_delete", pgtrigger.Delete, pgtrigger.Referencing(old="old_rows"), _delta("old_rows", "-1")),
]

